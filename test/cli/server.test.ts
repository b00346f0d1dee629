import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { testSealEnv } from '../helpers/agreements.js';
import { randomBytes } from 'node:crypto';
import { embeddedOnly, freshDatabase, migratedDataDir, serverUrl } from '../helpers/database.js';
import { startServer } from '../helpers/spawn.js';

t.test('npm start serves on the embedded database, logs request ids, stops cleanly on SIGTERM', { skip: embeddedOnly }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-server-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = startServer({ DATA_DIR: dataDir });
  t.teardown(() => server.child.kill('SIGKILL'));
  const url = await server.listening;

  const ready = await fetch(`${url}/ready`, { headers: { 'x-request-id': 'start-check-1' } });
  t.equal(ready.status, 200);
  t.same(await ready.json(), { status: 'ready', database: 'pglite' });
  t.ok(existsSync(join(dataDir, 'pgdata.lock')), 'the data directory is locked while the server runs');

  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'exit code 0 after a graceful shutdown');
  t.notOk(existsSync(join(dataDir, 'pgdata.lock')), 'the lock is released');

  const lines = server.output().split('\n').filter((l) => l.includes('start-check-1'));
  t.ok(lines.length >= 2, 'request and response are logged');
  for (const line of lines) t.equal(JSON.parse(line).reqId, 'start-check-1', 'each line carries the request id');
});

t.test('a bad setting stops the start with a message naming it', { skip: embeddedOnly }, async (t) => {
  const server = startServer({ DATA_DIR: '/nonexistent-but-unused', PORT: 'eighty' });
  t.equal(await server.exited, 78);
  t.match(server.output(), /configuration: PORT is not valid/);
  await t.rejects(server.listening);
});

t.test('every missing secret of a server database is named at once, in one line', { skip: embeddedOnly }, async (t) => {
  const server = startServer({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  t.equal(await server.exited, 78);
  const lines = server.output().split('\n').filter(Boolean);
  t.equal(lines.length, 1, `one line: ${server.output()}`);
  t.match(lines[0], /^configuration: JWT_SECRET is required when DATABASE_URL is set; IDENTITY_KEY is required .*; AUDIT_LOG_KEY is required .*; AGREEMENT_SEAL_P12 and AGREEMENT_SEAL_PASSPHRASE are required .*docs\/operations\.md/);
  await t.rejects(server.listening);
});

t.test('first run: the server prints a one-time setup token that creates the first operator, then dies', { skip: embeddedOnly }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-setup-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // Migrated already, as after an upgrade: the very first start (initdb) is the test above.
  await migratedDataDir(dataDir);
  const server = startServer({ DATA_DIR: dataDir });
  t.teardown(() => server.child.kill('SIGKILL'));
  const url = await server.listening;
  for (let i = 0; i < 40 && !/API docs at/.test(server.output()); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(server.output(), `API docs at ${url}/docs`, 'the docs line names the port taken (PORT=0), not 0');
  const token = /one-time setup token ([A-Za-z0-9_-]+)/.exec(server.output())?.[1];
  t.ok(token, 'the token is printed');
  t.equal(readFileSync(join(dataDir, 'secrets', 'setup-token'), 'utf8').trim(), token, 'and kept under DATA_DIR/secrets');
  const setup = (body: object) => fetch(`${url}/setup/operator`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const operator = { email: 'ops@exchange.example', password: 'operator passphrase 1', displayName: 'Exchange operator' };

  const wrong = await setup({ ...operator, token: 'x'.repeat(32) });
  t.equal(wrong.status, 401, 'a wrong token is refused');
  const made = await setup({ ...operator, token });
  t.equal(made.status, 201);
  t.same((await made.json()).roles, ['operator']);
  t.equal((await setup({ ...operator, email: 'second@exchange.example', token })).status, 409, 'the token is dead after one use');
  t.notOk(existsSync(join(dataDir, 'secrets', 'setup-token')), 'and its file is gone');

  const login = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: operator.email, password: operator.password }) });
  t.equal(login.status, 200, 'the operator logs in');
  server.child.kill('SIGTERM');
  await server.exited;

  const again = startServer({ DATA_DIR: dataDir });
  t.teardown(() => again.child.kill('SIGKILL'));
  await again.listening;
  t.notMatch(again.output(), /setup token/, 'with an operator, no token is made');
  again.child.kill('SIGTERM');
  await again.exited;
});

t.test('WEB_CONCURRENCY: several workers on a server database, refused on the embedded one', async (t) => {
  const refused = startServer({ DATA_DIR: mkdtempSync(join(tmpdir(), 'dx-workers-')), WEB_CONCURRENCY: '2' });
  t.equal(await refused.exited, 78);
  t.match(refused.output(), /WEB_CONCURRENCY above 1 needs DATABASE_URL/);
  await t.rejects(refused.listening);
  if (!serverUrl) return;

  const database = await freshDatabase();
  await database.handle.close();
  t.teardown(() => database.dispose());
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-workers-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = startServer({ DATABASE_URL: database.url!, DATA_DIR: dataDir, WEB_CONCURRENCY: '2', JWT_SECRET: 'x'.repeat(32), IDENTITY_KEY: randomBytes(32).toString('base64'), AUDIT_LOG_KEY: randomBytes(32).toString('base64'), ...testSealEnv });
  t.teardown(() => server.child.kill('SIGKILL'));
  const url = await server.listening;
  for (let i = 0; i < 40 && !(/worker 1 of 2/.test(server.output()) && /worker 2 of 2/.test(server.output())); i++) await new Promise((r) => setTimeout(r, 250));
  t.match(server.output(), /worker 1 of 2/);
  t.match(server.output(), /worker 2 of 2/);
  t.equal((await fetch(`${url}/ready`)).status, 200);
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'the primary stops its workers and exits');
});
