import { desc, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { rowsOf } from '../../lib/database.js';
import { yieldBetweenBatches } from '../../lib/repeat.js';
import { leafColumns, leafHashOf, type LeafRow } from './leaf.js';
import type { LogSigner } from './signer.js';
import { auditCheckpoints, auditLogLeaves, auditLogNodes } from './tables.js';
import { appendNodes, frontierKeys, keyOf, rootFrom, rootKeys, type NodeKey, type TreeNode } from '../../lib/tlog/merkle.js';

/** Only one sequencer integrates at a time, across every process: this transaction-scoped advisory lock. */
const SEQUENCER_LOCK = 0x64785f6c6f67; // "dx_log"

/** Events integrated in one transaction at most; a larger backlog takes several, back to back. */
export const BATCH_SIZE = 4000;

export interface LogState {
  size: number;
  rootHash: Buffer;
  note: string;
}

/** The newest checkpoint, or null before the first event is integrated. */
export async function latestCheckpoint(db: Database): Promise<LogState | null> {
  const [row] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.treeSize)).limit(1);
  return row ? { size: row.treeSize, rootHash: row.rootHash, note: row.note } : null;
}

/** The stored nodes with these keys, in one statement. */
export async function nodesAt(db: Database, keys: readonly NodeKey[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (keys.length === 0) return found;
  const pairs = sql.join(
    keys.map((k) => sql`(${k.level}::smallint, ${k.index}::bigint)`),
    sql`, `,
  );
  const rows = await db.select().from(auditLogNodes).where(sql`(${auditLogNodes.level}, ${auditLogNodes.index}) in (${pairs})`);
  for (const row of rows) found.set(keyOf(row), row.hash);
  return found;
}

/**
 * Integrates committed events that have no place in the log yet, oldest first, in one transaction:
 * they leave the queue (audit_pending), each gets the next leaf index (from 0, no gaps, never
 * reused) in audit_log_leaves, the tree's new complete subtrees are stored, and a checkpoint of
 * the new size is signed and kept. Either all of that commits or none of it: a process killed in
 * the middle leaves the log and the queue as they were, and the next sequencer continues from
 * there. Answers null when another process holds the sequencer's lock.
 */
export async function integrateBatch(db: Database, signer: LogSigner, limit = BATCH_SIZE): Promise<{ integrated: number; size: number } | null> {
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as locked`));
    if (!lock?.locked) return null;
    const latest = await latestCheckpoint(tx);
    const oldSize = latest?.size ?? 0;
    // Taken from the queue and read in one statement; the event rows themselves are never written.
    const pending = rowsOf<LeafRow>(
      await tx.execute(sql`with taken as (delete from audit_pending where seq in (select seq from audit_pending order by seq limit ${limit}) returning seq)
        select null as "leafIndex", ${leafColumns} from taken join audit_events e on e.seq = taken.seq order by e.seq`),
    );
    if (pending.length === 0) return { integrated: 0, size: oldSize };

    const leaves = pending.map(leafHashOf);
    const frontier = await nodesAt(tx, frontierKeys(oldSize));
    const created: TreeNode[] = appendNodes(oldSize, leaves, frontier);
    const size = oldSize + pending.length;
    for (let i = 0; i < created.length; i += 5000) await tx.insert(auditLogNodes).values(created.slice(i, i + 5000));

    await tx.execute(sql`insert into ${auditLogLeaves} (leaf_index, event_seq)
      select ${oldSize}::bigint + ord - 1, seq from unnest(${`{${pending.map((row) => row.seq).join(',')}}`}::bigint[]) with ordinality as u(seq, ord)`);

    const known = new Map([...frontier, ...created.map((n) => [keyOf(n), n.hash] as const)]);
    const missing = rootKeys(size).filter((k) => !known.has(keyOf(k)));
    for (const [key, hash] of await nodesAt(tx, missing)) known.set(key, hash);
    const rootHash = rootFrom(size, known);
    await tx.insert(auditCheckpoints).values({ treeSize: size, rootHash, note: signer.checkpoint(size, rootHash), createdAt: new Date() });
    // Receipt waiters on every process learn that the log grew.
    await tx.execute(sql`select pg_notify('dx_changes', ${`audit:${size}`})`);
    return { integrated: pending.length, size };
  });
}

/** Integrates until nothing is pending (or another process holds the lock, or `stopping` is aborted). */
export async function integrateAll(db: Database, signer: LogSigner, stopping?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    if (stopping?.aborted) return total;
    const result = await integrateBatch(db, signer);
    if (!result || result.integrated === 0) return total;
    total += result.integrated;
    await yieldBetweenBatches();
  }
}
