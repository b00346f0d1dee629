import { createHash, sign as rsaSign, verify as rsaVerify, type KeyObject, X509Certificate } from 'node:crypto';

/**
 * The CMS SignedData (RFC 5652) inside the exchange's PDF seal, aiming at PAdES baseline B-B
 * (ETSI EN 319 142-1 §6.3): detached, SHA-256, signed attributes content-type, message-digest and
 * ESS signing-certificate-v2 (RFC 5035), no signing-time attribute (the time is the signature
 * dictionary's /M). Built with a few lines of DER rather than a JavaScript RSA: Node's native
 * crypto signs in about a millisecond, and RSA PKCS#1 v1.5 is deterministic, so the same record
 * seals to the same bytes.
 */

// --- DER, just what a SignedData needs ---------------------------------------------------------
const length = (n: number) => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
/** DER SET OF: members in ascending order of their encodings. */
const setOf = (...c: Buffer[]) => tlv(0x31, ...[...c].sort(Buffer.compare));
const octets = (b: Buffer) => tlv(0x04, b);
const integer = (n: number) => tlv(0x02, Buffer.from([n]));
const NULL = Buffer.from([0x05, 0x00]);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
};

interface Tlv {
  tag: number;
  /** The whole element, header included. */
  raw: Buffer;
  content: Buffer;
}

/** Reads the element at `offset`; throws on truncated input. */
export function readTlv(buf: Buffer, offset = 0): Tlv & { end: number } {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!;
    head += n;
  }
  const end = offset + head + len;
  if (end > buf.length) throw new Error('truncated DER');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + head, end), end };
}

export function children(el: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < el.content.length; ) {
    const c = readTlv(el.content, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

// --- The seal key ------------------------------------------------------------------------------
export interface SealKey {
  privateKey: KeyObject;
  certificateDer: Buffer;
  certificate: X509Certificate;
  /** The certificate's issuer Name and serial number, DER, as the SignerInfo names its signer. */
  issuerDer: Buffer;
  serialDer: Buffer;
}

export function sealKeyOf(privateKey: KeyObject, certificateDer: Buffer): SealKey {
  const tbs = children(readTlv(certificateDer))[0]!;
  const fields = children(tbs);
  // tbsCertificate: [0] version (optional), serialNumber, signature, issuer, ...
  const first = fields[0]!.tag === 0xa0 ? 1 : 0;
  return {
    privateKey,
    certificateDer,
    certificate: new X509Certificate(certificateDer),
    serialDer: fields[first]!.raw,
    issuerDer: fields[first + 2]!.raw,
  };
}

/** A detached CAdES signature over `content` (the PDF's byte ranges). */
export function signDetached(key: SealKey, content: Buffer): Buffer {
  const sha256 = seq(oid(OID.sha256));
  const certHash = createHash('sha256').update(key.certificateDer).digest();
  // ESSCertIDv2 with the default hash algorithm (SHA-256) left out, and the issuer and serial.
  const essCertId = seq(octets(certHash), seq(seq(tlv(0xa4, key.issuerDer)), key.serialDer));
  const attributes = [
    seq(oid(OID.contentType), setOf(oid(OID.data))),
    seq(oid(OID.messageDigest), setOf(octets(createHash('sha256').update(content).digest()))),
    seq(oid(OID.signingCertificateV2), setOf(seq(seq(essCertId)))),
  ];
  const signedAttrs = setOf(...attributes);
  const signature = rsaSign('sha256', signedAttrs, key.privateKey);
  const signerInfo = seq(
    integer(1),
    seq(key.issuerDer, key.serialDer),
    sha256,
    // In the SignerInfo the attributes are [0] IMPLICIT; the signature is over their SET OF form.
    Buffer.concat([Buffer.from([0xa0]), signedAttrs.subarray(1)]),
    seq(oid(OID.sha256WithRSA), NULL),
    octets(signature),
  );
  const signedData = seq(integer(1), setOf(sha256), seq(oid(OID.data)), tlv(0xa0, key.certificateDer), setOf(signerInfo));
  return seq(oid(OID.signedData), tlv(0xa0, signedData));
}

export type CmsCheck = { valid: true; certificate: X509Certificate } | { valid: false; reason: string };

/**
 * Checks a detached SignedData of the form `signDetached` makes against `content`: the message
 * digest matches and the signed attributes verify with the certificate carried in the CMS.
 */
export function verifyDetached(cms: Buffer, content: Buffer): CmsCheck {
  try {
    const root = readTlv(cms);
    if (root.tag !== 0x30 || !children(root)[0]!.raw.equals(oid(OID.signedData))) return { valid: false, reason: 'the signature is not a CMS SignedData' };
    const signedData = children(children(root)[1]!)[0]!;
    const parts = children(signedData);
    const certs = parts.find((p) => p.tag === 0xa0);
    const signerInfos = parts[parts.length - 1]!;
    if (!certs) return { valid: false, reason: 'the signature carries no certificate' };
    const certificate = new X509Certificate(children(certs)[0]!.raw);
    const signerInfo = children(children(signerInfos)[0]!);
    const attrs = signerInfo.find((p) => p.tag === 0xa0);
    const signature = signerInfo[signerInfo.length - 1]!.content;
    if (!attrs) return { valid: false, reason: 'the signature has no signed attributes' };
    const digestOid = oid(OID.messageDigest);
    const digestAttr = children(attrs).find((a) => children(a)[0]!.raw.equals(digestOid));
    const declaredDigest = digestAttr ? children(children(digestAttr)[1]!)[0]?.content : undefined;
    const actual = createHash('sha256').update(content).digest();
    if (!declaredDigest || !declaredDigest.equals(actual)) return { valid: false, reason: 'the document was changed after it was sealed (digest mismatch)' };
    const signedForm = Buffer.concat([Buffer.from([0x31]), attrs.raw.subarray(1)]);
    if (!rsaVerify('sha256', signedForm, certificate.publicKey, signature)) return { valid: false, reason: 'the signature does not verify' };
    return { valid: true, certificate };
  } catch {
    return { valid: false, reason: 'the signature cannot be read' };
  }
}
