import { eq, or } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import type { AgreementsContext } from './context.js';
import { sha256Of, type AgreementRow } from './document.js';
import { termDays } from './model-text.js';
import type { VerificationView } from './schema.js';
import { verifyPdfSeal, type PdfSealCheck } from './seal.js';
import { signaturesOf } from './signing.js';
import { agreements } from './tables.js';

export type VerificationResult = Static<typeof VerificationView>;

export const inForce = (row: Pick<AgreementRow, 'status' | 'termStart' | 'termEnd'>, now = new Date()) =>
  row.status === 'signed' && row.termStart.getTime() <= now.getTime() && now.getTime() < row.termEnd.getTime();

/**
 * Anyone holding an agreement, or its hash, asks whether it is the exchange's: the sealed copy on
 * record with these exact bytes (one changed byte is another hash), and for an uploaded file, a
 * seal that verifies over the whole file with the exchange's certificate.
 */
export async function verifyAgreement(db: Database, ctx: AgreementsContext, input: { pdf: Buffer } | { sha256: string }): Promise<VerificationResult> {
  const sha256 = 'pdf' in input ? sha256Of(input.pdf) : input.sha256;
  const [row] = await db.select().from(agreements).where(or(eq(agreements.sealedSha256, sha256), eq(agreements.contentSha256, sha256))).limit(1);
  let seal: VerificationResult['seal'] = null;
  if ('pdf' in input) {
    const check: PdfSealCheck = verifyPdfSeal(input.pdf);
    seal = check.valid
      ? { valid: true, coversWholeFile: check.coversWholeFile, exchangeCertificate: check.certificateFingerprint256 === ctx.seal.key.certificate.fingerprint256, detail: 'the seal verifies' }
      : { valid: false, coversWholeFile: false, exchangeCertificate: false, detail: check.reason };
  }
  if (!row) {
    const reason = seal && !seal.valid ? `not an agreement of this exchange: ${seal.detail}` : 'not an agreement of this exchange (no sealed agreement has these exact bytes)';
    return { genuine: false, sha256, reason, agreement: null, seal };
  }
  const sealedMatch = row.sealedSha256 === sha256;
  const sealOk = seal === null || (seal.valid && seal.coversWholeFile && seal.exchangeCertificate);
  const genuine = sealedMatch && sealOk;
  const reason = !sealedMatch
    ? 'an unsealed draft of this agreement: only the sealed copy, signed by both parties, is binding'
    : genuine
      ? 'the sealed agreement on record, unchanged'
      : `the bytes match the record but the seal does not verify: ${seal?.detail ?? ''}`;
  const byParty = new Map(row.parties.map((p) => [p.partyId, p.name]));
  const signatures = await signaturesOf(db, row.id);
  return {
    genuine,
    sha256,
    reason,
    seal,
    agreement: {
      number: row.number,
      kind: row.kind,
      status: row.status,
      inForce: inForce(row),
      title: row.title,
      term: termDays(row),
      modelText: { kind: row.kind, version: row.modelVersion, sha256: row.modelSha256 },
      parties: row.parties.map((p) => ({ role: p.role, name: p.name })),
      sealedAt: row.sealedAt?.toISOString() ?? null,
      sealReceipt: row.sealAuditEventId,
      signatures: signatures.map((s) => ({ partyName: byParty.get(s.partyId) ?? s.partyId, signedAt: s.signedAt.toISOString(), receipt: s.auditEventId })),
    },
  };
}
