import { formatCheckpoint, noteSigner, openNote, parseCheckpoint, parseVerifierKey } from '../../lib/tlog/note.js';

/** Signs the log's checkpoints with the configured Ed25519 key; the key's name is the log's origin. */
export interface LogSigner {
  origin: string;
  /** The public verifier key, in the signed-note key format. */
  verifierKey: string;
  /** The signed note of the checkpoint of a tree of `size` leaves with root `rootHash`. */
  checkpoint(size: number, rootHash: Buffer): string;
  /** Whether `note` is this log's checkpoint of exactly that size and root. */
  opens(note: string, size: number, rootHash: Buffer): boolean;
}

export function createLogSigner(origin: string, seedBase64: string): LogSigner {
  const signer = noteSigner(origin, Buffer.from(seedBase64, 'base64'));
  const verifier = parseVerifierKey(signer.verifierKey);
  return {
    origin,
    verifierKey: signer.verifierKey,
    checkpoint: (size, rootHash) => signer.sign(formatCheckpoint({ origin, size, rootHash })),
    opens(note, size, rootHash) {
      const opened = openNote(note, verifier);
      if (!opened.ok) return false;
      try {
        const body = parseCheckpoint(opened.text);
        return body.origin === origin && body.size === size && body.rootHash.equals(rootHash);
      } catch {
        return false;
      }
    },
  };
}
