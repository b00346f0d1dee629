import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { requestTransaction } from './request-transaction.js';

/** The query builder every module uses; a transaction is one too. */
export type Database = PgDatabase<PgQueryResultHKT>;
export type Transaction = PgTransaction<PgQueryResultHKT>;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  /** True when the database answers and every migration file has been applied. */
  isReady(): Promise<boolean>;
  /**
   * Calls `onNotify` with the payload of every NOTIFY on `channel` (from any process, this one
   * included), and `onState(true)` once notices arrive, `onState(false)` when some may have been
   * lost (the listening connection dropped; it reconnects by itself). Stopped by `close`.
   */
  listen(channel: string, onNotify: (payload: string) => void, onState: (live: boolean) => void): Promise<void>;
  close(): Promise<void>;
}

/** How often the embedded database is vacuumed and analysed. */
const EMBEDDED_MAINTENANCE_MS = 15 * 60 * 1000;

export const migrationsFolder = fileURLToPath(new URL('../../db/migrations', import.meta.url));

/** PGlite extensions the migrations rely on; also used when tests load a prepared data directory. */
export const pgliteExtensions = { pg_trgm };

export interface OpenOptions {
  /** PostgreSQL server URL. Without it the embedded database is used. */
  url?: string | undefined;
  /** Directory for the embedded database; omitted means in memory. */
  dataDir?: string | undefined;
  /** An already-open PGlite instance (tests load a migrated snapshot this way). */
  pglite?: PGlite;
  /** Connections in the server pool. */
  poolSize?: number;
  /** Seconds a connection to the server may take before it fails (DATABASE_CONNECT_TIMEOUT_SECONDS). */
  connectTimeoutSeconds?: number;
  /** Called with every statement the service sends (tests count them). */
  logQuery?: (query: string) => void;
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  return options.url ? openServer(options.url, options.poolSize ?? 10, options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS, options.logQuery) : openEmbedded(options);
}

/**
 * A server that does not answer (a dropped packet, a firewall) fails the start in seconds, not after
 * the operating system's own TCP timeout of minutes.
 */
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

const queryLogger = (logQuery: ((query: string) => void) | undefined) => (logQuery ? { logger: { logQuery } } : {});

async function openServer(url: string, max: number, connectTimeout: number, logQuery?: (query: string) => void): Promise<DatabaseHandle> {
  const client = postgres(url, { max, connect_timeout: connectTimeout, onnotice: () => {} });
  const db = drizzlePostgres({ client, ...queryLogger(logQuery) }) as unknown as Database;
  const listeners: postgres.Sql[] = [];
  return {
    db,
    kind: 'postgres',
    migrate: () => migratePostgres(drizzlePostgres({ client }), { migrationsFolder }),
    isReady: () => isReady(db),
    listen: async (channel, onNotify, onState) => {
      listeners.push(await listenOnServer(url, connectTimeout, channel, onNotify, onState));
    },
    close: once(async () => {
      await Promise.all(listeners.map((l) => l.end({ timeout: 1 })));
      await client.end({ timeout: 5 });
    }),
  };
}

/**
 * One connection per process that only listens. When it drops, the caller is told at once (its
 * caches must stop answering) and the LISTEN is sent again, with a growing pause, until it holds.
 */
async function listenOnServer(url: string, connectTimeout: number, channel: string, onNotify: (payload: string) => void, onState: (live: boolean) => void): Promise<postgres.Sql> {
  let closed = false;
  let pause = 100;
  const options = {
    max: 1,
    connect_timeout: connectTimeout,
    idle_timeout: 0,
    max_lifetime: null,
    onnotice: () => {},
    onnotify: (_channel: string, payload: string) => onNotify(payload),
    onclose: () => {
      if (closed) return;
      onState(false);
      setTimeout(() => void subscribe(), pause).unref();
      pause = Math.min(pause * 2, 5000);
    },
  };
  const listener = postgres(url, options as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
  const end = listener.end.bind(listener);
  listener.end = (opts) => ((closed = true), end(opts));
  const subscribe = async () => {
    if (closed) return;
    try {
      await listener.unsafe(`listen "${channel.replace(/"/g, '""')}"`);
      pause = 100;
      onState(true);
    } catch {
      if (!closed) setTimeout(() => void subscribe(), pause).unref();
    }
  };
  await listener.unsafe(`listen "${channel.replace(/"/g, '""')}"`);
  onState(true);
  return listener;
}

async function openEmbedded(options: OpenOptions): Promise<DatabaseHandle> {
  let releaseLock = () => {};
  let client = options.pglite;
  if (!client) {
    if (options.dataDir) {
      const dir = join(options.dataDir, 'pgdata');
      mkdirSync(dir, { recursive: true });
      releaseLock = lockDirectory(options.dataDir);
      client = new PGlite(dir, { extensions: pgliteExtensions });
    } else {
      client = new PGlite({ extensions: pgliteExtensions });
    }
  }
  const pg = client;
  try {
    await pg.waitReady;
  } catch (err) {
    releaseLock();
    throw err;
  }
  const db = drizzlePglite({ client: pg, ...queryLogger(options.logQuery) }) as unknown as Database;
  // PGlite runs no autovacuum: without this, planner statistics never exist and dead rows are never
  // reclaimed. A server gets both from PostgreSQL's own autovacuum.
  const maintain = () => pg.exec('vacuum analyze').then(() => undefined);
  const timer = setInterval(() => void maintain().catch(() => {}), EMBEDDED_MAINTENANCE_MS);
  timer.unref();
  const unlisteners: (() => Promise<void>)[] = [];
  return {
    db,
    kind: 'pglite',
    migrate: async () => {
      await migratePglite(drizzlePglite({ client: pg }), { migrationsFolder });
      await maintain();
    },
    isReady: () => isReady(db),
    // PGlite delivers a NOTIFY to its listeners before the COMMIT that sends it resolves, so the
    // next request already sees the change; nothing can be lost in between.
    listen: async (channel, onNotify, onState) => {
      unlisteners.push(await pg.listen(channel, onNotify));
      onState(true);
    },
    close: once(async () => {
      clearInterval(timer);
      // Another handle on the same instance (tests, a second app in one process) goes on listening.
      for (const unlisten of unlisteners.splice(0)) await unlisten().catch(() => {});
      await pg.close();
      releaseLock();
    }),
  };
}

/** Closing twice (a failed start, then shutdown) is harmless. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

async function isReady(db: Database): Promise<boolean> {
  try {
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    const result = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return rowsOf<{ n: number }>(result)[0]?.n === journal.entries.length;
  } catch {
    return false;
  }
}

/**
 * PGlite has no lock of its own: two processes on one directory silently lose writes.
 * A lock file made with O_EXCL holds the directory; a lock left by a dead process is taken over.
 */
function lockDirectory(dataDir: string): () => void {
  const file = join(dataDir, 'pgdata.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8'));
      if (holder && holder !== process.pid && processIsAlive(holder)) {
        throw new Error(`${dataDir} is in use by process ${holder}; stop it or choose another DATA_DIR`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A statement prepared once per database and reused: the query is built (by Drizzle) only the
 * first time, and on a server it is a named prepared statement on each connection.
 *
 *   const userById = preparedQuery((db) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare('user_by_id'));
 *   const [user] = await userById(db).execute({ id });
 *
 * Only for `db` itself: inside a transaction, build the query as usual. Inside a request that runs
 * in one transaction (lib/request-transaction.ts) it is built on that transaction, every time.
 */
export function preparedQuery<T>(build: (db: Database) => T): (db: Database) => T {
  const byDatabase = new WeakMap<Database, T>();
  return (db) => {
    const tx = requestTransaction();
    if (tx) return build(tx);
    let statement = byDatabase.get(db);
    if (!statement) byDatabase.set(db, (statement = build(db)));
    return statement;
  };
}

/** Rows of `db.execute`, whichever driver answered (postgres-js gives an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
