import { canonicalJson } from '../canonical-json.js';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import { openNote, parseCheckpoint, parseVerifierKey } from './note.js';
import type { ReceiptCheck, ReceiptResult } from './receipt-checks.js';

export interface ConsistencyProofFile {
  from: number;
  to: number;
  proof: string[];
}

const base64Hashes = (list: unknown): Buffer[] | null =>
  Array.isArray(list) && list.every((h) => typeof h === 'string' && Buffer.from(h, 'base64').length === 32) ? list.map((h: string) => Buffer.from(h, 'base64')) : null;

/**
 * Checks a receipt of the exchange's audit log with the log's public key alone: no database, no
 * network. Each check has a name, so a failure says exactly which one failed.
 */
export function verifyReceipt(receipt: unknown, verifierKeyText: string, newer?: { checkpoint: string; consistency: ConsistencyProofFile }): ReceiptResult {
  const fail = (failed: ReceiptCheck, detail: string): ReceiptResult => ({ ok: false, failed, detail });
  const r = receipt as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || r.format !== 'dx-audit-receipt/v1') return fail('format', 'not a dx-audit-receipt/v1 receipt');
  if (typeof r.leaf !== 'string' || typeof r.checkpoint !== 'string' || !Number.isSafeInteger(r.leafIndex) || !Number.isSafeInteger(r.treeSize)) {
    return fail('format', 'the receipt needs leaf, leafIndex, treeSize, inclusionProof and checkpoint');
  }
  let verifier;
  try {
    verifier = parseVerifierKey(verifierKeyText);
  } catch (err) {
    return fail('verifier-key', (err as Error).message);
  }
  const opened = openNote(r.checkpoint, verifier);
  if (!opened.ok) return fail('checkpoint-signature', opened.reason);
  let checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (err) {
    return fail('checkpoint-signature', `the signed text is not a checkpoint: ${(err as Error).message}`);
  }
  if (checkpoint.origin !== verifier.name) return fail('checkpoint-origin', `the checkpoint's origin ${checkpoint.origin} is not the key's name ${verifier.name}`);
  if (checkpoint.size !== r.treeSize) return fail('tree-size', `the receipt says ${String(r.treeSize)} leaves, its checkpoint ${checkpoint.size}`);
  const leafIndex = r.leafIndex as number;
  if (leafIndex < 0 || leafIndex >= checkpoint.size) return fail('leaf-index', `leaf ${leafIndex} is not in a tree of ${checkpoint.size}`);
  const leaf = Buffer.from(r.leaf, 'base64');
  let event: unknown;
  try {
    event = JSON.parse(leaf.toString('utf8'));
    if (canonicalJson(event) !== leaf.toString('utf8')) return fail('leaf-canonical', 'the leaf is JSON but not in RFC 8785 canonical form');
  } catch {
    return fail('leaf-canonical', 'the leaf is not JSON');
  }
  const proof = base64Hashes(r.inclusionProof);
  if (!proof) return fail('inclusion', 'the inclusion proof is not a list of base64 SHA-256 hashes');
  if (!verifyInclusion(leafHash(leaf), leafIndex, checkpoint.size, proof, checkpoint.rootHash)) {
    return fail('inclusion', `the inclusion proof does not lead from leaf ${leafIndex} to the checkpoint's root`);
  }
  if (newer) {
    const openedNewer = openNote(newer.checkpoint, verifier);
    if (!openedNewer.ok) return fail('newer-checkpoint-signature', openedNewer.reason);
    let later;
    try {
      later = parseCheckpoint(openedNewer.text);
    } catch (err) {
      return fail('newer-checkpoint-signature', `the signed text is not a checkpoint: ${(err as Error).message}`);
    }
    const steps = base64Hashes(newer.consistency.proof);
    if (!steps || newer.consistency.from !== checkpoint.size || newer.consistency.to !== later.size) {
      return fail('consistency', `the proof must run from ${checkpoint.size} to ${later.size}`);
    }
    if (later.origin !== checkpoint.origin || !verifyConsistency(checkpoint.size, later.size, steps, checkpoint.rootHash, later.rootHash)) {
      return fail('consistency', `the tree of ${later.size} does not extend the tree of ${checkpoint.size} the receipt was proved against`);
    }
  }
  return { ok: true, treeSize: checkpoint.size, leafIndex, event };
}
