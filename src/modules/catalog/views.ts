import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import type { DatasetVersion, EvidenceDocument } from './files.js';
import type { Listing, Revision } from './listings.js';
import { listingRevisions, listingReviews, listings, type MarketStatus, type ReviewStatus } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const fileFields = (f: DatasetVersion | EvidenceDocument) => ({
  id: f.id,
  sha256: f.sha256,
  sizeBytes: f.sizeBytes,
  mediaType: f.mediaType,
  filename: f.filename,
  createdAt: f.createdAt.toISOString(),
});
export const datasetVersionView = (v: DatasetVersion) => ({ ...fileFields(v), listingId: v.listingId, number: v.number });
export const evidenceDocumentView = (d: EvidenceDocument) => ({ ...fileFields(d), ownerPartyId: d.ownerPartyId });

export type SummaryRow = { listing: Listing; revision: Revision };

export const summaryView = ({ listing, revision }: SummaryRow) => ({
  id: listing.id,
  ownerPartyId: listing.ownerPartyId,
  status: listing.status,
  revisionId: revision.id,
  reviewStatus: revision.reviewStatus,
  title: revision.content.title,
  category: revision.category,
  grade: revision.content.grade,
  deliveryMethod: revision.content.deliveryMethod,
  governmentDerived: revision.governmentDerived,
  minPrice: { amountMinor: revision.minPriceMinor, currency: revision.currency },
  listedAt: iso(listing.listedAt),
  updatedAt: listing.updatedAt.toISOString(),
});

export const UpdatedCursor = TimeAndIdCursor('updatedAt');
export type UpdatedCursor = Static<typeof UpdatedCursor>;

/**
 * Listings with their working revision, most recently changed first: a provider's own (all
 * states), or every party's for operators.
 */
export async function listWorkingListings(
  db: Database,
  q: { partyId?: string | undefined; status?: MarketStatus | undefined; reviewStatus?: ReviewStatus | undefined; after?: UpdatedCursor | undefined; limit: number },
): Promise<SummaryRow[]> {
  const filters: (SQL | undefined)[] = [
    q.partyId ? eq(listings.ownerPartyId, q.partyId) : undefined,
    q.status ? eq(listings.status, q.status) : undefined,
    q.reviewStatus ? eq(listingRevisions.reviewStatus, q.reviewStatus) : undefined,
    q.after
      ? or(lt(listings.updatedAt, new Date(q.after.updatedAt)), and(eq(listings.updatedAt, new Date(q.after.updatedAt)), lt(listings.id, q.after.id)))
      : undefined,
  ];
  return db
    .select({ listing: listings, revision: listingRevisions })
    .from(listings)
    .innerJoin(listingRevisions, eq(listingRevisions.id, listings.workingRevisionId))
    .where(and(...filters))
    .orderBy(desc(listings.updatedAt), desc(listings.id))
    .limit(q.limit);
}

export const QueueCursor = TimeAndIdCursor('submittedAt');
export type QueueCursor = Static<typeof QueueCursor>;

/** The operators' queue: revisions waiting for review, oldest submission first. */
export async function reviewQueue(db: Database, q: { after?: QueueCursor | undefined; limit: number }): Promise<SummaryRow[]> {
  const after = q.after
    ? or(gt(listingRevisions.submittedAt, new Date(q.after.submittedAt)), and(eq(listingRevisions.submittedAt, new Date(q.after.submittedAt)), gt(listingRevisions.id, q.after.id)))
    : undefined;
  return db
    .select({ listing: listings, revision: listingRevisions })
    .from(listingRevisions)
    .innerJoin(listings, eq(listings.id, listingRevisions.listingId))
    .where(and(eq(listingRevisions.reviewStatus, 'submitted'), after))
    .orderBy(asc(listingRevisions.submittedAt), asc(listingRevisions.id))
    .limit(q.limit);
}

export async function listReviews(db: Database, listingId: string) {
  const rows = await db.select().from(listingReviews).where(eq(listingReviews.listingId, listingId)).orderBy(asc(listingReviews.createdAt));
  return rows.map((r) => ({
    id: r.id,
    revisionId: r.revisionId,
    reviewerUserId: r.reviewerUserId,
    decision: r.decision,
    checklist: r.checklist,
    notes: r.notes,
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function revisionsById(db: Database, ids: string[]): Promise<Map<string, Revision>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(listingRevisions).where(inArray(listingRevisions.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}
