// The seal's PKCS#12 file: made self-signed for the embedded default and for `npm run seal:create`.
// Apart from the signing code (seal.ts) so that reading the configuration does not load it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/** A self-signed seal certificate in a PKCS#12 file: the embedded default, and test fixtures. */
export function createSelfSignedSealP12(commonName: string, passphrase: string): Buffer {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.UTC(2025, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2045, 0, 1));
  const name = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Data exchange (self-signed seal)' },
    { name: 'countryName', value: 'CN' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase, { algorithm: 'aes256', friendlyName: commonName });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * The embedded default: a self-signed seal under DATA_DIR/secrets, made on first use, with its
 * passphrase beside it. PDF readers will say the signer is unknown; production sets
 * AGREEMENT_SEAL_P12 to a certificate from a trusted CA.
 */
export function readOrCreateSealP12(dataDir: string, warn: (msg: string) => void): { p12Path: string; passphrase: string } {
  const dir = join(dataDir, 'secrets');
  const p12Path = join(dir, 'agreement-seal.p12');
  const passFile = join(dir, 'agreement-seal-passphrase');
  if (existsSync(p12Path) && existsSync(passFile)) return { p12Path, passphrase: readFileSync(passFile, 'utf8').trim() };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passphrase = randomBytes(24).toString('base64url');
  writeFileSync(p12Path, createSelfSignedSealP12('Data exchange agreement seal', passphrase), { mode: 0o600 });
  writeFileSync(passFile, passphrase + '\n', { mode: 0o600 });
  warn(`generated ${p12Path}, a self-signed agreement seal: set AGREEMENT_SEAL_P12 and AGREEMENT_SEAL_PASSPHRASE to a certificate readers trust`);
  return { p12Path, passphrase };
}
