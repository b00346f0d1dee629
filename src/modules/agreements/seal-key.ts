import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';

/**
 * Reads the seal's private key and certificate from a PKCS#12 file with pkijs: the MAC is checked
 * with the passphrase, encrypted safe contents are opened (OpenSSL 3 encrypts the certificates with
 * PBES2 and AES-256 by default, older tools leave them in the clear), and the shrouded key is
 * decrypted by Node's own crypto (PBES2 in PKCS#8). Of the certificates it holds, the seal's is the
 * one whose public key matches the private key; the others are its chain.
 */

const BAG = {
  key: '1.2.840.113549.1.12.10.1.1',
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  cert: '1.2.840.113549.1.12.10.1.3',
};
const X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';

export interface PkcsKeyPair {
  privateKey: KeyObject;
  certificateDer: Buffer;
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

export async function readPkcs12(der: Buffer, passphrase: string): Promise<PkcsKeyPair> {
  const password = new TextEncoder().encode(passphrase);
  const pfx = pkijs.PFX.fromBER(new Uint8Array(der));
  await pfx.parseInternalValues({ password: password.buffer, checkIntegrity: true });
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw new Error('the file holds no authenticated safe');
  await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: password.buffer })) });
  const keys: KeyObject[] = [];
  const certificates: Buffer[] = [];
  for (const { value } of safe.parsedValue?.safeContents ?? []) {
    for (const bag of value.safeBags) {
      if (bag.bagId === BAG.shroudedKey) {
        keys.push(createPrivateKey({ key: Buffer.from(bag.bagValue.toSchema().toBER(false)), format: 'der', type: 'pkcs8', passphrase }));
      } else if (bag.bagId === BAG.key) {
        keys.push(createPrivateKey({ key: Buffer.from(bag.bagValue.toSchema().toBER(false)), format: 'der', type: 'pkcs8' }));
      } else if (bag.bagId === BAG.cert) {
        const certBag = bag.bagValue as pkijs.CertBag;
        if (certBag.certId === X509_CERTIFICATE) certificates.push(Buffer.from((certBag.certValue as { getValue(): ArrayBuffer }).getValue()));
      }
    }
  }
  if (keys.length !== 1) throw new Error(`it must hold one private key, not ${keys.length}`);
  const privateKey = keys[0]!;
  const own = spki(createPublicKey(privateKey));
  const certificateDer = certificates.find((c) => spki(new X509Certificate(c).publicKey).equals(own));
  if (!certificateDer) throw new Error('it holds no certificate for its private key');
  return { privateKey, certificateDer };
}
