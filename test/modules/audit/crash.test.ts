import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { rowsOf, type Database } from '../../../src/lib/database.js';
import { integrateAll } from '../../../src/modules/audit/sequencer.js';
import { createLogSigner } from '../../../src/modules/audit/signer.js';
import { verifyAuditLog } from '../../../src/modules/audit/verify.js';
import { testConfig } from '../../helpers/app.js';
import { freshDatabase, serverUrl } from '../../helpers/database.js';
import { spawnTs } from '../../helpers/spawn.js';

// kill -9 of the process that runs the sequencer, in the middle of a batch. The embedded database
// belongs to one process, so the test needs the server (it runs there in CI).
t.test('a sequencer killed in the middle of a batch leaves nothing half-integrated; the next continues with no index skipped or used twice', { skip: !serverUrl && 'needs TEST_DATABASE_URL (a PostgreSQL server)' }, async (t) => {
  const database = await freshDatabase();
  t.teardown(() => database.dispose());
  const db: Database = database.handle.db;
  const seed = randomBytes(32).toString('base64');
  const origin = 'crash.test/audit-log';
  // A backlog large enough that one batch takes a while.
  await db.execute(sql`insert into audit_events (occurred_at, action, subject_type, subject_id, payload)
    select now(), 'test.appended', 'test', g::text, jsonb_build_object('n', g) from generate_series(1, 30000) g`);

  const child = spawnTs('test/fixtures/sequencer-child.ts', [], { DATABASE_URL: database.url, AUDIT_LOG_ORIGIN: origin, AUDIT_LOG_KEY: seed });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
  // Wait until its batch transaction is open and writing, then kill it without warning. How long
  // the child takes to start depends on the machine's load: the wait ends on what is seen (the
  // transaction, or the child gone), not after a number of tries.
  let caught = false;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!caught && !gone) {
    const busy = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
        and state in ('active', 'idle in transaction') and backend_xid is not null`),
    );
    caught = busy[0]!.n > 0;
    if (!caught) await new Promise((r) => setTimeout(r, 10));
  }
  t.ok(caught, 'the child was caught inside its batch transaction');
  child.kill('SIGKILL');
  t.equal(await exited, -1, 'killed');
  // Its server process learns of the dead client only when it next writes to it, after the running
  // statement; it then rolls back and lets go of the sequencer's lock. Wait for that, as the next
  // sequencer in production does by trying again.
  for (let i = 0; i < 1000; i++) {
    const held = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`));
    if (held[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }

  // What the child left: committed batches only, each whole.
  const state = async () =>
    rowsOf<{ size: number; leaves: number; max: number | null; nodes: number; pending: number }>(
      await db.execute(sql`select (select coalesce(max(tree_size), 0)::int from audit_checkpoints) as size,
        (select count(*)::int from audit_log_leaves) as leaves,
        (select max(leaf_index)::int from audit_log_leaves) as max,
        (select count(*)::int from audit_log_nodes where level = 0) as nodes,
        (select count(*)::int from audit_pending) as pending`),
    )[0]!;
  const left = await state();
  t.equal(left.leaves, left.size, 'every event with a leaf index is in the newest checkpoint');
  t.equal(left.nodes, left.size, 'and has exactly its leaf node');
  t.equal(left.pending, 30000 - left.size, 'the batch in flight is still queued, whole');
  t.ok(left.size < 30000, `the batch in flight was not committed (${left.size} of 30000 integrated)`);

  // The next sequencer, in this process, continues from there.
  const signer = createLogSigner(origin, seed);
  await integrateAll(db, signer);
  const after = await state();
  t.same(after, { size: 30000, leaves: 30000, max: 29999, nodes: 30000, pending: 0 }, 'every event integrated once, indexes 0..n-1');
  t.match(await verifyAuditLog(db, signer), { ok: true, leaves: 30000 });
  // The app on this database agrees.
  const config = { ...testConfig(), auditLogOrigin: origin, auditLogKey: seed };
  const app = await buildApp(config, { database: await database.openAnother(), logger: false });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/audit/log/checkpoint' })).body.split('\n')[1], '30000');
});
