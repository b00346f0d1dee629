import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { testSealEnv } from '../helpers/agreements.js';
import { embeddedOnly, freshDatabase, migratedDataDir, serverUrl } from '../helpers/database.js';
import { startServer } from '../helpers/spawn.js';

// A start that cannot succeed (a data directory, a database server or a port the service cannot
// use) ends in one line that says what is wrong and what to do, with the exit code of its kind
// (src/lib/startup-errors.ts). Each starts src/server.ts as `npm start` does, in a child process.

const serverSecrets = () => ({ JWT_SECRET: 'x'.repeat(32), IDENTITY_KEY: randomBytes(32).toString('base64'), AUDIT_LOG_KEY: randomBytes(32).toString('base64'), ...testSealEnv });

/** A start that cannot succeed ends in one line (no stack) with the exit code of its kind. */
async function expectOneLineFailure(t: Test, server: ReturnType<typeof startServer>, exitCode: number, message: RegExp) {
  t.equal(await server.exited, exitCode, `exit code ${exitCode}`);
  const failures = server.output().split('\n').filter((l) => /could not start|configuration:/.test(l));
  t.equal(failures.length, 1, `said once: ${server.output().slice(-2000)}`);
  t.match(failures[0], message);
  t.notMatch(server.output(), /\n\s+at /, 'no stack trace');
  await t.rejects(server.listening);
}

/** A port another process holds: it accepts connections and never says a word. */
async function heldPort(t: Test): Promise<number> {
  const sockets = new Set<Socket>();
  const holder = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => holder.close(() => resolve()));
  });
  return (holder.address() as AddressInfo).port;
}

t.test('a DATA_DIR the service cannot write stops the start in one line', { skip: embeddedOnly }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-datadir-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a-file'), 'not a directory');
  const notADirectory = expectOneLineFailure(t, startServer({ DATA_DIR: join(dir, 'a-file', 'data') }), 78, /^configuration: DATA_DIR .*a-file\/data cannot be used: .*a-file is a file, not a directory/);
  // A read-only file system where the machine has one (/sys in most containers, /proc/sys).
  const readOnly = ['/sys/fs', '/proc/sys'].find((d) => existsSync(d) && !canWrite(d));
  await Promise.all([
    notADirectory,
    readOnly && expectOneLineFailure(t, startServer({ DATA_DIR: join(readOnly, 'dx-data') }), 78, /^configuration: DATA_DIR .* cannot be used: .*(read-only|permission denied|not permitted)/),
  ]);
});

function canWrite(dir: string): boolean {
  try {
    const probe = join(dir, `dx-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
}

t.test('a database server that cannot be used is one line that says what to do', async (t) => {
  // Nothing listens on port 1.
  const closed = startServer({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/exchange', ...serverSecrets() });
  // A server that takes the connection and never answers, as a firewall that drops packets looks:
  // the connect timeout cuts the wait short.
  const silent = await heldPort(t);
  const started = Date.now();
  const hanging = startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${silent}/exchange`, DATABASE_CONNECT_TIMEOUT_SECONDS: '1', ...serverSecrets() });
  const checks = [
    expectOneLineFailure(t, closed, 69, /^could not start: nothing answers at 127\.0\.0\.1:1: is PostgreSQL running there, on that port\?; check DATABASE_URL$/m),
    expectOneLineFailure(t, hanging, 69, new RegExp(`^could not start: the database server at 127\\.0\\.0\\.1:${silent} did not answer within 1 s \\(DATABASE_CONNECT_TIMEOUT_SECONDS\\)`, 'm')).then(() =>
      t.ok(Date.now() - started < 30_000, `given up in seconds, not minutes (${Date.now() - started} ms, most of it starting the process)`),
    ),
  ];
  if (serverUrl) {
    const server = new URL(serverUrl);
    const missing = new URL(serverUrl);
    missing.pathname = `/dx_missing_${process.pid}`;
    const stranger = new URL(serverUrl);
    stranger.username = `dx_nobody_${process.pid}`;
    checks.push(
      expectOneLineFailure(t, startServer({ DATABASE_URL: missing.toString(), ...serverSecrets() }), 78, new RegExp(`^could not start: database "dx_missing_${process.pid}" does not exist on ${server.hostname}:${server.port || 5432}: create it`, 'm')),
      expectOneLineFailure(t, startServer({ DATABASE_URL: stranger.toString(), ...serverSecrets() }), 78, new RegExp(`^could not start: the database server at .* refused role dx_nobody_${process.pid}: .*; create the role or correct the user in DATABASE_URL`, 'm')),
    );
  }
  // Started together: each is a process of its own, and they share nothing.
  await Promise.all(checks);
});

t.test('a port in use is one line; with workers, the primary stops instead of restarting them forever', async (t) => {
  const port = await heldPort(t);
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-port-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await migratedDataDir(dataDir);
  const alone = startServer({ DATA_DIR: dataDir, PORT: String(port), ...serverSecrets() });
  t.teardown(() => alone.child.kill('SIGKILL'));
  await expectOneLineFailure(t, alone, 69, new RegExp(`^could not start: port ${port} on 127\\.0\\.0\\.1 is in use by another process: stop it, or choose another PORT$`, 'm'));
  if (!serverUrl) return;

  const database = await freshDatabase();
  await database.handle.close();
  t.teardown(() => database.dispose());
  const workers = startServer({ DATABASE_URL: database.url!, DATA_DIR: dataDir, WEB_CONCURRENCY: '2', PORT: String(port), ...serverSecrets() });
  t.teardown(() => workers.child.kill('SIGKILL'));
  await expectOneLineFailure(t, workers, 69, new RegExp(`^could not start: port ${port} on 127\\.0\\.0\\.1 is in use`, 'm'));
});
