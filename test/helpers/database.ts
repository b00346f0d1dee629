import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openAsBlob, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { migrationsFolder, openDatabase, pgliteExtensions, type DatabaseHandle } from '../../src/lib/database.js';

/**
 * Each test file gets its own fresh, migrated database, fast:
 * - PGlite: the migrations are applied once and the data directory dumped to a cache file keyed by
 *   the migrations' content; every test file loads that dump (under 1 s instead of initdb + migrate).
 * - PostgreSQL (TEST_DATABASE_URL): a template database is migrated once per migrations hash, and
 *   every test file gets `CREATE DATABASE ... TEMPLATE`, dropped again when the file ends.
 */
export const serverUrl = process.env.TEST_DATABASE_URL || undefined;

/**
 * The skip reason of a test that starts the service or a command on the embedded database whatever
 * TEST_DATABASE_URL names (`npm start` as a newcomer runs it, the command-line tools): it proves
 * nothing more in the server half of a run, so it runs in the embedded half only.
 */
export const embeddedOnly = serverUrl ? 'runs on the embedded database whatever TEST_DATABASE_URL says: tested without it' : false;

export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The template belongs to one run of the suite: test files and tap's `after` script are children of
 * the same runner, so its pid names the run, and two runs side by side never drop each other's.
 */
export const templateDatabaseName = () => `dx_template_${migrationsHash()}_${process.ppid}`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Databases left by killed runs: templates whose run ended before its `after` script, and test
 * databases whose test process died before dropping them (each name carries the owner's pid).
 */
async function dropAbandonedTemplates(admin: postgres.Sql) {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'dx\_template\_%' or datname like 'dx\_test\_%'`;
  for (const { datname } of rows) {
    const pid = Number((/^dx_test_(\d+)_/.exec(datname) ?? /_(\d+)$/.exec(datname))?.[1]);
    if (pid && !alive(pid)) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  }
}

async function pgliteSnapshot(): Promise<Blob> {
  const dir = join(tmpdir(), 'data-exchange-test-cache');
  const file = join(dir, `pglite-${migrationsHash()}-no-template0.tar`);
  if (!existsSync(file)) {
    const pglite = new PGlite({ extensions: pgliteExtensions });
    const fresh = await openDatabase({ pglite });
    await fresh.migrate();
    // template0 is there for CREATE DATABASE, which nothing runs on the embedded database: without
    // it the snapshot is 7 of 44 MB smaller, and each test file loads it about 15 % sooner.
    await pglite.exec(`update pg_database set datistemplate = false where datname = 'template0'`);
    await pglite.exec('drop database template0');
    const blob = await pglite.dumpDataDir('none');
    await fresh.close();
    mkdirSync(dir, { recursive: true });
    // Written under a unique name and renamed, so parallel test files never read half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
    renameSync(partial, file);
  }
  // Backed by the file, not copied into memory first: PGlite reads it once (0.4 s less per load).
  return openAsBlob(file);
}

/**
 * Makes `dataDir` hold an embedded database that is already migrated, as the service leaves it
 * after its first start: a child process (the server, a CLI) then opens it in a fraction of a
 * second instead of running initdb and every migration. Tests of the very first start use an empty
 * directory instead.
 */
export async function migratedDataDir(dataDir: string): Promise<void> {
  const pglite = new PGlite(join(dataDir, 'pgdata'), { loadDataDir: await pgliteSnapshot(), extensions: pgliteExtensions });
  await pglite.waitReady;
  await pglite.close();
}

function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function ensureTemplate(admin: postgres.Sql): Promise<string> {
  const name = templateDatabaseName();
  // One test file builds the template; the others wait on the lock and then find it. It is built
  // under a scratch name and renamed when complete, so a crash never leaves half a template.
  await admin`select pg_advisory_lock(hashtext(${name}))`;
  try {
    const [found] = await admin`select 1 from pg_database where datname = ${name}`;
    if (found) return name;
    await dropAbandonedTemplates(admin);
    const scratch = `${name}_${process.pid}`;
    await admin.unsafe(`drop database if exists "${scratch}"`);
    await admin.unsafe(`create database "${scratch}"`);
    const template = await openDatabase({ url: urlWithDatabase(serverUrl!, scratch), poolSize: 1 });
    try {
      await template.migrate();
    } finally {
      await template.close();
    }
    await admin.unsafe(`alter database "${scratch}" rename to "${name}"`);
    return name;
  } finally {
    await admin`select pg_advisory_unlock(hashtext(${name}))`;
  }
}

export interface TestDatabase {
  handle: DatabaseHandle;
  /** The server database's URL (undefined on the embedded one). */
  url?: string;
  /** The embedded database (undefined on the server). */
  pglite?: PGlite;
  /** A second handle on the same database, as another process of the service would have. */
  openAnother(options?: { logQuery?: ((query: string) => void) | undefined }): Promise<DatabaseHandle>;
  /** Drops the database (server) after the handle was closed. */
  dispose(): Promise<void>;
}

export async function freshDatabase(options: { logQuery?: (query: string) => void } = {}): Promise<TestDatabase> {
  if (!serverUrl) {
    const pglite = new PGlite({ loadDataDir: await pgliteSnapshot(), extensions: pgliteExtensions });
    const handle = await openDatabase({ pglite, ...options });
    // The embedded database is one process's; a second app in this process shares it, and only
    // the first handle closes it.
    const openAnother = async (another: { logQuery?: ((query: string) => void) | undefined } = {}) => ({ ...(await openDatabase({ pglite, ...another })), close: async () => {} });
    return { handle, pglite, openAnother, dispose: async () => {} };
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const template = await ensureTemplate(admin);
    const name = `dx_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin.unsafe(`create database "${name}" template "${template}"`);
    const url = urlWithDatabase(serverUrl, name);
    return {
      url,
      handle: await openDatabase({ url, poolSize: 5, ...options }),
      openAnother: (another = {}) => openDatabase({ url, poolSize: 5, ...another }),
      dispose: async () => {
        const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
        await cleanup.end();
      },
    };
  } finally {
    await admin.end();
  }
}
