import { randomBytes, randomInt } from 'node:crypto';
import t from 'tap';
import {
  appendNodes, consistencyFrom, consistencyKeys, emptyRoot, frontierKeys, inclusionFrom, inclusionKeys, keyOf, leafHash,
  RootAccumulator, rootFrom, rootFromLeaves, rootKeys, verifyConsistency, verifyInclusion, type NodeKey, type TreeNode,
} from '../../../src/lib/tlog/merkle.js';

// The reference tree of RFC 6962 implementations: certificate-transparency's merkle_tree_test and
// transparency-dev/merkle's testonly constants (leaves, roots for sizes 0..8, proofs).
const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const roots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map((h) => Buffer.from(h, 'hex'));
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));
const inclusionVectors: [number, number, string[]][] = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [1, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [0, 1, []],
];
const consistencyVectors: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];

/** A node store grown the way the sequencer grows it: appends in random batch sizes. */
function growStore(hashes: Buffer[]): Map<string, Buffer> {
  const store = new Map<string, Buffer>();
  let size = 0;
  while (size < hashes.length) {
    const batch = hashes.slice(size, size + 1 + randomInt(7));
    const frontier = new Map(frontierKeys(size).map((k) => [keyOf(k), store.get(keyOf(k))!]));
    for (const node of appendNodes(size, batch, frontier)) store.set(keyOf(node), node.hash);
    size += batch.length;
  }
  return store;
}

/** Only the nodes a computation asked for, so a missing key would fail it. */
const only = (store: Map<string, Buffer>, keys: NodeKey[]) => new Map(keys.map((k) => [keyOf(k), store.get(keyOf(k))!]));

t.test('the RFC 6962 reference tree: roots, inclusion and consistency proofs', async (t) => {
  const hashes = leaves.map(leafHash);
  const store = growStore(hashes);
  t.same(emptyRoot(), roots[0]);
  const accumulator = new RootAccumulator();
  for (let size = 1; size <= 8; size++) {
    t.same(rootFrom(size, only(store, rootKeys(size))), roots[size], `root of size ${size}`);
    t.same(rootFromLeaves(hashes.slice(0, size)), roots[size]);
    accumulator.push(hashes[size - 1]!);
    t.same(accumulator.root(), roots[size], `the accumulator's root of size ${size}`);
  }
  for (const [index, size, proof] of inclusionVectors) {
    t.same(hex(inclusionFrom(index, size, only(store, inclusionKeys(index, size)))), proof, `inclusion ${index} in ${size}`);
    t.ok(verifyInclusion(hashes[index]!, index, size, proof.map((h) => Buffer.from(h, 'hex')), roots[size]!));
  }
  for (const [from, to, proof] of consistencyVectors) {
    t.same(hex(consistencyFrom(from, to, only(store, consistencyKeys(from, to)))), proof, `consistency ${from} to ${to}`);
    t.ok(verifyConsistency(from, to, proof.map((h) => Buffer.from(h, 'hex')), roots[from]!, roots[to]!));
  }
});

t.test('every tree size 1 to 300: stored nodes give the recomputed root, every proof verifies, a changed proof does not', async (t) => {
  const hashes = Array.from({ length: 300 }, () => leafHash(randomBytes(randomInt(1, 40))));
  const store = growStore(hashes);
  let proofs = 0;
  const flip = (proof: Buffer[]) => {
    if (proof.length === 0) return null;
    const copy = proof.map((p) => Buffer.from(p));
    const i = randomInt(copy.length);
    copy[i]![randomInt(32)]! ^= 1 << randomInt(8);
    return copy;
  };
  const accumulator = new RootAccumulator();
  t.ok(accumulator.root().equals(emptyRoot()), 'the accumulator starts at the empty root');
  for (let size = 1; size <= 300; size++) {
    const root = rootFromLeaves(hashes.slice(0, size));
    if (!rootFrom(size, only(store, rootKeys(size))).equals(root)) t.fail(`root of ${size}`);
    accumulator.push(hashes[size - 1]!);
    if (!accumulator.root().equals(root)) t.fail(`the accumulator's root of ${size}`);
    // Every leaf of the smaller trees; the edges and a random few of the larger ones.
    const indexes = size <= 64 ? Array.from({ length: size }, (_, i) => i) : [0, 1, size - 2, size - 1, randomInt(size), randomInt(size)];
    for (const index of indexes) {
      const proof = inclusionFrom(index, size, only(store, inclusionKeys(index, size)));
      proofs++;
      if (!verifyInclusion(hashes[index]!, index, size, proof, root)) t.fail(`inclusion ${index} in ${size}`);
      const bad = flip(proof);
      if (bad && verifyInclusion(hashes[index]!, index, size, bad, root)) t.fail(`a flipped bit passed for ${index} in ${size}`);
      if (size > 1 && verifyInclusion(hashes[index]!, (index + 1) % size, size, proof, root)) t.fail(`a wrong index passed for ${index} in ${size}`);
      if (size < 300 && verifyInclusion(hashes[index]!, index, size + 1, proof, rootFromLeaves(hashes.slice(0, size + 1)))) t.fail(`the next tree's root passed for ${index} in ${size}`);
    }
    for (const from of size <= 24 || size % 61 === 0 ? Array.from({ length: size + 1 }, (_, i) => i) : [1, 2, randomInt(1, size + 1), size]) {
      const proof = consistencyFrom(from, size, only(store, consistencyKeys(from, size)));
      proofs++;
      const oldRoot = rootFromLeaves(hashes.slice(0, from));
      if (!verifyConsistency(from, size, proof, oldRoot, root)) t.fail(`consistency ${from} to ${size}`);
      const bad = flip(proof);
      if (bad && verifyConsistency(from, size, bad, oldRoot, root)) t.fail(`a flipped bit passed for ${from} to ${size}`);
      if (from > 0 && from < size && verifyConsistency(from, size, proof, root, oldRoot)) t.fail(`swapped roots passed for ${from} to ${size}`);
    }
  }
  t.pass(`${proofs} proofs checked against a full recomputation`);
});

t.test('hostile input never throws from the verifiers and never verifies', async (t) => {
  const hashes = leaves.map(leafHash);
  t.notOk(verifyInclusion(hashes[0]!, 8, 8, [], roots[8]!), 'index at size');
  t.notOk(verifyInclusion(hashes[0]!, -1, 8, [], roots[8]!), 'negative index');
  t.notOk(verifyInclusion(hashes[0]!, 0, 8, [Buffer.alloc(31)], roots[8]!), 'short hash');
  t.notOk(verifyConsistency(8, 6, [], roots[8]!, roots[6]!), 'shrinking tree');
  t.notOk(verifyConsistency(6, 8, [], roots[6]!, roots[8]!), 'empty proof');
  t.notOk(verifyConsistency(6, 6, [], roots[6]!, roots[8]!), 'same size, different roots');
  t.ok(verifyConsistency(0, 8, [], emptyRoot(), roots[8]!), 'the empty tree is a prefix of every tree');
  t.throws(() => inclusionKeys(8, 8));
  t.throws(() => consistencyKeys(9, 8));
  const appended: TreeNode[] = appendNodes(0, hashes, new Map());
  t.equal(appended.filter((n) => n.level === 3).length, 1, 'eight leaves close one subtree of level 3');
});
