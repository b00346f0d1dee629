import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Identity numbers (and other secrets the service must read back) at rest: AES-256-GCM with a random 96-bit nonce, the party id as associated
 * data (a ciphertext copied onto another row does not decrypt), and an HMAC-SHA-256 of the number
 * for uniqueness checks and look-ups without decrypting. Both keys are derived from the one
 * configured key with HKDF, so neither can be computed from the other.
 */
export class IdentityCipher {
  private readonly encryptionKey: Buffer;
  private readonly lookupKey: Buffer;

  /**
   * `purpose` names what is sealed, and each purpose has keys of its own derived from the one
   * configured key (webhook secrets use `webhook-secret`), so no ciphertext opens under another.
   */
  constructor(keyBase64: string, purpose = 'identity-number') {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) throw new Error('the identity key must be 32 bytes (IDENTITY_KEY, base64)');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `dx ${purpose} encryption v1`, 32));
    this.lookupKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `dx ${purpose} lookup v1`, 32));
  }

  /** `v1.<nonce>.<tag>.<ciphertext>`, each part base64url. */
  encrypt(plaintext: string, partyId: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, nonce);
    cipher.setAAD(Buffer.from(partyId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', nonce, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(sealed: string, partyId: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== 'v1' || nonce === undefined || tag === undefined || body === undefined) throw new Error('unknown identity-number format');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(partyId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The keyed hash of a normalised number within its scheme (and, overseas, its country and document type). */
  lookupHash(scope: string, normalisedNumber: string): string {
    return createHmac('sha256', this.lookupKey).update(`${scope}\u0000${normalisedNumber}`).digest('hex');
  }
}
