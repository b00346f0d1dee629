import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Type, type Static, type TSchema } from 'typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { fileSystemReason } from './lib/startup-errors.js';
import { readOrCreateSealP12 } from './modules/agreements/seal-file.js';

/**
 * Every setting the service reads, with its environment variable, type and default.
 * Keep docs/configuration.md in step with this list.
 */
const settings = {
  PORT: { schema: Type.Integer({ minimum: 0, maximum: 65535 }), default: 3000 },
  WEB_CONCURRENCY: { schema: Type.Integer({ minimum: 1, maximum: 64 }), default: undefined },
  HOST: { schema: Type.String({ minLength: 1 }), default: '127.0.0.1' },
  DATABASE_URL: { schema: Type.String({ pattern: '^postgres(ql)?://' }), default: undefined },
  DATABASE_CONNECT_TIMEOUT_SECONDS: { schema: Type.Integer({ minimum: 1, maximum: 300 }), default: 10 },
  DATA_DIR: { schema: Type.String({ minLength: 1 }), default: './data' },
  JWT_SECRET: { schema: Type.String({ minLength: 32 }), default: undefined },
  ACCESS_TOKEN_TTL_SECONDS: { schema: Type.Integer({ minimum: 30, maximum: 3600 }), default: 900 },
  REFRESH_TOKEN_TTL_SECONDS: { schema: Type.Integer({ minimum: 300 }), default: 30 * 24 * 3600 },
  REFRESH_RETRY_GRACE_SECONDS: { schema: Type.Integer({ minimum: 0, maximum: 60 }), default: 30 },
  STEP_UP_TTL_SECONDS: { schema: Type.Integer({ minimum: 30, maximum: 900 }), default: 300 },
  BODY_LIMIT_BYTES: { schema: Type.Integer({ minimum: 1024 }), default: 1024 * 1024 },
  AUTH_RATE_LIMIT_MAX: { schema: Type.Integer({ minimum: 1 }), default: 20 },
  AUTH_RATE_LIMIT_WINDOW_SECONDS: { schema: Type.Integer({ minimum: 1 }), default: 60 },
  ARGON2_MEMORY_KIB: { schema: Type.Integer({ minimum: 1024 }), default: 19456 },
  ARGON2_TIME_COST: { schema: Type.Integer({ minimum: 1 }), default: 2 },
  TRUST_PROXY: { schema: Type.Boolean(), default: false },
  PUBLIC_BASE_URL: { schema: Type.String({ pattern: '^https?://[^/?#]+(/[^?#]*)?$' }), default: undefined },
  IDENTITY_KEY: { schema: Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' }), default: undefined },
  AUDIT_LOG_KEY: { schema: Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' }), default: undefined },
  AUDIT_LOG_ORIGIN: { schema: Type.String({ pattern: '^[^\\s+]{1,200}$' }), default: undefined },
  AUDIT_SEQUENCER_INTERVAL_MS: { schema: Type.Integer({ minimum: 10, maximum: 60_000 }), default: 200 },
  IDENTITY_VERIFICATION_MONTHS: { schema: Type.Integer({ minimum: 1, maximum: 60 }), default: 12 },
  IDENTITY_DOCUMENT_MAX_BYTES: { schema: Type.Integer({ minimum: 1024 }), default: 10 * 1024 * 1024 },
  CATALOG_DATASET_MAX_BYTES: { schema: Type.Integer({ minimum: 1024 }), default: 2 * 1024 * 1024 * 1024 },
  CATALOG_DOCUMENT_MAX_BYTES: { schema: Type.Integer({ minimum: 1024 }), default: 20 * 1024 * 1024 },
  SEARCH_RELEVANCE_WINDOW: { schema: Type.Integer({ minimum: 1, maximum: 100_000 }), default: 1000 },
  ORDER_RESPONSE_HOURS: { schema: Type.Integer({ minimum: 1, maximum: 24 * 90 }), default: 72 },
  AGREEMENT_SIGNING_HOURS: { schema: Type.Integer({ minimum: 1, maximum: 24 * 90 }), default: 168 },
  ACCEPTANCE_WINDOW_DAYS: { schema: Type.Integer({ minimum: 1, maximum: 90 }), default: 7 },
  FEE_BASIS_POINTS: { schema: Type.Integer({ minimum: 0, maximum: 10_000 }), default: 300 },
  FEE_MINIMUM_MINOR: { schema: Type.Integer({ minimum: 0 }), default: 100 },
  IDEMPOTENCY_KEY_TTL_HOURS: { schema: Type.Integer({ minimum: 1, maximum: 24 * 30 }), default: 24 },
  DOWNLOAD_GRANT_DAYS: { schema: Type.Integer({ minimum: 1, maximum: 365 }), default: 30 },
  DOWNLOAD_GRANT_MAX_DOWNLOADS: { schema: Type.Integer({ minimum: 1, maximum: 1000 }), default: 10 },
  TRADING_SWEEP_INTERVAL_MS: { schema: Type.Integer({ minimum: 0, maximum: 3_600_000 }), default: 60_000 },
  STRIPE_SECRET_KEY: { schema: Type.String({ pattern: '^(sk|rk)_[A-Za-z0-9_]+$' }), default: undefined },
  STRIPE_WEBHOOK_SECRET: { schema: Type.String({ pattern: '^whsec_[A-Za-z0-9_+/=]+$' }), default: undefined },
  STRIPE_API_BASE: { schema: Type.String({ pattern: '^https?://[^/?#]+/?$' }), default: undefined },
  STRIPE_CONNECT_RETURN_URL: { schema: Type.String({ pattern: '^https?://[^\\s]+$' }), default: undefined },
  EXCHANGE_BANK_NAME: { schema: Type.String({ minLength: 1, maxLength: 200 }), default: '重庆银行股份有限公司营业部' },
  EXCHANGE_BANK_ACCOUNT: { schema: Type.String({ pattern: '^[0-9 ]{8,40}$' }), default: '0101 0120 0000 0000 00' },
  EXCHANGE_BANK_PAYEE: { schema: Type.String({ minLength: 1, maxLength: 200 }), default: '重庆数据交易所有限公司' },
  SETTLEMENT_OUTBOX_INTERVAL_MS: { schema: Type.Integer({ minimum: 10, maximum: 600_000 }), default: 1000 },
  SETTLEMENT_CHARGEBACKS_BORNE_BY: { schema: Type.Union([Type.Literal('exchange'), Type.Literal('provider')]), default: 'exchange' },
  AGREEMENT_SEAL_P12: { schema: Type.String({ minLength: 1 }), default: undefined },
  AGREEMENT_SEAL_PASSPHRASE: { schema: Type.String({ minLength: 1 }), default: undefined },
  AGREEMENT_DISPOSAL_DAYS: { schema: Type.Integer({ minimum: 1, maximum: 365 }), default: 30 },
  AGREEMENT_SWEEP_INTERVAL_MS: { schema: Type.Integer({ minimum: 1000, maximum: 86_400_000 }), default: 60_000 },
  PUBLIC_DATA_REQUEST_SWEEP_INTERVAL_MS: { schema: Type.Integer({ minimum: 1000, maximum: 86_400_000 }), default: 60_000 },
  NOTIFIER_INTERVAL_MS: { schema: Type.Integer({ minimum: 100, maximum: 3_600_000 }), default: 2000 },
  SMTP_URL: { schema: Type.String({ pattern: '^smtps?://' }), default: undefined },
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: { schema: Type.Boolean(), default: false },
  MAIL_FROM: { schema: Type.String({ minLength: 3, maxLength: 200 }), default: '重庆数据交易所 <noreply@exchange.example>' },
  LOG_LEVEL: {
    schema: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
    default: 'info',
  },
} satisfies Record<string, { schema: TSchema; default: unknown }>;

/** The name of every setting, so the documentation can be checked against the code. */
export const settingNames: readonly string[] = Object.keys(settings);

const secretSettings = new Set<string>(['JWT_SECRET', 'IDENTITY_KEY', 'AUDIT_LOG_KEY', 'DATABASE_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'AGREEMENT_SEAL_PASSPHRASE']);

type Settings = typeof settings;
type SettingValue<K extends keyof Settings> = Settings[K]['default'] extends undefined
  ? Static<Settings[K]['schema']> | undefined
  : Static<Settings[K]['schema']>;

export interface Config {
  port: SettingValue<'PORT'>;
  /** Worker processes serving HTTP: one per core on a server database, always one on the embedded one. */
  workers: number;
  host: SettingValue<'HOST'>;
  /** PostgreSQL server; when absent the embedded PGlite database under `dataDir` is used. */
  databaseUrl: string | undefined;
  /** How long a connection to the database server may take before the start (or a query) gives up. */
  databaseConnectTimeoutSeconds: number;
  dataDir: string;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * How long after a refresh token was used it may be presented once more, so long as its successor
   * has not been used: a client whose answer was lost (a reload mid-refresh) gets a new pair instead
   * of having its login revoked as a theft. 0 turns the grace off.
   */
  refreshRetryGraceSeconds: number;
  /** How long a step-up token (a password checked again, POST /auth/step-up) stands in for the password when signing. */
  stepUpTtlSeconds: number;
  bodyLimitBytes: number;
  authRateLimit: { max: number; windowSeconds: number };
  argon2: { memoryKiB: number; timeCost: number };
  trustProxy: boolean;
  /** Where clients reach the service (`https://exchange.example.cn`); links in exports use it. */
  publicBaseUrl: string | undefined;
  logLevel: SettingValue<'LOG_LEVEL'>;
  /** Base64 of the 32-byte key that encrypts identity numbers at rest (and keys their lookup HMAC). */
  identityKey: string;
  /** Base64 of the 32-byte Ed25519 seed that signs the audit log's checkpoints. */
  auditLogKey: string;
  /** The log's origin line, also the signing key's name (C2SP tlog-checkpoint). */
  auditLogOrigin: string;
  /** How often each process's sequencer looks for events to integrate. */
  auditSequencerIntervalMs: number;
  /** How long an operator's verification of a party holds before it must be renewed. */
  identityVerificationMonths: number;
  identityDocumentMaxBytes: number;
  /** Largest dataset version file a provider may upload. */
  catalogDatasetMaxBytes: number;
  /** Largest provenance or Art. 26 evidence document. */
  catalogDocumentMaxBytes: number;
  /** Relevance ranks at most this many of the most recently listed matches (catalog/search.ts). */
  searchRelevanceWindow: number;
  /** How long a provider (or a buyer shown changed terms) has to answer an order before it expires. */
  orderResponseHours: number;
  /** How long the parties have to sign an accepted order's agreement before the order expires. */
  agreementSigningHours: number;
  /** How long the buyer has to accept a delivery or dispute it; then it is accepted automatically. */
  acceptanceWindowDays: number;
  /** The exchange's fee on an order, fixed when it is placed: basis points of the amount, at least the minimum, never above the amount. */
  feeBasisPoints: number;
  feeMinimumMinor: number;
  /** How long an Idempotency-Key and its stored response are kept. */
  idempotencyKeyTtlHours: number;
  /** How long a download grant lasts, and how many downloads it allows. */
  downloadGrantDays: number;
  downloadGrantMaxDownloads: number;
  /** How often each process sweeps orders (expiry, automatic acceptance); 0 turns the timer off. */
  tradingSweepIntervalMs: number;
  /** The exchange's seal on signed agreements: a password-protected PKCS#12 file with its key and certificate. */
  agreementSeal: { p12Path: string; passphrase: string };
  /** Art. 19 ¶2: days after an agreement's term ends within which the recipient certifies the disposal of the data. */
  agreementDisposalDays: number;
  /** How often each process looks for agreements whose term has ended. */
  agreementSweepIntervalMs: number;
  /** How often each process flags overdue public-data requests and moves approved ones along their term. */
  publicDataRequestSweepIntervalMs: number;
  /** How often each process turns new audit events into notifications. */
  notifierIntervalMs: number;
  /** E-mail for notifications: the SMTP server (off when absent) and the sender. */
  mail: { smtpUrl: string | undefined; from: string };
  /** Whether a party's webhook may point at a loopback or private address (tests and closed networks only). */
  webhookAllowPrivateAddresses: boolean;
  settlement: SettlementConfig;
}

/** Art. 28(4): how the exchange collects, holds and pays out money. */
export interface SettlementConfig {
  /** The Stripe rail; absent without STRIPE_SECRET_KEY, and then the bank-transfer rail runs alone. */
  stripe: { secretKey: string; webhookSecret: string; apiBase: URL | undefined; connectReturnUrl: string } | undefined;
  /** Where buyers on the bank-transfer rail send the money. */
  bank: { name: string; account: string; payee: string };
  /** How often each process's outbox worker looks for external effects to carry out. */
  outboxIntervalMs: number;
  /**
   * Who bears a card payment Stripe takes back on a dispute (a chargeback): the exchange (a loss in
   * its ledger), or the provider (a receivable netted from its next payouts).
   */
  chargebacksBorneBy: 'exchange' | 'provider';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * An environment variable's text as the value its schema describes: a number as `Number` reads it
 * (`8080`, `1e3`), a boolean as true/false or 1/0 in any case; anything else is left as text, for
 * the schema to refuse.
 */
function fromEnvText(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: string }).type;
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (type === 'boolean') return ({ true: true, 1: true, false: false, 0: false } as Record<string, boolean>)[raw.toLowerCase()] ?? raw;
  return raw;
}

// Ajv, which the service validates requests with, rather than TypeBox's own value checker: that
// one loads some 300 modules more into every process, command-line tools included.
let ajv: Ajv | undefined;
const validators = new Map<TSchema, ValidateFunction>();
const validatorOf = (schema: TSchema) => validators.get(schema) ?? validators.set(schema, (ajv ??= new Ajv({ strict: false })).compile(schema)).get(schema)!;

function read<K extends keyof Settings>(env: Env, name: K): SettingValue<K> {
  const spec = settings[name];
  const raw = env[name];
  if (raw === undefined || raw === '') return spec.default as SettingValue<K>;
  const value = fromEnvText(spec.schema, raw);
  const validate = validatorOf(spec.schema);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    // Secrets (and URLs that may carry a password) are never echoed into logs.
    const shown = secretSettings.has(name) ? '(value not shown)' : `got ${JSON.stringify(raw)}`;
    throw new ConfigError(`${name} is not valid (${first?.message ?? 'wrong type'}); ${shown}`);
  }
  return value as SettingValue<K>;
}

/**
 * Everything wrong with the settings at once (each value against its schema, the secrets a server
 * database needs, settings that go together, a DATA_DIR the service cannot write), so one failed
 * start names every problem instead of one per attempt. Nothing is written.
 */
function settingProblems(env: Env): string[] {
  const problems: string[] = [];
  const valid = new Map<string, unknown>();
  for (const name of Object.keys(settings) as (keyof Settings)[]) {
    try {
      valid.set(name, read(env, name));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err.message);
    }
  }
  const given = (name: keyof Settings) => env[name] !== undefined && env[name] !== '';
  const server = given('DATABASE_URL');
  if (!server && ((valid.get('WEB_CONCURRENCY') as number | undefined) ?? 1) > 1) {
    problems.push('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database belongs to one process');
  }
  if (server) {
    // Every process of a server deployment must share these, so none may be generated.
    if (!given('JWT_SECRET')) problems.push('JWT_SECRET is required when DATABASE_URL is set');
    if (!given('IDENTITY_KEY')) problems.push('IDENTITY_KEY is required when DATABASE_URL is set (base64 of 32 random bytes)');
    if (!given('AUDIT_LOG_KEY')) problems.push('AUDIT_LOG_KEY is required when DATABASE_URL is set (base64 of 32 random bytes: the log\'s Ed25519 signing key)');
  }
  if (given('AGREEMENT_SEAL_P12') !== given('AGREEMENT_SEAL_PASSPHRASE')) problems.push('AGREEMENT_SEAL_P12 and AGREEMENT_SEAL_PASSPHRASE go together');
  else if (server && !given('AGREEMENT_SEAL_P12')) problems.push('AGREEMENT_SEAL_P12 and AGREEMENT_SEAL_PASSPHRASE are required when DATABASE_URL is set (the PKCS#12 seal of signed agreements)');
  else if (given('AGREEMENT_SEAL_P12') && !existsSync(resolve(env.AGREEMENT_SEAL_P12!))) problems.push(`AGREEMENT_SEAL_P12 ${resolve(env.AGREEMENT_SEAL_P12!)} does not exist`);
  if (given('STRIPE_SECRET_KEY') && !given('STRIPE_WEBHOOK_SECRET')) problems.push('STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set');
  const dataDir = valid.get('DATA_DIR');
  const unusable = typeof dataDir === 'string' ? dataDirProblem(resolve(dataDir)) : undefined;
  if (unusable) problems.push(unusable);
  return problems;
}

/**
 * Why DATA_DIR cannot hold the service's files (database, blobs, secrets), or undefined. It need
 * not exist yet: the nearest part of the path that exists must be a directory the service may
 * write in. Read-only: nothing is created.
 */
export function dataDirProblem(dataDir: string): string | undefined {
  for (let dir = dataDir; ; dir = dirname(dir)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Not there yet (or under a file): look at the part above it.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(dir) !== dir) continue;
      return `DATA_DIR ${dataDir} cannot be used: ${dir}: ${fileSystemReason(err)}`;
    }
    if (!isDirectory) return `DATA_DIR ${dataDir} cannot be used: ${dir} is a file, not a directory; choose a directory the service may write in`;
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      return `DATA_DIR ${dataDir} cannot be used: ${dir}: ${fileSystemReason(err)}; choose a directory the service may write in`;
    }
    return undefined;
  }
}

/**
 * Reads and validates the whole configuration. Wrong values stop the start with one message naming
 * every variable at fault. Secrets come only from the environment; the embedded default (no
 * DATABASE_URL) makes a key file under DATA_DIR instead and calls `warn` so the operator knows.
 */
export function loadConfig(env: Env = process.env, warn: (msg: string) => void = console.warn): Config {
  const problems = settingProblems(env);
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  const databaseUrl = read(env, 'DATABASE_URL');
  const dataDir = resolve(read(env, 'DATA_DIR'));
  const workers = read(env, 'WEB_CONCURRENCY');
  const { jwtSecret, identityKey, auditLogKey, seal } = withEmbeddedSecrets(dataDir, warn, {
    jwtSecret: read(env, 'JWT_SECRET'),
    identityKey: read(env, 'IDENTITY_KEY'),
    auditLogKey: read(env, 'AUDIT_LOG_KEY'),
    sealP12: read(env, 'AGREEMENT_SEAL_P12'),
    sealPassphrase: read(env, 'AGREEMENT_SEAL_PASSPHRASE'),
  });
  const publicBaseUrl = read(env, 'PUBLIC_BASE_URL')?.replace(/\/+$/, '');
  return {
    port: read(env, 'PORT'),
    workers: databaseUrl === undefined ? 1 : (workers ?? availableParallelism()),
    host: read(env, 'HOST'),
    databaseUrl,
    databaseConnectTimeoutSeconds: read(env, 'DATABASE_CONNECT_TIMEOUT_SECONDS'),
    dataDir,
    jwtSecret,
    accessTokenTtlSeconds: read(env, 'ACCESS_TOKEN_TTL_SECONDS'),
    refreshTokenTtlSeconds: read(env, 'REFRESH_TOKEN_TTL_SECONDS'),
    refreshRetryGraceSeconds: read(env, 'REFRESH_RETRY_GRACE_SECONDS'),
    stepUpTtlSeconds: read(env, 'STEP_UP_TTL_SECONDS'),
    bodyLimitBytes: read(env, 'BODY_LIMIT_BYTES'),
    authRateLimit: { max: read(env, 'AUTH_RATE_LIMIT_MAX'), windowSeconds: read(env, 'AUTH_RATE_LIMIT_WINDOW_SECONDS') },
    argon2: { memoryKiB: read(env, 'ARGON2_MEMORY_KIB'), timeCost: read(env, 'ARGON2_TIME_COST') },
    trustProxy: read(env, 'TRUST_PROXY'),
    publicBaseUrl,
    logLevel: read(env, 'LOG_LEVEL'),
    identityKey,
    auditLogKey,
    // A schema-less URL naming the log, as C2SP asks; from the public address when one is set.
    auditLogOrigin: read(env, 'AUDIT_LOG_ORIGIN') ?? `${publicBaseUrl ? new URL(publicBaseUrl).host : 'data-exchange.localhost'}/audit-log`,
    auditSequencerIntervalMs: read(env, 'AUDIT_SEQUENCER_INTERVAL_MS'),
    identityVerificationMonths: read(env, 'IDENTITY_VERIFICATION_MONTHS'),
    identityDocumentMaxBytes: read(env, 'IDENTITY_DOCUMENT_MAX_BYTES'),
    catalogDatasetMaxBytes: read(env, 'CATALOG_DATASET_MAX_BYTES'),
    catalogDocumentMaxBytes: read(env, 'CATALOG_DOCUMENT_MAX_BYTES'),
    searchRelevanceWindow: read(env, 'SEARCH_RELEVANCE_WINDOW'),
    orderResponseHours: read(env, 'ORDER_RESPONSE_HOURS'),
    agreementSigningHours: read(env, 'AGREEMENT_SIGNING_HOURS'),
    acceptanceWindowDays: read(env, 'ACCEPTANCE_WINDOW_DAYS'),
    feeBasisPoints: read(env, 'FEE_BASIS_POINTS'),
    feeMinimumMinor: read(env, 'FEE_MINIMUM_MINOR'),
    idempotencyKeyTtlHours: read(env, 'IDEMPOTENCY_KEY_TTL_HOURS'),
    downloadGrantDays: read(env, 'DOWNLOAD_GRANT_DAYS'),
    downloadGrantMaxDownloads: read(env, 'DOWNLOAD_GRANT_MAX_DOWNLOADS'),
    tradingSweepIntervalMs: read(env, 'TRADING_SWEEP_INTERVAL_MS'),
    agreementSeal: { p12Path: resolve(seal.p12Path), passphrase: seal.passphrase },
    agreementDisposalDays: read(env, 'AGREEMENT_DISPOSAL_DAYS'),
    agreementSweepIntervalMs: read(env, 'AGREEMENT_SWEEP_INTERVAL_MS'),
    publicDataRequestSweepIntervalMs: read(env, 'PUBLIC_DATA_REQUEST_SWEEP_INTERVAL_MS'),
    notifierIntervalMs: read(env, 'NOTIFIER_INTERVAL_MS'),
    mail: { smtpUrl: read(env, 'SMTP_URL'), from: read(env, 'MAIL_FROM') },
    webhookAllowPrivateAddresses: read(env, 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES'),
    settlement: loadSettlementConfig(env, publicBaseUrl),
  };
}

/**
 * The secrets as given, and those not given made under DATA_DIR/secrets: only the embedded default
 * gets here without them (settingProblems refuses a server database that lacks one).
 */
function withEmbeddedSecrets(
  dataDir: string,
  warn: (msg: string) => void,
  given: { jwtSecret?: string | undefined; identityKey?: string | undefined; auditLogKey?: string | undefined; sealP12?: string | undefined; sealPassphrase?: string | undefined },
) {
  try {
    const jwtSecret = given.jwtSecret ?? readOrCreateSecret(dataDir, 'jwt-secret', warn);
    const identityKey = given.identityKey ?? readOrCreateSecret(dataDir, 'identity-key', warn);
    const auditLogKey = given.auditLogKey ?? readOrCreateSecret(dataDir, 'audit-log-key', warn);
    const seal = given.sealP12 !== undefined && given.sealPassphrase !== undefined ? { p12Path: given.sealP12, passphrase: given.sealPassphrase } : readOrCreateSealP12(dataDir, warn);
    return { jwtSecret, identityKey, auditLogKey, seal };
  } catch (err) {
    const path = (err as NodeJS.ErrnoException).path;
    if (path === undefined) throw err;
    throw new ConfigError(`DATA_DIR ${dataDir} cannot be used: ${path}: ${fileSystemReason(err)}`);
  }
}

function loadSettlementConfig(env: Env, publicBaseUrl: string | undefined): SettlementConfig {
  const secretKey = read(env, 'STRIPE_SECRET_KEY');
  const webhookSecret = read(env, 'STRIPE_WEBHOOK_SECRET');
  const apiBase = read(env, 'STRIPE_API_BASE');
  return {
    stripe:
      secretKey === undefined
        ? undefined
        : {
            secretKey,
            webhookSecret: webhookSecret!,
            apiBase: apiBase === undefined ? undefined : new URL(apiBase),
            connectReturnUrl: read(env, 'STRIPE_CONNECT_RETURN_URL') ?? `${publicBaseUrl ?? 'http://localhost:3000'}/docs`,
          },
    bank: { name: read(env, 'EXCHANGE_BANK_NAME'), account: read(env, 'EXCHANGE_BANK_ACCOUNT'), payee: read(env, 'EXCHANGE_BANK_PAYEE') },
    outboxIntervalMs: read(env, 'SETTLEMENT_OUTBOX_INTERVAL_MS'),
    chargebacksBorneBy: read(env, 'SETTLEMENT_CHARGEBACKS_BORNE_BY'),
  };
}

/** A random secret kept in `DATA_DIR/secrets/<name>` (mode 0600), made on first use. */
export function readOrCreateSecret(dataDir: string, name: string, warn: (msg: string) => void): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  warn(`generated ${file}: set the matching environment variable to manage this secret yourself`);
  return secret;
}

