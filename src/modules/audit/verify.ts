import { asc, count, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../lib/database.js';
import { leafColumns, leafHashOf, type LeafRow } from './leaf.js';
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

/** A leaf as the verifier reads it: the event's columns, and the event seq the leaf row names (kept even when the event is gone). */
type VerifiedLeaf = LeafRow & { eventSeq: number | null };

/** A leaf named so that its index and its event's seq cannot be taken for each other: `leaf 2 (event seq 3)`. */
const leafName = (leafIndex: number, eventSeq: number | null) => `leaf ${leafIndex}${eventSeq === null ? '' : ` (event seq ${eventSeq})`}`;

/** Leaves read per statement: about 10 MB of rows for the usual event, whatever the log's size. */
export const VERIFY_BATCH = 20_000;

/**
 * Recomputes the whole tree from the stored events, in batches, and compares it with every
 * checkpoint the log signed: each checkpoint's signature and text, then the recomputed root at
 * its size. Where a root differs, the leaves since the last good checkpoint are compared with the
 * stored leaf hashes to name the first event that was changed; a missing event is named by the
 * gap it leaves. Only the right edge of the tree (RootAccumulator) and two batches of rows (the
 * one being hashed, the next being read) are in memory, so memory stays flat however long the
 * log; a leaf costs two hashes and the context digest.
 *
 * Speed: rows come raw, only the leaf's columns, and are serialised by `leafTextOf`, not mapped to
 * objects and canonicalised generically; the next batch is read by the database while this one is
 * hashed. 1,000,000 events take about 23 s on a 2-core server (`npm run bench`), most of it this
 * process's CPU building and hashing leaves.
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
  let prefetch = readLeaves(db, 0, Math.min(total, batchSize));
  while (tree.size < total) {
    const end = Math.min(total, tree.size + batchSize);
    const rows = await prefetch;
    if (end < total) prefetch = readLeaves(db, end, Math.min(total, end + batchSize));
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
    if (tree.size < end) return result({ leafIndex: tree.size, eventSeq: null }, `leaf ${tree.size} is missing: the log has ${total} leaves`, tree.size);
    onProgress(tree.size, total);
  }
  return result(null, null, tree.size);
}

/** Leaves [from, to) with their events, in leaf order; a leaf whose event is gone has seq null (and still its eventSeq). */
async function readLeaves(db: Database, from: number, to: number): Promise<VerifiedLeaf[]> {
  return rowsOf<VerifiedLeaf>(
    await db.execute(sql`select l.leaf_index::float8 as "leafIndex", l.event_seq::float8 as "eventSeq", ${leafColumns}
      from audit_log_leaves l left join audit_events e on e.seq = l.event_seq
      where l.leaf_index >= ${from} and l.leaf_index < ${to} order by l.leaf_index`),
  );
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
