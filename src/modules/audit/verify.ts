import { and, asc, count, eq, gt, gte, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { leafBytes } from './leaf.js';
import type { LogSigner } from './signer.js';
import { auditCheckpoints, auditEvents, auditLogNodes } from './tables.js';
import { leafHash, RootAccumulator } from '../../lib/tlog/merkle.js';

export interface LogVerification {
  ok: boolean;
  leaves: number;
  checkpoints: number;
  pending: number;
  firstBadLeaf: number | null;
  reason: string | null;
}

/**
 * Recomputes the whole tree from the stored events, in batches, and compares it with every
 * checkpoint the log signed: each checkpoint's signature and text, then the recomputed root at
 * its size. Where a root differs, the leaves since the last good checkpoint are compared with the
 * stored leaf hashes to name the first event that was changed; a missing event is named by the
 * gap it leaves. Only the right edge of the tree is kept in memory (RootAccumulator), so memory
 * stays flat and a leaf costs two hashes.
 */
export async function verifyAuditLog(
  db: Database,
  signer: LogSigner,
  onProgress: (leaves: number, total: number) => void = () => {},
  batchSize = 20_000,
): Promise<LogVerification> {
  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
  const [{ pending } = { pending: 0 }] = await db.select({ pending: count() }).from(auditEvents).where(isNull(auditEvents.leafIndex));
  const total = checkpoints.at(-1)?.treeSize ?? 0;
  const result = (firstBadLeaf: number | null, reason: string | null, leaves: number): LogVerification => ({
    ok: reason === null,
    leaves,
    checkpoints: checkpoints.length,
    pending,
    firstBadLeaf,
    reason,
  });

  for (const cp of checkpoints) {
    if (!signer.opens(cp.note, cp.treeSize, cp.rootHash)) return result(null, `checkpoint of size ${cp.treeSize} is not signed by the log's key or does not state its root`, 0);
  }

  const tree = new RootAccumulator();
  let segmentStart = 0;
  let next = 0; // the next checkpoint to reach
  let prefetch = readBatch(db, 0, batchSize);
  while (tree.size < total) {
    const rows = await prefetch;
    if (rows.length > 0) prefetch = readBatch(db, rows.at(-1)!.leafIndex! + 1, batchSize);
    if (rows.length === 0) return result(tree.size, `event ${tree.size} is missing: the log has ${total} leaves`, tree.size);
    for (const row of rows) {
      if (row.leafIndex !== tree.size) return result(tree.size, `event ${tree.size} is missing`, tree.size);
      tree.push(leafHash(leafBytes(row)));
      const cp = checkpoints[next]!;
      if (tree.size < cp.treeSize) continue;
      if (!tree.root().equals(cp.rootHash)) {
        const bad = await firstChangedLeaf(db, segmentStart, tree.size);
        return result(bad, bad === null ? `the tree of size ${tree.size} does not match its signed checkpoint` : `event ${bad} does not match the leaf the log signed`, tree.size);
      }
      segmentStart = tree.size;
      next++;
      if (tree.size === total) break;
    }
    onProgress(tree.size, total);
  }
  return result(null, null, tree.size);
}

function readBatch(db: Database, from: number, limit: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(isNotNull(auditEvents.leafIndex), gte(auditEvents.leafIndex, from)))
    .orderBy(asc(auditEvents.leafIndex))
    .limit(limit);
}

/** The first leaf in [from, to) whose event no longer hashes to the leaf hash the log stored. */
async function firstChangedLeaf(db: Database, from: number, to: number): Promise<number | null> {
  for (let start = from; start < to; start += 5000) {
    const end = Math.min(to, start + 5000);
    const [events, stored] = await Promise.all([
      db.select().from(auditEvents).where(and(gte(auditEvents.leafIndex, start), lt(auditEvents.leafIndex, end))).orderBy(asc(auditEvents.leafIndex)),
      db.select().from(auditLogNodes).where(and(eq(auditLogNodes.level, 0), gt(auditLogNodes.index, start - 1), lt(auditLogNodes.index, end))).orderBy(asc(auditLogNodes.index)),
    ]);
    for (let i = 0; i < events.length; i++) {
      if (!stored[i] || !leafHash(leafBytes(events[i]!)).equals(stored[i]!.hash)) return start + i;
    }
  }
  return null;
}

