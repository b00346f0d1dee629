import type { Upload } from '../../plugins/uploads.js';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import type { StoredBlob } from '../../lib/storage.js';
import { invalidState } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { actingParty, type CatalogContext, type Caller } from './context.js';
import { findListingFor, nextNumberFor } from './listings.js';
import { datasetVersions, evidenceDocuments, listings } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'catalog.evidence_uploaded': { sha256: string; sizeBytes: number; mediaType: string; filename: string | null };
    'listing.dataset_version_uploaded': { versionId: string; number: number; sha256: string; sizeBytes: number; mediaType: string; filename: string | null };
  }
}

export type EvidenceDocument = typeof evidenceDocuments.$inferSelect;
export type DatasetVersion = typeof datasetVersions.$inferSelect;

export interface NamedUpload extends Upload {
  filename: string | undefined;
}

/** The columns every stored file records: what the blob store kept, and what the client said of it. */
const storedFile = (caller: Caller, blob: StoredBlob, upload: NamedUpload) => ({
  sha256: blob.sha256,
  sizeBytes: blob.size,
  mediaType: upload.mediaType,
  filename: upload.filename ?? null,
  uploadedBy: caller.actor.userId,
});

// Streamed to storage; an upload that breaks off or runs over the limit leaves nothing behind.
const store = (ctx: CatalogContext, upload: Upload, maxBytes: number) =>
  ctx.blobs.put(upload.body, { maxBytes, declaredBytes: upload.declaredBytes });

/**
 * A provider uploads a consent, authorisation or anonymisation document. The same bytes uploaded
 * again by the same party are the same document.
 */
export async function uploadEvidenceDocument(ctx: CatalogContext, caller: Caller, upload: NamedUpload): Promise<EvidenceDocument> {
  const partyId = actingParty(caller);
  const blob = await store(ctx, upload, ctx.config.catalogDocumentMaxBytes);
  return ctx.db.transaction(async (tx) => {
    const [known] = await tx
      .select()
      .from(evidenceDocuments)
      .where(and(eq(evidenceDocuments.ownerPartyId, partyId), eq(evidenceDocuments.sha256, blob.sha256)));
    if (known) return known;
    const [doc] = await tx
      .insert(evidenceDocuments)
      .values({ ownerPartyId: partyId, ...storedFile(caller, blob, upload) })
      .returning();
    await appendAudit(tx, caller.audit, {
      action: 'catalog.evidence_uploaded',
      subject: { type: 'evidence_document', id: doc!.id },
      payload: { sha256: doc!.sha256, sizeBytes: doc!.sizeBytes, mediaType: doc!.mediaType, filename: doc!.filename },
    });
    return doc!;
  });
}

export async function listEvidenceDocuments(db: Database, partyId: string, q: { after?: { createdAt: string; id: string } | undefined; limit: number }) {
  const after = q.after
    ? or(lt(evidenceDocuments.createdAt, new Date(q.after.createdAt)), and(eq(evidenceDocuments.createdAt, new Date(q.after.createdAt)), lt(evidenceDocuments.id, q.after.id)))
    : undefined;
  return db
    .select()
    .from(evidenceDocuments)
    .where(and(eq(evidenceDocuments.ownerPartyId, partyId), after))
    .orderBy(desc(evidenceDocuments.createdAt), desc(evidenceDocuments.id))
    .limit(q.limit);
}

/**
 * The provider uploads a dataset file for one of its listings. Authorisation comes before the body
 * is read, so a stranger's upload is refused without storing a byte.
 */
export async function uploadDatasetVersion(ctx: CatalogContext, caller: Caller, listingId: string, upload: NamedUpload): Promise<DatasetVersion> {
  const partyId = actingParty(caller);
  const listing = await findListingFor(ctx.db, caller, listingId, { ownerOnly: true });
  if (listing.status === 'delisted') throw invalidState({ en: 'the listing is delisted', zh: '该数据产品已下架' });
  const blob = await store(ctx, upload, ctx.config.catalogDatasetMaxBytes);
  return ctx.db.transaction(async (tx) => {
    // The listing row lock numbers concurrent uploads one after another.
    await tx.select({ id: listings.id }).from(listings).where(eq(listings.id, listingId)).for('update');
    const number = await nextNumberFor(tx, datasetVersions, datasetVersions.number, datasetVersions.listingId, listingId);
    const [version] = await tx
      .insert(datasetVersions)
      .values({ listingId, ownerPartyId: partyId, number, ...storedFile(caller, blob, upload) })
      .returning();
    const v = version!;
    await appendAudit(tx, caller.audit, {
      action: 'listing.dataset_version_uploaded',
      subject: { type: 'listing', id: listingId },
      payload: { versionId: v.id, number: v.number, sha256: v.sha256, sizeBytes: v.sizeBytes, mediaType: v.mediaType, filename: v.filename },
    });
    return v;
  });
}

/** A dataset version by id, for other modules (trading delivers exactly these bytes). */
export async function getDatasetVersion(db: Database, id: string): Promise<DatasetVersion | undefined> {
  const [version] = await db.select().from(datasetVersions).where(eq(datasetVersions.id, id));
  return version;
}
