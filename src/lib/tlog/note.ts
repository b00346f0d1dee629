import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed-note with Ed25519 (algorithm 0x01), and C2SP tlog-checkpoint.
 *
 *   key hash      = first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)
 *   verifier key  = name "+" hex(key hash) "+" base64(0x01 ‖ public key)
 *   note          = text (ending in "\n"), a blank line, then one line per signature:
 *                   "— " name " " base64(key hash ‖ signature over text) "\n"
 *   checkpoint    = origin "\n" tree size (decimal) "\n" base64(root hash) "\n" [extension lines]
 */

const ED25519 = 0x01;
/** PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410), so Node's crypto can load it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SIGNATURE_PREFIX = '— ';

/** Key names must be non-empty, without spaces or '+', as the spec requires. */
const NAME = /^[^\s+]+$/u;

export interface NoteSigner {
  name: string;
  keyHash: Buffer;
  verifierKey: string;
  sign(text: string): string;
}

export interface NoteVerifier {
  name: string;
  keyHash: Buffer;
  publicKey: KeyObject;
}

export function keyHash(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update('\n').update(Buffer.from([ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** A signer for `name` from the 32-byte Ed25519 seed. */
export function noteSigner(name: string, seed: Uint8Array): NoteSigner {
  if (!NAME.test(name)) throw new Error('a key name has no spaces and no "+"');
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
  const hash = keyHash(name, publicKey);
  return {
    name,
    keyHash: hash,
    verifierKey: `${name}+${hash.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString('base64')}`,
    sign(text: string): string {
      if (!text.endsWith('\n')) throw new Error('a note text ends with a newline');
      const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
      return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([hash, signature]).toString('base64')}\n`;
    },
  };
}

/** Reads a verifier key (`name+hash+base64`); throws on anything malformed or inconsistent. */
export function parseVerifierKey(text: string): NoteVerifier {
  // The base64 key may itself hold '+': only the first two separate the fields.
  const match = /^([^+]+)\+([^+]+)\+(.+)$/su.exec(text.trim());
  if (!match) throw new Error('a verifier key is name+hash+key');
  const [, name, hashHex, keyBase64] = match as unknown as [string, string, string, string];
  if (!NAME.test(name) || !/^[0-9a-f]{8}$/.test(hashHex)) throw new Error('malformed verifier key');
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 33 || key[0] !== ED25519 || key.toString('base64') !== keyBase64) throw new Error('the verifier key is not an Ed25519 key');
  const raw = key.subarray(1);
  if (!keyHash(name, raw).equals(Buffer.from(hashHex, 'hex'))) throw new Error('the verifier key hash does not match its key');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return { name, keyHash: Buffer.from(hashHex, 'hex'), publicKey };
}

/**
 * The text of a note if a signature by `verifier` on it is valid; otherwise an error saying why.
 * Signatures by other keys are ignored, as the spec says.
 */
export function openNote(note: string, verifier: NoteVerifier): { ok: true; text: string } | { ok: false; reason: string } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'the note has no blank line before its signatures' };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  if (lines.pop() !== '' || lines.length === 0) return { ok: false, reason: 'the signature lines must each end in a newline' };
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: `not a signature line: ${JSON.stringify(line.slice(0, 40))}` };
    const [name, blob, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (!name || !blob || rest.length > 0) return { ok: false, reason: 'a signature line is "— name base64"' };
    const raw = Buffer.from(blob, 'base64');
    if (raw.length < 5 || raw.toString('base64') !== blob) return { ok: false, reason: 'a signature is not base64 of key hash and signature' };
    if (name !== verifier.name || !raw.subarray(0, 4).equals(verifier.keyHash)) continue;
    if (verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, raw.subarray(4))) return { ok: true, text };
    return { ok: false, reason: `the signature by ${name} does not verify` };
  }
  return { ok: false, reason: `the note has no signature by ${verifier.name}` };
}

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  extensions: string[];
}

export function formatCheckpoint(c: Pick<Checkpoint, 'origin' | 'size' | 'rootHash'> & { extensions?: string[] }): string {
  return [c.origin, String(c.size), c.rootHash.toString('base64'), ...(c.extensions ?? [])].join('\n') + '\n';
}

/** Reads a checkpoint body strictly: non-empty origin, decimal size without leading zeros, a 32-byte root. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new Error('a checkpoint ends with a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (!origin) throw new Error('the checkpoint has no origin');
  if (!size || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error('the tree size is not a decimal number');
  const rootHash = Buffer.from(root ?? '', 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) throw new Error('the root hash is not base64 of 32 bytes');
  if (extensions.some((line) => line === '')) throw new Error('empty extension line');
  return { origin, size: Number(size), rootHash, extensions };
}
