import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { getTableColumns, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import t from 'tap';
import { migrationsFolder, openDatabase, pgliteExtensions, rowsOf } from '../../../src/lib/database.js';
import { appendNodes, leafHash, rootFrom, rootKeys, keyOf } from '../../../src/lib/tlog/merkle.js';
import { leafBytes } from '../../../src/modules/audit/leaf.js';
import { integrateAll } from '../../../src/modules/audit/sequencer.js';
import { createLogSigner } from '../../../src/modules/audit/signer.js';
import { auditEvents } from '../../../src/modules/audit/tables.js';
import { verifyAuditLog } from '../../../src/modules/audit/verify.js';

/** The migrations folder as it was before migration `tag`: its files, and a journal that ends before it. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dx-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
  const end = journal.entries.findIndex((e) => e.tag === tag);
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, end) }));
  for (const file of readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql'))) copyFileSync(join(migrationsFolder, file), join(dir, file));
  return dir;
}

t.test('a log integrated before migration 0010 moves to audit_log_leaves in leaf order and still verifies', async (t) => {
  const older = migrationsBefore('0010_audit_log_leaves');
  t.teardown(() => rmSync(older, { recursive: true, force: true }));
  const pglite = new PGlite({ extensions: pgliteExtensions });
  t.teardown(() => pglite.close());
  const db = drizzle({ client: pglite });
  await migrate(db, { migrationsFolder: older });

  // Two events of the old hash chain, then six of the log; the first five integrated the way the
  // sequencer did until now (leaf_index written into the event), not in seq order, as commits can
  // come; the last three still waiting.
  await db.execute(sql`insert into audit_events (occurred_at, action, subject_type, subject_id, payload, prev_hash, hash)
    select now(), 'test.chained', 'test', g::text, jsonb_build_object('n', g), repeat('0', 64), md5(g::text) from generate_series(1, 2) g`);
  await db.execute(sql`insert into audit_events (occurred_at, action, subject_type, subject_id, payload)
    select now(), 'test.appended', 'test', g::text, jsonb_build_object('n', g, 's', 'é"\\') from generate_series(3, 8) g`);
  // The columns the table had then; these events' leaves keep shape 1 once leaf_version arrives.
  const { leafVersion: _added, ...columnsThen } = getTableColumns(auditEvents);
  const events = (await db.select(columnsThen).from(auditEvents).orderBy(auditEvents.seq)).map((e) => ({ ...e, leafVersion: 1 }));
  const leafOrder = [events[1]!, events[0]!, events[3]!, events[2]!, events[4]!];
  const signer = createLogSigner('migration.test/audit-log', randomBytes(32).toString('base64'));
  for (const [i, event] of leafOrder.entries()) await db.execute(sql`update audit_events set leaf_index = ${i} where seq = ${event.seq}`);
  const nodes = appendNodes(0, leafOrder.map((e) => leafHash(leafBytes(e))), new Map());
  for (const n of nodes) await db.execute(sql`insert into audit_log_nodes (level, index, hash) values (${n.level}, ${n.index}, ${n.hash})`);
  const root = rootFrom(5, new Map(nodes.filter((n) => rootKeys(5).some((k) => keyOf(k) === keyOf(n))).map((n) => [keyOf(n), n.hash])));
  await db.execute(sql`insert into audit_checkpoints (tree_size, root_hash, note) values (5, ${root}, ${signer.checkpoint(5, root)})`);

  const handle = await openDatabase({ pglite });
  await handle.migrate();
  const moved = rowsOf<{ leaf: number; seq: number }>(await handle.db.execute(sql`select leaf_index::int as leaf, event_seq::int as seq from audit_log_leaves order by leaf_index`));
  t.same(moved, leafOrder.map((e, i) => ({ leaf: i, seq: e.seq })), 'each event keeps its leaf');
  t.match(await verifyAuditLog(handle.db, signer), { ok: true, leaves: 5, pending: 3 }, 'the log verifies right after the migration');
  t.equal(await integrateAll(handle.db, signer), 3, 'the waiting events are integrated next');
  t.match(await verifyAuditLog(handle.db, signer), { ok: true, leaves: 8, checkpoints: 2, pending: 0 });
  const columns = rowsOf(await handle.db.execute(sql`select 1 from information_schema.columns where table_name = 'audit_events' and column_name = 'leaf_index'`));
  t.equal(columns.length, 0, 'the events no longer carry a leaf index');
});
