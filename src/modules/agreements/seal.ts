import { readFileSync } from 'node:fs';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { leadingElementLength, sealKeyOf, signDetached, verifyDetached, type SealKey } from './cms.js';
import { readPkcs12, type PkcsKeyPair } from './seal-key.js';

/**
 * The exchange's seal: a PDF digital signature over the whole sealed agreement. `@signpdf/signpdf`
 * (with its pdfkit placeholder) places the signature dictionary and fills the byte ranges: it is
 * the well-kept library for that fiddly part. The CMS inside comes from cms.ts (native crypto).
 */

/** Room for the CMS: one certificate, three attributes and a 2048-bit RSA signature fit in well under 4 KiB. */
const SIGNATURE_BYTES = 4096;
/**
 * The most signature a seal is read from: far above what any seal of the exchange (or a seal with a
 * certificate chain and a timestamp) takes, so an upload cannot make the parser chew on megabytes.
 */
const MAX_SIGNATURE_BYTES = 64 * 1024;

class NativeCadesSigner extends Signer {
  private readonly key: SealKey;
  constructor(key: SealKey) {
    super();
    this.key = key;
  }
  override async sign(content: Buffer): Promise<Buffer> {
    return signDetached(this.key, content);
  }
}

export interface Seal {
  key: SealKey;
  /** Adds the signature dictionary (with its /M time) to an open pdfkit document; call before `end`. */
  placeholder(doc: PDFKit.PDFDocument, at: Date, location: string): void;
  /** Fills the placeholder of a rendered PDF with the signature. */
  sign(pdf: Buffer, at: Date): Promise<Buffer>;
}

export function createSeal(key: SealKey): Seal {
  const signer = new NativeCadesSigner(key);
  const signPdf = new SignPdf();
  return {
    key,
    placeholder(doc, at, location) {
      pdfkitAddPlaceholder({
        pdf: doc,
        pdfBuffer: Buffer.alloc(0),
        reason: '数据交易所电子签章 Seal of the data exchange',
        contactInfo: '',
        name: key.certificate.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? 'Data exchange',
        location,
        signingTime: at,
        signatureLength: SIGNATURE_BYTES,
        // PAdES: CAdES-detached, the time in /M rather than in the CMS.
        subFilter: SUBFILTER_ETSI_CADES_DETACHED,
        appName: 'data-exchange',
      });
    },
    sign: (pdf, at) => signPdf.sign(pdf, signer, at),
  };
}

export type PdfSealCheck = { valid: true; coversWholeFile: boolean; certificateFingerprint256: string } | { valid: false; reason: string };

/** Reads the last signature of a PDF and checks it covers the whole file and verifies. */
export function verifyPdfSeal(pdf: Buffer): PdfSealCheck {
  const tail = pdf.toString('latin1');
  const at = tail.lastIndexOf('/ByteRange');
  if (at < 0) return { valid: false, reason: 'the file carries no digital signature' };
  const m = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(tail.slice(at, at + 120));
  if (!m) return { valid: false, reason: 'the signature byte range cannot be read' };
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  if (a !== 0 || b > c || c + d > pdf.length || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) return { valid: false, reason: 'the signature byte range is not well formed' };
  const hex = pdf.subarray(b + 1, c - 1).toString('latin1');
  if (hex.length > 2 * MAX_SIGNATURE_BYTES) return { valid: false, reason: `the signature is larger than ${MAX_SIGNATURE_BYTES} bytes` };
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return { valid: false, reason: 'the signature is not hexadecimal' };
  // The hex is padded with zeros after the DER; the DER's own length says where it ends.
  const bytes = Buffer.from(hex, 'hex');
  const end = leadingElementLength(bytes);
  if (end === undefined) return { valid: false, reason: 'the signature cannot be read' };
  const check = verifyDetached(bytes.subarray(0, end), Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]));
  if (!check.valid) return check;
  return { valid: true, coversWholeFile: c + d === pdf.length, certificateFingerprint256: check.certificate.fingerprint256 };
}

// --- Where the key comes from --------------------------------------------------------------------

/** Reads the seal's key and certificate from a password-protected PKCS#12 file; a bad file stops the start. */
export async function loadSealKey(p12Path: string, passphrase: string): Promise<SealKey> {
  let pair: PkcsKeyPair;
  try {
    pair = await readPkcs12(readFileSync(p12Path), passphrase);
  } catch (err) {
    throw new Error(`AGREEMENT_SEAL_P12 ${p12Path} cannot be read with AGREEMENT_SEAL_PASSPHRASE: ${(err as Error).message}`);
  }
  return sealKeyOf(pair.privateKey, pair.certificateDer);
}
