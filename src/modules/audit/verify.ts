import { asc, count, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../lib/database.js';
import { leafHashOf } from './leaf.js';
import { leavesInOrder, readLeaves, VERIFY_BATCH } from './leaf-stream.js';
import type { LogSigner } from './signer.js';
import { auditCheckpoints, auditPending } from './tables.js';
import { RootAccumulator } from '../../lib/tlog/merkle.js';

export interface LogVerification {
  ok: boolean;
  leaves: number;
  checkpoints: number;
  pending: number;
  /** The leaf index (from 0) of the first leaf that does not verify. */
  firstBadLeaf: number | null;
  /** The `seq` of the event that leaf records, when the log still says which; not the leaf index. */
  firstBadEventSeq: number | null;
  reason: string | null;
}

/** A leaf named so that its index and its event's seq cannot be taken for each other: `leaf 2 (event seq 3)`. */
const leafName = (leafIndex: number, eventSeq: number | null) => `leaf ${leafIndex}${eventSeq === null ? '' : ` (event seq ${eventSeq})`}`;

export { VERIFY_BATCH };

/**
 * Recomputes the whole tree from the stored events, as they stream in, and compares it with every
 * checkpoint the log signed: each checkpoint's signature and text, then the recomputed root at
 * its size. Where a root differs, the leaves since the last good checkpoint are compared with the
 * stored leaf hashes to name the first event that was changed; a missing event is named by the
 * gap it leaves. Only the right edge of the tree (RootAccumulator) and a chunk of rows are in
 * memory, so memory stays flat however long the log; a leaf costs two hashes and the context digest.
 *
 * Speed: rows come raw, only the leaf's columns, and are serialised by `leafTextOf`, not mapped to
 * objects and canonicalised generically. On the server one COPY streams them (leaf-stream.ts), so
 * the database reads while this process hashes; 1,000,000 events cost this process about 7 s of
 * CPU (`npm run bench -- --databases postgres --measures verify`), most of it building and hashing leaves.
 */
export async function verifyAuditLog(
  db: Database,
  signer: LogSigner,
  onProgress: (leaves: number, total: number) => void = () => {},
  batchSize = VERIFY_BATCH,
): Promise<LogVerification> {
  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
  const [{ pending } = { pending: 0 }] = await db.select({ pending: count() }).from(auditPending);
  const total = checkpoints.at(-1)?.treeSize ?? 0;
  const result = (bad: { leafIndex: number; eventSeq: number | null } | null, reason: string | null, leaves: number): LogVerification => ({
    ok: reason === null,
    leaves,
    checkpoints: checkpoints.length,
    pending,
    firstBadLeaf: bad?.leafIndex ?? null,
    firstBadEventSeq: bad?.eventSeq ?? null,
    reason,
  });

  for (const cp of checkpoints) {
    if (!signer.opens(cp.note, cp.treeSize, cp.rootHash)) return result(null, `checkpoint of size ${cp.treeSize} is not signed by the log's key or does not state its root`, 0);
  }

  const tree = new RootAccumulator();
  let segmentStart = 0;
  let next = 0; // the next checkpoint to reach
  for await (const rows of leavesInOrder(db, total, batchSize)) {
    for (const row of rows) {
      if (row.leafIndex !== tree.size) return result({ leafIndex: tree.size, eventSeq: null }, `leaf ${tree.size} is missing from the log`, tree.size);
      if (row.seq === null) return result({ leafIndex: tree.size, eventSeq: row.eventSeq }, `${leafName(tree.size, row.eventSeq)} has lost its event`, tree.size);
      tree.push(leafHashOf(row));
      const cp = checkpoints[next]!;
      if (tree.size < cp.treeSize) continue;
      if (!tree.root().equals(cp.rootHash)) {
        const bad = await firstChangedLeaf(db, segmentStart, tree.size);
        return result(bad, bad === null ? `the tree of size ${tree.size} does not match its signed checkpoint` : `${leafName(bad.leafIndex, bad.eventSeq)} does not match the leaf the log signed`, tree.size);
      }
      segmentStart = tree.size;
      next++;
    }
    onProgress(tree.size, total);
  }
  if (tree.size < total) return result({ leafIndex: tree.size, eventSeq: null }, `leaf ${tree.size} is missing: the log has ${total} leaves`, tree.size);
  return result(null, null, tree.size);
}

/** The first leaf in [from, to) whose event no longer hashes to the leaf hash the log stored, with its event's seq. */
async function firstChangedLeaf(db: Database, from: number, to: number): Promise<{ leafIndex: number; eventSeq: number | null } | null> {
  for (let start = from; start < to; start += 5000) {
    const end = Math.min(to, start + 5000);
    const [events, stored] = await Promise.all([
      readLeaves(db, start, end),
      db.execute(sql`select index::float8 as "index", hash from audit_log_nodes where level = 0 and index >= ${start} and index < ${end} order by index`),
    ]);
    const hashes = new Map(rowsOf<{ index: number; hash: Uint8Array }>(stored).map((n) => [n.index, Buffer.from(n.hash)]));
    for (const event of events) {
      const storedHash = hashes.get(event.leafIndex!);
      if (!storedHash || event.seq === null || !leafHashOf(event).equals(storedHash)) return { leafIndex: event.leafIndex!, eventSeq: event.eventSeq };
    }
  }
  return null;
}
