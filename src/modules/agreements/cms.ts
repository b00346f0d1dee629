import { createHash, sign as signWithKey, verify as verifySignature, type KeyObject, X509Certificate } from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  id_data,
  id_signedData,
  IssuerAndSerialNumber,
  SignedData,
  SignerIdentifier,
  type SignerInfo,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';

/**
 * The CMS SignedData (RFC 5652) inside the exchange's PDF seal, aiming at PAdES baseline B-B
 * (ETSI EN 319 142-1 §6.3): detached, SHA-256, signed attributes content-type, message-digest and
 * ESS signing-certificate-v2 (RFC 5035), no signing-time attribute (the time is the signature
 * dictionary's /M). The ASN.1 is read and written with the PeculiarVentures schemas over asn1js
 * (the parser pkijs uses): a PDF anyone uploads is untrusted input, and no hand-written DER reader
 * should meet it. Node's native crypto signs and verifies: about a millisecond, and RSA PKCS#1
 * v1.5 is deterministic, so the same record seals to the same bytes.
 */

const OID = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};
/** Signature algorithms a SHA-256 seal may name; Node verifies each from the certificate's key. */
const SHA256_SIGNATURES = new Set([OID.rsaEncryption, OID.sha256WithRSA, OID.ecdsaWithSha256]);

/** The DER of an ASN.1 NULL, as RSA's AlgorithmIdentifier carries for parameters. */
const NULL_PARAMETERS = new asn1js.Null().toBER();
const der = (value: ArrayBuffer | ArrayBufferView) => Buffer.from(value instanceof ArrayBuffer ? value : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
/** Already-encoded DER as an element of a structure asn1js builds (it encodes it again, the same). */
function element(encoded: ArrayBuffer): ReturnType<typeof asn1js.fromBER>['result'] {
  const { offset, result } = asn1js.fromBER(encoded);
  if (offset === -1) throw new Error(`not DER: ${result.error}`);
  return result;
}

/**
 * The signed attributes as the signature covers them: the DER SET OF their encodings (RFC 5652
 * §5.4), which in the SignerInfo travel under the [0] IMPLICIT tag instead.
 */
function signedAttributesForm(attributes: readonly Attribute[]): Buffer {
  return der(new asn1js.Set({ value: attributes.map((a) => element(AsnConvert.serialize(a))) }).toBER());
}

// --- The seal key ------------------------------------------------------------------------------
export interface SealKey {
  privateKey: KeyObject;
  certificateDer: Buffer;
  certificate: X509Certificate;
  /** The certificate parsed, for the SignedData's certificate set and the SignerInfo's issuer and serial. */
  parsed: Certificate;
  /** What every seal with this key repeats, encoded once (encoding it per seal was most of a seal's time). */
  encoded: ConstantParts;
}

interface ConstantParts {
  /** The content-type and signing-certificate-v2 attributes. */
  attributes: Buffer[];
  /** The SignerInfo's version, issuer and serial, and digest algorithm: what comes before the signed attributes. */
  signerInfoHead: Buffer;
  signatureAlgorithm: Buffer;
  /** The SignedData's version, digest algorithms, encapsulated content info and certificates: all but the SignerInfos. */
  signedDataHead: Buffer;
  contentType: Buffer;
}

export function sealKeyOf(privateKey: KeyObject, certificateDer: Buffer): SealKey {
  const parsed = AsnConvert.parse(certificateDer, Certificate);
  return { privateKey, certificateDer, certificate: new X509Certificate(certificateDer), parsed, encoded: constantParts(certificateDer, parsed) };
}

/** DER of a tag and its contents: the definite length in short or long form (X.690 §8.1.3). */
function tlv(tag: number, contents: Buffer[]): Buffer {
  const length = contents.reduce((n, c) => n + c.length, 0);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
  const head = length < 0x80 ? [tag, length] : [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  return Buffer.concat([Buffer.from(head), ...contents]);
}
const TAG = { integer: 0x02, sequence: 0x30, set: 0x31, octetString: 0x04, contextZero: 0xa0 };
const VERSION_1 = tlv(TAG.integer, [Buffer.from([CMSVersion.v1])]);
/** The contents of a DER element, without its tag and length. */
const contentsOf = (encoded: Buffer) => encoded.subarray(encoded[1]! < 0x80 ? 2 : 2 + (encoded[1]! & 0x7f));
const serialized = (value: unknown) => der(AsnConvert.serialize(value));

function constantParts(certificateDer: Buffer, parsed: Certificate): ConstantParts {
  const { issuer, serialNumber } = parsed.tbsCertificate;
  // ESSCertIDv2 with the default hash algorithm (SHA-256) left out, then the issuer and serial.
  const issuerSerial = new asn1js.Sequence({
    value: [element(AsnConvert.serialize(new GeneralNames([new GeneralName({ directoryName: issuer })]))), new asn1js.Integer({ valueHex: serialNumber })],
  });
  const essCertId = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: createHash('sha256').update(certificateDer).digest() }), issuerSerial] });
  const signingCertificateV2 = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
  const sha256 = new AlgorithmIdentifier({ algorithm: OID.sha256 });
  return {
    attributes: [
      serialized(new Attribute({ attrType: OID.contentType, attrValues: [new asn1js.ObjectIdentifier({ value: id_data }).toBER()] })),
      serialized(new Attribute({ attrType: OID.signingCertificateV2, attrValues: [signingCertificateV2.toBER()] })),
    ],
    signerInfoHead: Buffer.concat([
      VERSION_1,
      serialized(new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer, serialNumber }) })),
      serialized(sha256),
    ]),
    signatureAlgorithm: serialized(new AlgorithmIdentifier({ algorithm: OID.sha256WithRSA, parameters: NULL_PARAMETERS })),
    signedDataHead: Buffer.concat([
      VERSION_1,
      serialized(new DigestAlgorithmIdentifiers([sha256])),
      serialized(new EncapsulatedContentInfo({ eContentType: id_data })),
      // certificates [0] IMPLICIT CertificateSet: the SET's contents under the context tag.
      tlv(TAG.contextZero, [contentsOf(serialized(new CertificateSet([new CertificateChoices({ certificate: parsed })])))]),
    ]),
    contentType: der(new asn1js.ObjectIdentifier({ value: id_signedData }).toBER()),
  };
}

/**
 * A detached CAdES signature over `content` (the PDF's byte ranges). Only the message digest and
 * the signature are new in each: they are framed around the key's constant parts, byte for byte
 * what encoding the whole ContentInfo with the schemas gives.
 */
export function signDetached(key: SealKey, content: Buffer): Buffer {
  const parts = key.encoded;
  const messageDigest = serialized(new Attribute({ attrType: OID.messageDigest, attrValues: [AsnConvert.serialize(new OctetString(createHash('sha256').update(content).digest()))] }));
  // DER SET OF: members in ascending order of their encodings (RFC 5652 §5.4 signs them as a SET).
  const attributes = [...parts.attributes, messageDigest].sort(Buffer.compare);
  const signature = signWithKey('sha256', tlv(TAG.set, attributes), key.privateKey);
  const signerInfo = tlv(TAG.sequence, [parts.signerInfoHead, tlv(TAG.contextZero, attributes), parts.signatureAlgorithm, tlv(TAG.octetString, [signature])]);
  const signedData = tlv(TAG.sequence, [parts.signedDataHead, tlv(TAG.set, [signerInfo])]);
  return tlv(TAG.sequence, [parts.contentType, tlv(TAG.contextZero, [signedData])]);
}

export type CmsCheck = { valid: true; certificate: X509Certificate } | { valid: false; reason: string };
const invalid = (reason: string): CmsCheck => ({ valid: false, reason });

/**
 * The length of the one DER element at the start of `bytes` (the signature hex in a PDF is padded
 * with zeros after it); undefined when no element can be read there.
 */
export function leadingElementLength(bytes: Buffer): number | undefined {
  try {
    const { offset, result } = asn1js.fromBER(bytes);
    return offset > 0 && !result.error ? offset : undefined;
  } catch {
    // asn1js recurses into constructed elements: absurd nesting ends in a RangeError, not an answer.
    return undefined;
  }
}

function parseSignedData(cms: Buffer): SignedData | string {
  try {
    const info = AsnConvert.parse(cms, ContentInfo);
    if (info.contentType !== id_signedData) return 'the signature is not a CMS SignedData';
    return AsnConvert.parse(info.content, SignedData);
  } catch {
    return 'the signature cannot be read';
  }
}

/** The certificate the SignerInfo names by issuer and serial number, from the certificates the CMS carries. */
function signerCertificate(signedData: SignedData, signer: SignerInfo): X509Certificate | string {
  const named = signer.sid.issuerAndSerialNumber;
  if (!named) return 'the signer is not named by issuer and serial number';
  const wanted = der(AsnConvert.serialize(named));
  const match = (signedData.certificates ?? [])
    .map((c) => c.certificate)
    .find((c) => c && der(AsnConvert.serialize(new IssuerAndSerialNumber({ issuer: c.tbsCertificate.issuer, serialNumber: c.tbsCertificate.serialNumber }))).equals(wanted));
  if (!match) return 'the signature carries no certificate of its signer';
  try {
    return new X509Certificate(der(AsnConvert.serialize(match)));
  } catch {
    return 'the signer certificate cannot be read';
  }
}

/**
 * Checks a detached SignedData against `content`: one signer, SHA-256, a message digest that
 * matches, and signed attributes that verify with the signer's certificate carried in the CMS.
 * Whose certificate it is, is for the caller to judge.
 */
export function verifyDetached(cms: Buffer, content: Buffer): CmsCheck {
  const signedData = parseSignedData(cms);
  if (typeof signedData === 'string') return invalid(signedData);
  if (signedData.signerInfos.length !== 1) return invalid('a seal has exactly one signer');
  const signer = signedData.signerInfos[0]!;
  if (signer.digestAlgorithm.algorithm !== OID.sha256) return invalid('the signature does not use SHA-256');
  if (!SHA256_SIGNATURES.has(signer.signatureAlgorithm.algorithm)) return invalid('the signature algorithm is not supported');
  const attributes = signer.signedAttrs;
  if (!attributes?.length) return invalid('the signature has no signed attributes');
  const certificate = signerCertificate(signedData, signer);
  if (typeof certificate === 'string') return invalid(certificate);
  const digestValues = attributes.filter((a) => a.attrType === OID.messageDigest).flatMap((a) => a.attrValues);
  if (digestValues.length !== 1) return invalid('the signature has no single message digest');
  let declaredDigest: Buffer;
  try {
    declaredDigest = der(AsnConvert.parse(digestValues[0]!, OctetString).buffer);
  } catch {
    return invalid('the message digest cannot be read');
  }
  if (!declaredDigest.equals(createHash('sha256').update(content).digest())) return invalid('the document was changed after it was sealed (digest mismatch)');
  let verified: boolean;
  try {
    verified = verifySignature('sha256', signedAttributesForm(attributes), certificate.publicKey, der(signer.signature.buffer));
  } catch {
    verified = false;
  }
  return verified ? { valid: true, certificate } : invalid('the signature does not verify');
}
