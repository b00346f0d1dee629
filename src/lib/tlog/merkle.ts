import { hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (as RFC 6962), with SHA-256:
 *   leaf hash     = SHA-256(0x00 ‖ leaf bytes)
 *   interior hash = SHA-256(0x01 ‖ left ‖ right)
 *   MTH(D[n])     = H(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n.
 *
 * Storage: the hash of every complete subtree, node (level, index) covering leaves
 * [index·2^level, (index+1)·2^level). Any root or proof of any tree size is combined from a
 * few of those (O(log n)), never recomputed from leaves. Each computation comes in two steps so a
 * database caller makes one round trip: `…Keys` lists the nodes it needs, `…From` computes from them.
 */

export interface NodeKey {
  level: number;
  index: number;
}
export interface TreeNode extends NodeKey {
  hash: Buffer;
}
export type NodeLookup = ReadonlyMap<string, Buffer>;

export const keyOf = (k: NodeKey) => `${k.level}/${k.index}`;

// One-shot hashing of the joined parts: for inputs this small, creating a Hash object per call costs
// more than the hashing (a verifier of a million leaves makes about three million of these).
const sha256 = (...parts: Uint8Array[]): Buffer => hash('sha256', Buffer.concat(parts), 'buffer');
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const leafHash = (leaf: Uint8Array): Buffer => sha256(LEAF, leaf);
/** The leaf hash of the UTF-8 bytes of `leaf`, without making a buffer of them first. */
export const leafHashOfText = (leaf: string): Buffer => hash('sha256', '\0' + leaf, 'buffer');
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);
/** The root of the empty tree: SHA-256 of nothing. */
export const emptyRoot = (): Buffer => sha256();

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/**
 * The stored nodes whose hashes make MTH(D[a:b]). Every range the algorithms below ask for starts
 * at a multiple of a power of two at least as large as the range, so it splits into complete
 * subtrees the way MTH splits it.
 */
function rangeKeys(a: number, b: number, out: NodeKey[]): void {
  const n = b - a;
  if (isPowerOfTwo(n) && a % n === 0) {
    out.push({ level: Math.log2(n), index: a / n });
    return;
  }
  const k = splitPoint(n);
  rangeKeys(a, a + k, out);
  rangeKeys(a + k, b, out);
}

function rangeHash(a: number, b: number, nodes: NodeLookup): Buffer {
  const n = b - a;
  if (isPowerOfTwo(n) && a % n === 0) {
    const hash = nodes.get(keyOf({ level: Math.log2(n), index: a / n }));
    if (!hash) throw new Error(`the tree has no node for leaves ${a}..${b - 1}`);
    return hash;
  }
  const k = splitPoint(n);
  return nodeHash(rangeHash(a, a + k, nodes), rangeHash(a + k, b, nodes));
}

/** Collects the ranges a computation needs, then either their node keys or their hashes. */
type Ranges = [number, number][];
const keysOf = (ranges: Ranges) => {
  const out: NodeKey[] = [];
  for (const [a, b] of ranges) rangeKeys(a, b, out);
  return out;
};

/** The complete subtrees along the right edge of a tree of `size` leaves: its root is made of them. */
export function frontierKeys(size: number): NodeKey[] {
  const keys: NodeKey[] = [];
  let offset = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
    const width = 2 ** level;
    if (size - offset >= width) {
      keys.push({ level, index: offset / width });
      offset += width;
    }
  }
  return size === 0 ? [] : keys;
}

/**
 * The nodes an append of `leafHashes` to a tree of `oldSize` leaves completes: the new leaves and
 * every subtree they close. `frontier` holds the old tree's right edge (`frontierKeys(oldSize)`).
 */
export function appendNodes(oldSize: number, leafHashes: readonly Buffer[], frontier: NodeLookup): TreeNode[] {
  const known = new Map(frontier);
  const created: TreeNode[] = [];
  leafHashes.forEach((hash, i) => {
    let node: TreeNode = { level: 0, index: oldSize + i, hash };
    created.push(node);
    known.set(keyOf(node), hash);
    while (node.index % 2 === 1) {
      const left = known.get(keyOf({ level: node.level, index: node.index - 1 }));
      if (!left) throw new Error(`the tree has no node ${node.level}/${node.index - 1} to complete ${node.level + 1}/${(node.index - 1) / 2}`);
      node = { level: node.level + 1, index: (node.index - 1) / 2, hash: nodeHash(left, node.hash) };
      created.push(node);
      known.set(keyOf(node), node.hash);
    }
  });
  return created;
}

export const rootKeys = (size: number): NodeKey[] => (size === 0 ? [] : keysOf([[0, size]]));
export const rootFrom = (size: number, nodes: NodeLookup): Buffer => (size === 0 ? emptyRoot() : rangeHash(0, size, nodes));

/** RFC 9162 §2.1.3.1 PATH(m, D[a:b]): the ranges whose hashes form the audit path, in order. */
function pathRanges(m: number, a: number, b: number, out: Ranges): Ranges {
  const n = b - a;
  if (n <= 1) return out;
  const k = splitPoint(n);
  if (m < k) {
    pathRanges(m, a, a + k, out);
    out.push([a + k, b]);
  } else {
    pathRanges(m - k, a + k, b, out);
    out.push([a, a + k]);
  }
  return out;
}

function checkInclusionArgs(index: number, size: number) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
}

export function inclusionKeys(index: number, size: number): NodeKey[] {
  checkInclusionArgs(index, size);
  return keysOf(pathRanges(index, 0, size, []));
}
export function inclusionFrom(index: number, size: number, nodes: NodeLookup): Buffer[] {
  checkInclusionArgs(index, size);
  return pathRanges(index, 0, size, []).map(([a, b]) => rangeHash(a, b, nodes));
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[a:b], isStart): the ranges whose hashes form the proof. */
function subproofRanges(m: number, a: number, b: number, isStart: boolean, out: Ranges): Ranges {
  const n = b - a;
  if (m === n) {
    if (!isStart) out.push([a, b]);
    return out;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofRanges(m, a, a + k, isStart, out);
    out.push([a + k, b]);
  } else {
    subproofRanges(m - k, a + k, b, false, out);
    out.push([a, a + k]);
  }
  return out;
}

function consistencyRanges(oldSize: number, newSize: number): Ranges {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && oldSize >= 0 && oldSize <= newSize)) {
    throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  }
  // The empty tree and an unchanged tree need no proof.
  return oldSize === 0 || oldSize === newSize ? [] : subproofRanges(oldSize, 0, newSize, true, []);
}

export const consistencyKeys = (oldSize: number, newSize: number): NodeKey[] => keysOf(consistencyRanges(oldSize, newSize));
export const consistencyFrom = (oldSize: number, newSize: number, nodes: NodeLookup): Buffer[] =>
  consistencyRanges(oldSize, newSize).map(([a, b]) => rangeHash(a, b, nodes));

const sameHash = (a: Uint8Array, b: Uint8Array) => a.length === 32 && b.length === 32 && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` with hash `leaf` in the tree of `size` with root `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  if (proof.some((p) => p.length !== 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(r, root);
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree of `oldSize` (root `oldRoot`) is a prefix of the tree of `newSize` (root `newRoot`). */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Uint8Array[], oldRoot: Uint8Array, newRoot: Uint8Array): boolean {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && oldSize >= 0 && oldSize <= newSize)) return false;
  if (proof.some((p) => p.length !== 32)) return false;
  if (oldSize === newSize) return proof.length === 0 && sameHash(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
}

/** The straightforward recursive MTH over all leaf hashes: the reference the tests check the rest against. */
export function rootFromLeaves(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot();
  if (leafHashes.length === 1) return leafHashes[0]!;
  const k = splitPoint(leafHashes.length);
  return nodeHash(rootFromLeaves(leafHashes.slice(0, k)), rootFromLeaves(leafHashes.slice(k)));
}

/**
 * The root of a tree that grows a leaf at a time, keeping only its right edge: the hashes of the
 * complete subtrees that the binary digits of the size name, largest first. A leaf costs one
 * interior hash on average and nothing is stored, so a verifier can recompute a log of millions of
 * leaves in one pass and compare the root at every checkpoint's size.
 */
export class RootAccumulator {
  private readonly edge: Buffer[] = [];
  size = 0;

  push(leafHashValue: Buffer): void {
    let hash = leafHashValue;
    // Each trailing 1 bit of the old size is a complete subtree of the same height to merge with.
    for (let n = this.size; n & 1; n >>>= 1) hash = nodeHash(this.edge.pop()!, hash);
    this.edge.push(hash);
    this.size++;
  }

  /** MTH of the leaves so far: the subtrees folded from the right, as RFC 9162 splits them. */
  root(): Buffer {
    if (this.edge.length === 0) return emptyRoot();
    let hash = this.edge[this.edge.length - 1]!;
    for (let i = this.edge.length - 2; i >= 0; i--) hash = nodeHash(this.edge[i]!, hash);
    return hash;
  }
}
