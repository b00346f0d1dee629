import type { Readable } from 'node:stream';
import type { Upload } from '../../plugins/uploads.js';
import { and, count, eq } from 'drizzle-orm';
import { AppError, invalidState, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { requirePartyRole } from './members.js';
import { assertEditable, lockParty, type IdentityContext } from './service.js';
import { parties, partyDocuments, type documentKinds } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'party.document_added': { documentId: string; kind: DocumentKind; sha256: string; size: number; mediaType: string };
  }
}

export type DocumentKind = (typeof documentKinds)[number];
export type PartyDocument = typeof partyDocuments.$inferSelect;

/** Scans and photographs of licences and letters; nothing that a browser would run. */
export const documentMediaTypes = ['application/pdf', 'image/png', 'image/jpeg'] as const;
const MAX_DOCUMENTS_PER_PARTY = 20;

export function mediaTypeOf(header: string | undefined): (typeof documentMediaTypes)[number] {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  const allowed = documentMediaTypes.find((t) => t === type);
  if (!allowed) throw new AppError('unsupported-media-type', { en: `send the document as one of ${documentMediaTypes.join(', ')} (Content-Type header)`, zh: `请以 ${documentMediaTypes.join('、')} 之一发送文件（Content-Type 请求头）` });
  return allowed;
}

/**
 * A party admin uploads a supporting document. The bytes stream into the content-addressed store
 * under the size limit; the same bytes uploaded again are the same document (`created: false`).
 */
export async function addPartyDocument(
  ctx: IdentityContext,
  actor: AuditActor,
  userId: string,
  partyId: string,
  input: { kind: DocumentKind; mediaType: string; upload: Upload },
): Promise<{ document: PartyDocument; created: boolean }> {
  await requirePartyRole(ctx.db, partyId, userId, 'admin');
  const [current] = await ctx.db.select().from(parties).where(eq(parties.id, partyId));
  if (!current) throw notFound({ en: 'party', zh: '主体' });
  assertEditable(current);
  // The file is stored before the row: a blob no row names is harmless and the next upload of the
  // same bytes reuses it; a row without its blob would not be.
  const blob = await ctx.blobs.put(input.upload.body, { maxBytes: ctx.documentMaxBytes, declaredBytes: input.upload.declaredBytes });
  return ctx.db.transaction(async (tx) => {
    assertEditable(await lockParty(tx, partyId));
    const [existing] = await tx.select().from(partyDocuments).where(and(eq(partyDocuments.partyId, partyId), eq(partyDocuments.sha256, blob.sha256)));
    if (existing) return { document: existing, created: false };
    const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(partyDocuments).where(eq(partyDocuments.partyId, partyId));
    if (n >= MAX_DOCUMENTS_PER_PARTY) throw invalidState({ en: `a party keeps at most ${MAX_DOCUMENTS_PER_PARTY} documents`, zh: `每个主体最多保存 ${MAX_DOCUMENTS_PER_PARTY} 份文件` });
    const [document] = await tx
      .insert(partyDocuments)
      .values({ partyId, kind: input.kind, sha256: blob.sha256, size: blob.size, mediaType: input.mediaType, uploadedBy: userId, createdAt: new Date() })
      .returning();
    await appendAudit(tx, actor, {
      action: 'party.document_added',
      subject: { type: 'party', id: partyId },
      payload: { documentId: document!.id, kind: input.kind, sha256: blob.sha256, size: blob.size, mediaType: input.mediaType },
    });
    return { document: document!, created: true };
  });
}

/** A document of a party, for its members and for the operators who review it. */
export async function openPartyDocument(ctx: IdentityContext, partyId: string, documentId: string): Promise<{ document: PartyDocument; stream: Readable }> {
  const [document] = await ctx.db.select().from(partyDocuments).where(and(eq(partyDocuments.partyId, partyId), eq(partyDocuments.id, documentId)));
  if (!document) throw notFound({ en: 'document', zh: '文件' });
  return { document, stream: await ctx.blobs.open(document.sha256) };
}
