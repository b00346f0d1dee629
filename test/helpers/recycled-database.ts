import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import tap from 'tap';
import { openDatabase } from '../../src/lib/database.js';
import { freshDatabase, serverUrl, type TestDatabase } from './database.js';

/**
 * A migrated database for one test, without making a new one each time: a test file's tests take
 * turns on the databases the file has made, and each is put back as the migrations left it before
 * the next test gets it: every table emptied and refilled with the rows the migrations wrote, every
 * sequence set back. That costs a few milliseconds where loading a new embedded database costs most
 * of a second, and creating a server database from the template several hundred.
 *
 * What a reset does not undo is a change to the schema (a constraint added, a trigger disabled): a
 * test that makes one asks buildTestApp for a fresh database, and a reset that finds the schema
 * changed fails the next test, naming the change, rather than let it run on a different schema.
 */

type Run = (query: string) => Promise<Record<string, unknown>[]>;

interface Recyclable {
  database: TestDatabase;
  /** Puts the database back as migrated. */
  reset(): Promise<void>;
}

/** The schema's shape, a line per table, column, constraint and trigger (with its enabled state). */
const SCHEMA_SHAPE = `select x from (
  select 'r ' || relname || ' ' || relkind::text from pg_class where relnamespace = 'public'::regnamespace
  union all select 'a ' || attrelid::regclass || ' ' || attname || ' ' || atttypid || ' ' || attnotnull from pg_attribute a
    join pg_class c on c.oid = a.attrelid where c.relnamespace = 'public'::regnamespace and attnum > 0 and not attisdropped
  union all select 'c ' || conrelid::regclass || ' ' || conname || ' ' || md5(pg_get_constraintdef(oid)) from pg_constraint where connamespace = 'public'::regnamespace
  union all select 't ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text from pg_trigger t
    join pg_class c on c.oid = t.tgrelid where c.relnamespace = 'public'::regnamespace and not tgisinternal
) s(x) order by x`;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function schemaShape(run: Run): Promise<string[]> {
  return (await run(SCHEMA_SHAPE)).map((r) => String(r.x));
}

/**
 * The statements that put this database back as it is now (just migrated): read once, when the
 * database is new. Triggers are off while it runs (append-only tables refuse TRUNCATE, and the
 * rows put back already include what their triggers once derived).
 */
async function resetScript(run: Run): Promise<{ script: string; shape: string[] }> {
  const tables = (await run(`select tablename as name from pg_tables where schemaname = 'public' order by 1`)).map((r) => String(r.name));
  const statements = ['set session_replication_role = replica', `truncate ${tables.map(quote).join(', ')} restart identity cascade`];
  for (const table of tables) {
    const columns = (
      await run(`select attname as name from pg_attribute where attrelid = ${literal(quote(table))}::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`)
    ).map((r) => quote(String(r.name)));
    const [{ rows }] = (await run(`select json_agg(t)::text as rows from ${quote(table)} t`)) as [{ rows: string | null }];
    if (rows === null) continue;
    statements.push(
      `insert into ${quote(table)} (${columns.join(', ')}) overriding system value select ${columns.join(', ')} from json_populate_recordset(null::${quote(table)}, ${literal(rows)})`,
    );
  }
  for (const s of await run(`select schemaname, sequencename, start_value::text as start, last_value::text as last from pg_sequences where schemaname = 'public'`)) {
    const name = literal(`${quote(String(s.schemaname))}.${quote(String(s.sequencename))}`);
    statements.push(s.last === null ? `select setval(${name}, ${s.start}, false)` : `select setval(${name}, ${s.last}, true)`);
  }
  statements.push('set session_replication_role = origin');
  return { script: statements.map((s) => `${s};`).join('\n'), shape: await schemaShape(run) };
}

function recyclable(database: TestDatabase, run: Run, before: () => Promise<void> = async () => {}): Promise<Recyclable> {
  return resetScript(run).then(({ script, shape }) => ({
    database,
    async reset() {
      await before();
      // The service makes some sequences as it needs them (an order number series per year).
      const made = (await schemaShape(run)).filter((x) => x.endsWith(' S') && !shape.includes(x)).map((x) => x.split(' ')[1]!);
      if (made.length) await run(`drop sequence ${made.map(quote).join(', ')}`);
      const now = await schemaShape(run);
      const changed = [...now.filter((x) => !shape.includes(x)), ...shape.filter((x) => !now.includes(x)).map((x) => `gone: ${x}`)];
      if (changed.length) {
        throw new Error(
          `an earlier test of this file changed the schema (${changed.slice(0, 5).join('; ')}), which a reset cannot undo: give that test a fresh database (buildTestApp(t, config, { freshDatabase: true }))`,
        );
      }
      await run(script);
    },
  }));
}

/** A PGlite whose close() does nothing: the test's app closes its handle; the file keeps the database. */
function keptOpen(pglite: PGlite): PGlite {
  return new Proxy(pglite, {
    get(target, property) {
      if (property === 'close') return async () => {};
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function makeRecyclable(): Promise<Recyclable> {
  const made = await freshDatabase();
  if (!serverUrl) {
    const pglite = made.pglite!;
    const run: Run = async (query) => {
      const results = await pglite.exec(query);
      return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
    };
    files.push(() => made.handle.close());
    // Session state a test may leave: prepared statements, advisory locks, settings.
    return recyclable(made, run, async () => void (await pglite.exec('discard all')));
  }
  await made.handle.close();
  const admin = postgres(made.url!, { max: 1, onnotice: () => {} });
  const run: Run = (query) => admin.unsafe(query) as unknown as Promise<Record<string, unknown>[]>;
  const recycled = await recyclable(made, run);
  files.push(async () => {
    await admin.end();
    await made.dispose();
  });
  return recycled;
}

const idle: Recyclable[] = [];
const files: (() => Promise<void>)[] = [];
let registered = false;

/**
 * A database for one test, from this file's idle ones (reset) or a new one; back to the idle ones
 * when the test disposes of it. The file's databases are dropped when its last test has ended.
 */
export async function recycledDatabase(options: { logQuery?: (query: string) => void } = {}): Promise<TestDatabase> {
  if (!registered) {
    registered = true;
    tap.teardown(async () => {
      for (const drop of files.splice(0)) await drop();
    });
  }
  const taken = idle.pop();
  const recycled = taken ?? (await makeRecyclable());
  if (taken) await taken.reset();
  const made = recycled.database;
  const release = async () => void idle.push(recycled);
  if (!serverUrl) {
    const pglite = keptOpen(made.pglite!);
    const open = () => openDatabase({ pglite });
    return { handle: await openDatabase({ pglite, ...options }), openAnother: open, dispose: release };
  }
  const url = made.url!;
  return {
    url,
    handle: await openDatabase({ url, poolSize: 5, ...options }),
    openAnother: () => openDatabase({ url, poolSize: 5 }),
    dispose: release,
  };
}
