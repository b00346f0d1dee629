import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AgreementsContext } from './context.js';
import { renderAgreementPdf, type AgreementDocument, type FinalPage } from './pdf.js';
import type { agreements } from './tables.js';

export type AgreementRow = typeof agreements.$inferSelect;

/** The PDF's input, from the record alone: nothing else goes into the bytes. */
export const documentOf = (row: Pick<AgreementRow, 'number' | 'revision' | 'title' | 'basis' | 'kind' | 'modelVersion' | 'modelSha256' | 'parties' | 'clauses' | 'dataList' | 'createdAt'>): AgreementDocument => ({
  number: row.number,
  revision: row.revision,
  title: row.title,
  basis: row.basis,
  modelText: { kind: row.kind, version: row.modelVersion, sha256: row.modelSha256 },
  parties: row.parties,
  clauses: row.clauses,
  dataList: row.dataList,
  createdAt: row.createdAt,
});

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Renders a copy, keeps it in the blob store under its hash, and answers the hash and size. */
export async function renderAndStore(ctx: AgreementsContext, doc: AgreementDocument, final?: FinalPage): Promise<{ sha256: string; bytes: number; pdf: Buffer }> {
  const pdf = await renderAgreementPdf(ctx.font, doc, final);
  // Content-addressed: a copy stored by a transaction that then rolls back is harmless.
  const stored = await ctx.blobs.put(Readable.from([pdf]), { maxBytes: pdf.length });
  return { sha256: stored.sha256, bytes: pdf.length, pdf };
}

export interface SignatureDetails {
  partyId: string;
  signedAt: Date;
  contentSha256: string;
  auditEventId: string;
}

/**
 * The sealed copy: the content, a page with every signature's details, and the exchange's PDF
 * signature over the whole file. Repeatable: the seal's time is the last signature's, and RSA
 * PKCS#1 v1.5 signs the same bytes the same way.
 */
export async function renderSealedCopy(ctx: AgreementsContext, row: AgreementRow, signatures: SignatureDetails[], sealedAt: Date): Promise<{ sha256: string; bytes: number; pdf: Buffer }> {
  const byParty = new Map(row.parties.map((p) => [p.partyId, p]));
  const unsigned = await renderAgreementPdf(ctx.font, documentOf(row), {
    sealedAt,
    contentSha256: row.contentSha256,
    signatures: signatures.map((s) => ({
      signedAt: s.signedAt,
      contentSha256: s.contentSha256,
      auditEventId: s.auditEventId,
      partyName: byParty.get(s.partyId)?.name ?? s.partyId,
      label: byParty.get(s.partyId)?.label ?? { zh: '', en: '' },
    })),
    beforeEnd: (doc) => ctx.seal.placeholder(doc, sealedAt, 'Chongqing, CN'),
  });
  const pdf = await ctx.seal.sign(unsigned, sealedAt);
  const stored = await ctx.blobs.put(Readable.from([pdf]), { maxBytes: pdf.length });
  return { sha256: stored.sha256, bytes: pdf.length, pdf };
}
