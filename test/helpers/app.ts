import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { buildApp, type AppOptions } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { systemActor } from '../../src/modules/audit/events.js';
import { createUser } from '../../src/modules/accounts/service.js';
import type { Role } from '../../src/modules/accounts/tables.js';
import { expectNoViolationsAtEnd, installResponseContract } from './contract.js';
import { freshDatabase } from './database.js';
import { recycledDatabase } from './recycled-database.js';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    workers: 1,
    host: '127.0.0.1',
    databaseUrl: undefined,
    databaseConnectTimeoutSeconds: 10,
    dataDir: mkdtempSync(join(tmpdir(), 'dx-test-')),
    jwtSecret: randomBytes(32).toString('hex'),
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 3600,
    refreshRetryGraceSeconds: 30,
    stepUpTtlSeconds: 300,
    bodyLimitBytes: 1024 * 1024,
    authRateLimit: { max: 1000, windowSeconds: 60 },
    // Cheap hashing keeps tests fast; production defaults are in src/config.ts.
    argon2: { memoryKiB: 1024, timeCost: 1 },
    trustProxy: false,
    publicBaseUrl: undefined,
    logLevel: 'silent',
    identityKey: randomBytes(32).toString('base64'),
    auditLogKey: randomBytes(32).toString('base64'),
    auditLogOrigin: 'test.data-exchange.localhost/audit-log',
    auditSequencerIntervalMs: 50,
    identityVerificationMonths: 12,
    identityDocumentMaxBytes: 64 * 1024,
    catalogDatasetMaxBytes: 256 * 1024,
    catalogDocumentMaxBytes: 64 * 1024,
    searchRelevanceWindow: 1000,
    orderResponseHours: 72,
    agreementSigningHours: 168,
    acceptanceWindowDays: 7,
    feeBasisPoints: 300,
    feeMinimumMinor: 100,
    idempotencyKeyTtlHours: 24,
    downloadGrantDays: 30,
    downloadGrantMaxDownloads: 3,
    // Tests run the sweep themselves, at the moment they choose.
    tradingSweepIntervalMs: 0,
    // Bank transfer alone; settlement tests that need Stripe point it at the stand-in.
    settlement: {
      stripe: undefined,
      bank: { name: 'Test Bank Chongqing', account: '6222 0000 1111 2222', payee: 'Test Exchange Ltd' },
      outboxIntervalMs: 60_000,
      chargebacksBorneBy: 'exchange',
    },
    // A self-signed seal made once for the tests (src/modules/agreements/seal.ts makes the same kind).
    agreementSeal: { p12Path: fileURLToPath(new URL('../fixtures/agreement-seal.p12', import.meta.url)), passphrase: 'test-seal-passphrase' },
    agreementDisposalDays: 30,
    agreementSweepIntervalMs: 60_000,
    // Tests flag overdue requests themselves, at the instant they choose (a day: never within a test).
    publicDataRequestSweepIntervalMs: 86_400_000,
    // Tests turn events into notifications themselves (deliverNotifications), when they look.
    notifierIntervalMs: 3_600_000,
    mail: { smtpUrl: undefined, from: '重庆数据交易所 <noreply@exchange.example>' },
    // The tests' webhook receivers listen on 127.0.0.1.
    webhookAllowPrivateAddresses: true,
    ...overrides,
  };
}

/**
 * The whole app on a database of its own, as just migrated; closed when the test ends. The
 * database is one of the file's, put back as migrated for each test (helpers/recycled-database.ts);
 * a test that changes the schema asks for a fresh one. Every response is checked against the
 * OpenAPI document (helpers/contract.ts); the test fails at its end if any was not what the
 * document says.
 */
export async function buildTestApp(
  t: Test,
  overrides: Partial<Config> = {},
  options: Pick<AppOptions, 'logger' | 'identityVerifier' | 'settlement' | 'agreements' | 'orderPaymentEvents' | 'orderAgreementEvents' | 'consoleDir'> & {
    logQuery?: (query: string) => void;
    /** A new database, dropped after the test, for a test that changes the schema. */
    freshDatabase?: boolean;
  } = {},
): Promise<FastifyInstance> {
  const database = await (options.freshDatabase ? freshDatabase : recycledDatabase)({ logQuery: options.logQuery });
  const config = testConfig(overrides);
  const violations: string[] = [];
  const app = await buildApp(config, {
    ...options,
    database: database.handle,
    logger: options.logger ?? false,
    instrument: (instance) => installResponseContract(instance, violations),
  });
  expectNoViolationsAtEnd(t, violations);
  t.teardown(async () => {
    await app.close();
    await database.dispose();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  return app;
}

/**
 * Two instances of the service on one database, as two processes behind a load balancer would be.
 * On the server each has its own pool and its own LISTEN connection; the embedded database is one
 * process's, so there the two share it and its in-process notices. `config` configures both,
 * `secondConfig` the second alone.
 */
export async function twoInstances(
  t: Test,
  options: { config?: Partial<Config>; secondConfig?: Partial<Config>; logQuery?: (instance: 'a' | 'b', query: string) => void } = {},
): Promise<[FastifyInstance, FastifyInstance]> {
  const log = options.logQuery;
  const database = await freshDatabase({ logQuery: log && ((query) => log('a', query)) });
  const config = testConfig(options.config);
  const a = await buildApp(config, { database: database.handle, logger: false });
  const b = await buildApp({ ...config, ...options.secondConfig }, { database: await database.openAnother({ logQuery: log && ((query) => log('b', query)) }), logger: false });
  t.teardown(async () => {
    await b.close();
    await a.close();
    await database.dispose();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  return [a, b];
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  roles: Role[];
  accessToken: string;
  refreshToken: string;
  /** Headers for an authenticated request. */
  auth: Record<string, string>;
}

let counter = 0;

/**
 * A user with the given roles, logged in. Provider and buyer accounts register through the API;
 * staff accounts are made the way the CLI makes them, by the accounts service.
 */
export async function signUp(app: FastifyInstance, roles: Role[], name = roles.join('-')): Promise<TestUser> {
  const email = `${name}-${++counter}-${randomBytes(3).toString('hex')}@example.cn`;
  const password = 'correct horse battery staple';
  if (roles.every((r) => r === 'provider' || r === 'buyer')) {
    const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password, displayName: name, roles } });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.body}`);
  } else {
    const ctx = { db: app.db, config: app.config, signAccessToken: app.signAccessToken };
    await createUser(ctx, systemActor(), { email, password, displayName: name, roles }, 'script');
  }
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const tokens = login.json<{ accessToken: string; refreshToken: string }>();
  const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
  return {
    id: me.json<{ id: string }>().id,
    email,
    password,
    roles,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    auth: { authorization: `Bearer ${tokens.accessToken}` },
  };
}

/** `app.inject` as a user. */
export function as(app: FastifyInstance, user: TestUser | null, options: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject({ ...options, headers: { ...(user ? user.auth : {}), ...options.headers } });
}

/** Asserts a problem+json answer with the given status and type, and returns its body. */
export function expectProblem(t: Test, res: LightMyRequestResponse, status: number, type: string) {
  t.equal(res.statusCode, status, `status ${status}: ${res.body.slice(0, 300)}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem+json content type');
  const body = res.json<{ type: string; status: number; title: string; detail?: string; errors?: { path: string; message: string }[] }>();
  t.equal(body.type, `/problems/${type}`);
  t.equal(body.status, status);
  return body;
}
