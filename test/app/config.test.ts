import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, settingNames } from '../../src/config.js';
import { EX_CONFIG, EX_UNAVAILABLE, explainStartupError, type StartupContext } from '../../src/lib/startup-errors.js';

const quiet = () => {};

t.test('defaults give a working embedded set-up and make a secret file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const config = loadConfig({ DATA_DIR: dir }, (m) => warnings.push(m));
  t.equal(config.port, 3000);
  t.equal(config.databaseUrl, undefined);
  // The suite hashes passwords cheaply (testConfig); the server never does: OWASP's argon2id minimum.
  t.same(config.argon2, { memoryKiB: 19456, timeCost: 2 }, 'passwords hashed at production cost');
  t.equal(config.jwtSecret.length >= 32, true);
  t.match(warnings[0], /jwt-secret/);
  t.equal(statSync(join(dir, 'secrets', 'jwt-secret')).mode & 0o777, 0o600, 'the secret file is private');
  t.equal(loadConfig({ DATA_DIR: dir }, quiet).jwtSecret, config.jwtSecret, 'the same secret on the next start');
  t.equal(readFileSync(join(dir, 'secrets', 'jwt-secret'), 'utf8').trim(), config.jwtSecret);
});

t.test('values are converted and checked', async (t) => {
  const config = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', PUBLIC_BASE_URL: 'https://exchange.example.cn/' }, quiet);
  t.equal(config.publicBaseUrl, 'https://exchange.example.cn', 'no trailing slash');
  t.equal(config.port, 8080);
  t.equal(config.trustProxy, true);
  t.equal(config.logLevel, 'warn');
  t.equal(config.auditLogOrigin, 'exchange.example.cn/audit-log', 'the log is named after the public address');
  t.equal(config.workers, 1, 'the embedded database is served by one process');
});

t.test('a bad or missing value stops the start with a message naming it', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty', JWT_SECRET: 'x'.repeat(40) }, /^PORT is not valid/],
    [{ PORT: '70000', JWT_SECRET: 'x'.repeat(40) }, /^PORT is not valid/],
    [{ DATABASE_URL: 'mysql://x', JWT_SECRET: 'x'.repeat(40) }, /^DATABASE_URL is not valid/],
    [{ DATABASE_URL: 'postgres://localhost/x' }, /^JWT_SECRET is required when DATABASE_URL is set/],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET is not valid/],
    [{ DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'x'.repeat(40), IDENTITY_KEY: 'A'.repeat(43) + '=' }, /^AUDIT_LOG_KEY is required when DATABASE_URL is set/],
    [{ AUDIT_LOG_ORIGIN: 'has space/log', JWT_SECRET: 'x'.repeat(40) }, /^AUDIT_LOG_ORIGIN is not valid/],
    [{ LOG_LEVEL: 'loud', JWT_SECRET: 'x'.repeat(40) }, /^LOG_LEVEL is not valid/],
    [{ ACCESS_TOKEN_TTL_SECONDS: '1', JWT_SECRET: 'x'.repeat(40) }, /^ACCESS_TOKEN_TTL_SECONDS is not valid/],
    [{ PUBLIC_BASE_URL: 'exchange.example.cn', JWT_SECRET: 'x'.repeat(40) }, /^PUBLIC_BASE_URL is not valid/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env, quiet), { name: 'ConfigError', message }, JSON.stringify(env));
  }
  t.type(new ConfigError('x'), Error);
  t.throws(() => loadConfig({ JWT_SECRET: 'hunter2-short' }, quiet), { message: /^JWT_SECRET is not valid .*\(value not shown\)$/ });
  const leaked = (() => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:pa55word@db/x' }, quiet);
      return 'no error';
    } catch (err) {
      return (err as Error).message;
    }
  })();
  t.match(leaked, /^DATABASE_URL is not valid/);
  t.notMatch(leaked, /pa55word/, 'a password in the URL is not repeated');
});

/** The message of the ConfigError `env` gives. */
function configProblem(env: Record<string, string>): string {
  try {
    loadConfig(env, quiet);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

t.test('every wrong or missing setting is named at once, in one line, before anything is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const message = configProblem({ DATA_DIR: dir, DATABASE_URL: 'postgres://127.0.0.1:5432/x', PORT: 'eighty', STRIPE_SECRET_KEY: 'sk_test_1', DATABASE_CONNECT_TIMEOUT_SECONDS: '0' });
  for (const name of ['PORT', 'DATABASE_CONNECT_TIMEOUT_SECONDS', 'JWT_SECRET', 'IDENTITY_KEY', 'AUDIT_LOG_KEY', 'AGREEMENT_SEAL_P12', 'STRIPE_WEBHOOK_SECRET']) {
    t.match(message, new RegExp(`\\b${name}\\b`), `${name} is named`);
  }
  t.notMatch(message, /\n/, 'in one line');
  t.match(configProblem({ DATA_DIR: dir, PORT: 'eighty' }), /^PORT is not valid/, 'a wrong value on the embedded default');
  t.same(readdirSync(dir), [], 'no secret was generated for a start that fails');
  t.match(configProblem({ AGREEMENT_SEAL_P12: join(dir, 'no-such.p12'), AGREEMENT_SEAL_PASSPHRASE: 'x', DATA_DIR: dir }), /^AGREEMENT_SEAL_P12 .*no-such\.p12 does not exist$/);
  t.equal(loadConfig({ DATA_DIR: dir }, quiet).databaseConnectTimeoutSeconds, 10, 'the connect timeout defaults to 10 s');
  t.equal(loadConfig({ DATA_DIR: dir, DATABASE_CONNECT_TIMEOUT_SECONDS: '3' }, quiet).databaseConnectTimeoutSeconds, 3);
});

t.test('a DATA_DIR the service cannot write is refused in one line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  t.equal(configProblem({ DATA_DIR: file }), `DATA_DIR ${file} cannot be used: ${file} is a file, not a directory; choose a directory the service may write in`);
  t.match(configProblem({ DATA_DIR: join(file, 'deeper', 'data') }), /^DATA_DIR .*a-file\/deeper\/data cannot be used: .*a-file is a file, not a directory/, 'also below a file (ENOTDIR)');
  t.equal(loadConfig({ DATA_DIR: join(dir, 'not', 'yet', 'there') }, quiet).dataDir, join(dir, 'not', 'yet', 'there'), 'a directory still to be made is fine');
});

t.test('start-up failures an operator meets are explained in one line with the exit code of their kind', async (t) => {
  const server: StartupContext = { databaseUrl: 'postgres://exchange:secret@db.example.cn:6432/exchange', databaseConnectTimeoutSeconds: 10, dataDir: '/srv/data', host: '127.0.0.1', port: 3000 };
  // As drizzle wraps what the driver throws.
  const wrapped = (inner: object) => Object.assign(new Error('Failed query: CREATE SCHEMA IF NOT EXISTS "drizzle"\nparams: '), { cause: Object.assign(new Error('driver'), inner) });
  const cases: [unknown, number, RegExp][] = [
    [wrapped({ code: '3D000', message: 'database "exchange" does not exist' }), EX_CONFIG, /^database "exchange" does not exist on db\.example\.cn:6432: create it \(createdb -h db\.example\.cn exchange\) or correct DATABASE_URL$/],
    [wrapped({ code: '28000', message: 'role "exchange" does not exist' }), EX_CONFIG, /refused role exchange: role "exchange" does not exist; create the role/],
    [wrapped({ code: '28P01' }), EX_CONFIG, /refused the password of role exchange/],
    [wrapped({ code: '57P03', message: 'the database system is starting up' }), EX_UNAVAILABLE, /does not accept connections now/],
    [wrapped({ code: 'ECONNREFUSED' }), EX_UNAVAILABLE, /^nothing answers at db\.example\.cn:6432/],
    [Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}), EX_UNAVAILABLE, /^nothing answers/],
    [wrapped({ code: 'ENOTFOUND' }), EX_CONFIG, /^the database host "db\.example\.cn" is not known/],
    [wrapped({ code: 'CONNECT_TIMEOUT' }), EX_UNAVAILABLE, /did not answer within 10 s \(DATABASE_CONNECT_TIMEOUT_SECONDS\)/],
    [wrapped({ code: 'EHOSTUNREACH' }), EX_UNAVAILABLE, /cannot be reached \(EHOSTUNREACH\)/],
    [Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen' }), EX_UNAVAILABLE, /^port 3000 on 127\.0\.0\.1 is in use by another process/],
    [Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'bind' }), EX_UNAVAILABLE, /is in use/],
    [Object.assign(new Error('listen'), { code: 'EADDRNOTAVAIL', syscall: 'listen' }), EX_CONFIG, /not an address of this machine: correct HOST/],
    [Object.assign(new Error('listen'), { code: 'EACCES', syscall: 'listen' }), EX_CONFIG, /choose a PORT above 1023/],
    [Object.assign(new Error("EROFS: read-only file system, mkdir '/srv/data/pgdata'"), { code: 'EROFS', path: '/srv/data/pgdata' }), EX_CONFIG, /^DATA_DIR \/srv\/data cannot be used: \/srv\/data\/pgdata: the file system is read-only \(EROFS\)$/],
    [new Error('/srv/data is in use by process 4242; stop it or choose another DATA_DIR'), EX_UNAVAILABLE, /in use by process 4242/],
  ];
  for (const [err, exitCode, message] of cases) {
    const failure = explainStartupError(err, server);
    t.equal(failure?.exitCode, exitCode, String((err as Error).message));
    t.match(failure?.message, message);
    t.notMatch(failure?.message ?? '', /secret|\n/, 'no password, one line');
  }
  t.equal(explainStartupError(new TypeError('a bug'), server), undefined, 'a bug keeps its stack');
  t.equal(explainStartupError(wrapped({ code: 'ECONNREFUSED' }), { ...server, databaseUrl: undefined }), undefined, 'no server database, no database explanation');
});

t.test('docs/configuration.md documents every setting the service reads', async (t) => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  for (const name of settingNames) t.ok(doc.includes(`| \`${name}\` |`), `${name} has its row`);
});
