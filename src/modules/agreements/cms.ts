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
  SignerInfo,
  SignerInfos,
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
}

export function sealKeyOf(privateKey: KeyObject, certificateDer: Buffer): SealKey {
  return { privateKey, certificateDer, certificate: new X509Certificate(certificateDer), parsed: AsnConvert.parse(certificateDer, Certificate) };
}

/** A detached CAdES signature over `content` (the PDF's byte ranges). */
export function signDetached(key: SealKey, content: Buffer): Buffer {
  const { issuer, serialNumber } = key.parsed.tbsCertificate;
  // ESSCertIDv2 with the default hash algorithm (SHA-256) left out, then the issuer and serial.
  const issuerSerial = new asn1js.Sequence({
    value: [element(AsnConvert.serialize(new GeneralNames([new GeneralName({ directoryName: issuer })]))), new asn1js.Integer({ valueHex: serialNumber })],
  });
  const essCertId = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: createHash('sha256').update(key.certificateDer).digest() }), issuerSerial] });
  const signingCertificateV2 = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
  const unordered = [
    new Attribute({ attrType: OID.contentType, attrValues: [new asn1js.ObjectIdentifier({ value: id_data }).toBER()] }),
    new Attribute({ attrType: OID.messageDigest, attrValues: [AsnConvert.serialize(new OctetString(createHash('sha256').update(content).digest()))] }),
    new Attribute({ attrType: OID.signingCertificateV2, attrValues: [signingCertificateV2.toBER()] }),
  ];
  // DER SET OF: members in ascending order of their encodings.
  const attributes = unordered
    .map((a) => ({ a, encoded: der(AsnConvert.serialize(a)) }))
    .sort((x, y) => Buffer.compare(x.encoded, y.encoded))
    .map(({ a }) => a);
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer, serialNumber }) }),
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha256 }),
    signedAttrs: attributes,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha256WithRSA, parameters: NULL_PARAMETERS }),
    signature: new OctetString(signWithKey('sha256', signedAttributesForm(attributes), key.privateKey)),
  });
  const signedData = new SignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([new AlgorithmIdentifier({ algorithm: OID.sha256 })]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet([new CertificateChoices({ certificate: key.parsed })]),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return der(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
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
