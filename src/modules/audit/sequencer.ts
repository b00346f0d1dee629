import { asc, desc, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { rowsOf } from '../../lib/database.js';
import { leafBytes } from './leaf.js';
import type { LogSigner } from './signer.js';
import { auditCheckpoints, auditEvents, auditLogNodes } from './tables.js';
import { appendNodes, frontierKeys, keyOf, leafHash, rootFrom, rootKeys, type NodeKey, type TreeNode } from '../../lib/tlog/merkle.js';

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
 * each gets the next leaf index (from 0, no gaps, never reused), the tree's new complete subtrees
 * are stored, and a checkpoint of the new size is signed and kept. Either all of that commits or
 * none of it: a process killed in the middle leaves the log as it was, and the next sequencer
 * continues from there. Answers null when another process holds the sequencer's lock.
 */
export async function integrateBatch(db: Database, signer: LogSigner, limit = BATCH_SIZE): Promise<{ integrated: number; size: number } | null> {
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as locked`));
    if (!lock?.locked) return null;
    const latest = await latestCheckpoint(tx);
    const oldSize = latest?.size ?? 0;
    const pending = await tx.select().from(auditEvents).where(isNull(auditEvents.leafIndex)).orderBy(asc(auditEvents.seq)).limit(limit);
    if (pending.length === 0) return { integrated: 0, size: oldSize };

    const leaves = pending.map((row) => leafHash(leafBytes(row)));
    const frontier = await nodesAt(tx, frontierKeys(oldSize));
    const created: TreeNode[] = appendNodes(oldSize, leaves, frontier);
    const size = oldSize + pending.length;
    for (let i = 0; i < created.length; i += 5000) await tx.insert(auditLogNodes).values(created.slice(i, i + 5000));

    const indexes = sql.join(
      pending.map((row, i) => sql`(${row.seq}::bigint, ${oldSize + i}::bigint)`),
      sql`, `,
    );
    await tx.execute(sql`update ${auditEvents} set leaf_index = v.leaf from (values ${indexes}) as v(seq, leaf) where ${auditEvents.seq} = v.seq`);

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

/** Integrates until nothing is pending (or another process holds the lock). */
export async function integrateAll(db: Database, signer: LogSigner): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await integrateBatch(db, signer);
    if (!result || result.integrated === 0) return total;
    total += result.integrated;
  }
}

/** Leaf indexes of events, by id (null while an event waits for the sequencer). */
export async function leafIndexesOf(db: Database, ids: string[]): Promise<Map<string, number | null>> {
  const rows = await db.select({ id: auditEvents.id, leafIndex: auditEvents.leafIndex }).from(auditEvents).where(inArray(auditEvents.id, ids));
  return new Map(rows.map((r) => [r.id, r.leafIndex]));
}
