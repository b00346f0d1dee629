import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';

const quiet = () => {};

t.test('defaults give a working embedded set-up and make a secret file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const config = loadConfig({ DATA_DIR: dir }, (m) => warnings.push(m));
  t.equal(config.port, 3000);
  t.equal(config.databaseUrl, undefined);
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
