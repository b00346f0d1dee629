// A receipt of the audit log (GET /audit/events/{id}/receipt) checked in the browser with the
// log's public key alone, through WebCrypto: the checkpoint's Ed25519 signature (C2SP signed-note),
// the checkpoint (C2SP tlog-checkpoint), the leaf in canonical JSON (RFC 8785), the inclusion
// proof from the leaf to the signed root (RFC 9162 §2.1.3.2) and, given a newer signed checkpoint,
// the consistency proof that its tree extends the receipt's (RFC 9162 §2.1.4.2). The same checks, in the same order and
// under the same names, as src/lib/tlog/receipt.ts does on the server's side with node:crypto;
// test/console/receipt.test.ts holds the two to the same answers.
import { canonicalJson } from '../../lib/canonical-json.js';
import type { ReceiptCheck, ReceiptResult } from '../../lib/tlog/receipt-checks.js';


const ED25519 = 0x01;
const SIGNATURE_PREFIX = '— ';
const NAME = /^[^\s+]+$/u;

const utf8 = (text: string) => new TextEncoder().encode(text);

type Bytes = Uint8Array<ArrayBuffer>;

function fromBase64(text: string): Bytes | null {
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    // Only the canonical spelling, as the server's check (Buffer round trip) accepts.
    return toBase64(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const concat = (...parts: Uint8Array[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const sha256 = async (...parts: Uint8Array[]): Promise<Bytes> => new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));

interface Verifier {
  name: string;
  keyHash: Bytes;
  key: CryptoKey;
}

/** `name+hash+base64(0x01 ‖ public key)`: the key, checked against its own hash. */
async function parseVerifierKey(text: string): Promise<Verifier> {
  const match = /^([^+]+)\+([^+]+)\+(.+)$/su.exec(text.trim());
  if (!match) throw new Error('a verifier key is name+hash+key');
  const [, name, hashHex, keyBase64] = match as unknown as [string, string, string, string];
  if (!NAME.test(name) || !/^[0-9a-f]{8}$/.test(hashHex)) throw new Error('malformed verifier key');
  const key = fromBase64(keyBase64);
  if (!key || key.length !== 33 || key[0] !== ED25519) throw new Error('the verifier key is not an Ed25519 key');
  const raw = key.subarray(1);
  const keyHash = (await sha256(utf8(`${name}\n`), new Uint8Array([ED25519]), raw)).subarray(0, 4);
  if (hex(keyHash) !== hashHex) throw new Error('the verifier key hash does not match its key');
  return { name, keyHash, key: await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']) };
}

/** The signed text of a note if `verifier` signed it; otherwise why not. Other keys' signatures are ignored. */
async function openNote(note: string, verifier: Verifier): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'the note has no blank line before its signatures' };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  if (lines.pop() !== '' || lines.length === 0) return { ok: false, reason: 'the signature lines must each end in a newline' };
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: `not a signature line: ${JSON.stringify(line.slice(0, 40))}` };
    const [name, blob, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (!name || !blob || rest.length > 0) return { ok: false, reason: 'a signature line is "— name base64"' };
    const raw = fromBase64(blob);
    if (!raw || raw.length < 5) return { ok: false, reason: 'a signature is not base64 of key hash and signature' };
    if (name !== verifier.name || !same(raw.subarray(0, 4), verifier.keyHash)) continue;
    if (await crypto.subtle.verify('Ed25519', verifier.key, raw.subarray(4), utf8(text))) return { ok: true, text };
    return { ok: false, reason: `the signature by ${name} does not verify` };
  }
  return { ok: false, reason: `the note has no signature by ${verifier.name}` };
}

function parseCheckpoint(text: string): { origin: string; size: number; rootHash: Bytes } {
  if (!text.endsWith('\n')) throw new Error('a checkpoint ends with a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (!origin) throw new Error('the checkpoint has no origin');
  if (!size || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error('the tree size is not a decimal number');
  const rootHash = fromBase64(root ?? '');
  if (!rootHash || rootHash.length !== 32) throw new Error('the root hash is not base64 of 32 bytes');
  if (extensions.some((line) => line === '')) throw new Error('empty extension line');
  return { origin, size: Number(size), rootHash };
}

/** RFC 9162 §2.1.3.2: whether the audit path leads from the leaf's hash at `index` to `root`. */
const node = (left: Bytes, right: Bytes) => sha256(new Uint8Array([1]), left, right);

async function verifyInclusion(leafHash: Bytes, index: number, size: number, proof: Bytes[], root: Bytes): Promise<boolean> {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of `oldSize` leaves (root `oldRoot`) is a prefix
 * of the tree of `newSize` leaves (root `newRoot`). Both roots are recomputed from the proof: the old
 * one from the hashes left of the old tree's right edge, the new one from all of them.
 */
async function verifyConsistency(oldSize: number, newSize: number, proof: Bytes[], oldRoot: Bytes, newRoot: Bytes): Promise<boolean> {
  if (oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && same(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  // A tree of 2^k leaves is a complete subtree of the newer one: the proof leaves out its root.
  const path = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, oldRoot) && same(sr, newRoot);
}

/** A list of base64 SHA-256 hashes, or null. */
function hashList(list: unknown): Bytes[] | null {
  const hashes = Array.isArray(list) ? list.map((h) => (typeof h === 'string' ? fromBase64(h) : null)) : null;
  return hashes && hashes.every((h) => h?.length === 32) ? (hashes as Bytes[]) : null;
}

/** A newer signed checkpoint and the consistency proof to it (GET /audit/log/proofs/consistency), as pasted or fetched. */
export interface NewerCheckpoint {
  checkpoint: string;
  consistency: unknown;
}

export async function verifyReceipt(receipt: unknown, verifierKeyText: string, newer?: NewerCheckpoint): Promise<ReceiptResult> {
  const fail = (failed: ReceiptCheck, detail: string): ReceiptResult => ({ ok: false, failed, detail });
  const r = receipt as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || r.format !== 'dx-audit-receipt/v1') return fail('format', 'not a dx-audit-receipt/v1 receipt');
  if (typeof r.leaf !== 'string' || typeof r.checkpoint !== 'string' || !Number.isSafeInteger(r.leafIndex) || !Number.isSafeInteger(r.treeSize)) {
    return fail('format', 'the receipt needs leaf, leafIndex, treeSize, inclusionProof and checkpoint');
  }
  let verifier: Verifier;
  try {
    verifier = await parseVerifierKey(verifierKeyText);
  } catch (err) {
    return fail('verifier-key', (err as Error).message);
  }
  const opened = await openNote(r.checkpoint, verifier);
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
  const leaf = fromBase64(r.leaf);
  let event: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(leaf ?? undefined);
    event = JSON.parse(text);
    if (!leaf || canonicalJson(event) !== text) return fail('leaf-canonical', 'the leaf is JSON but not in RFC 8785 canonical form');
  } catch {
    return fail('leaf-canonical', 'the leaf is not JSON');
  }
  const proof = hashList(r.inclusionProof);
  if (!proof) return fail('inclusion', 'the inclusion proof is not a list of base64 SHA-256 hashes');
  const leafHash = await sha256(new Uint8Array([0]), leaf);
  if (!(await verifyInclusion(leafHash, leafIndex, checkpoint.size, proof, checkpoint.rootHash))) {
    return fail('inclusion', `the inclusion proof does not lead from leaf ${leafIndex} to the checkpoint's root`);
  }
  if (newer) {
    // The newer checkpoint must be signed by the same key: a log's only way to show it kept what it signed.
    const openedNewer = await openNote(newer.checkpoint, verifier);
    if (!openedNewer.ok) return fail('newer-checkpoint-signature', openedNewer.reason);
    let later;
    try {
      later = parseCheckpoint(openedNewer.text);
    } catch (err) {
      return fail('newer-checkpoint-signature', `the signed text is not a checkpoint: ${(err as Error).message}`);
    }
    const c = (typeof newer.consistency === 'object' && newer.consistency !== null ? newer.consistency : {}) as Record<string, unknown>;
    const steps = hashList(c.proof);
    if (!steps || c.from !== checkpoint.size || c.to !== later.size) return fail('consistency', `the proof must run from ${checkpoint.size} to ${later.size}`);
    if (later.origin !== checkpoint.origin || !(await verifyConsistency(checkpoint.size, later.size, steps, checkpoint.rootHash, later.rootHash))) {
      return fail('consistency', `the tree of ${later.size} does not extend the tree of ${checkpoint.size} the receipt was proved against`);
    }
  }
  return { ok: true, treeSize: checkpoint.size, leafIndex, event };
}
