import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import { notFound } from '../../lib/errors.js';
import { partyMayTrade } from '../identity/service.js';
import type { Caller } from './context.js';
import { isOperator } from './context.js';
import type { DatasetVersion, EvidenceDocument } from './files.js';
import type { Listing, Revision } from './listings.js';
import { datasetVersions, listingRevisions, listingReviews, listings, provenanceDeclarations, tradabilityGrounds, type MarketStatus, type ReviewStatus } from './tables.js';

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

export async function revisionView(db: Database, r: Revision) {
  const [provenance] = r.provenanceId ? await db.select().from(provenanceDeclarations).where(eq(provenanceDeclarations.id, r.provenanceId)) : [];
  const [ground] = r.groundId ? await db.select().from(tradabilityGrounds).where(eq(tradabilityGrounds.id, r.groundId)) : [];
  const [version] = r.datasetVersionId ? await db.select().from(datasetVersions).where(eq(datasetVersions.id, r.datasetVersionId)) : [];
  const versioned = (v: { id: string; version: number; schemaVersion: number; createdAt: Date }) => ({
    id: v.id,
    version: v.version,
    schemaVersion: v.schemaVersion,
    declaredAt: v.createdAt.toISOString(),
  });
  return {
    id: r.id,
    number: r.number,
    reviewStatus: r.reviewStatus,
    content: r.content,
    provenance: provenance ? { ...versioned(provenance), declaration: provenance.declaration } : null,
    ground: ground ? { ...versioned(ground), ground: ground.ground } : null,
    datasetVersion: version ? datasetVersionView(version) : null,
    createdAt: r.createdAt.toISOString(),
    submittedAt: iso(r.submittedAt),
    decidedAt: iso(r.decidedAt),
  };
}

/**
 * A listing as the caller may see it. Its party and operators see every revision state; anyone
 * else sees only a listing on sale, and only its approved revision (404 otherwise: drafts,
 * suspended and delisted listings do not exist for buyers).
 */
export async function listingViewFor(db: Database, caller: Caller, id: string) {
  const [row] = await db.select({ listing: listings, onSale: partyMayTrade(listings.ownerPartyId).mapWith(Boolean) }).from(listings).where(eq(listings.id, id));
  if (!row) throw notFound('listing');
  const { listing } = row;
  const insider = listing.ownerPartyId === caller.actor.partyId || isOperator(caller);
  if (!insider && (listing.status !== 'listed' || !listing.liveRevisionId || !row.onSale)) throw notFound('listing');
  const load = async (revisionId: string | null) => {
    if (!revisionId) return null;
    const [r] = await db.select().from(listingRevisions).where(eq(listingRevisions.id, revisionId));
    return r ? revisionView(db, r) : null;
  };
  return {
    id: listing.id,
    ownerPartyId: listing.ownerPartyId,
    status: listing.status,
    listedAt: iso(listing.listedAt),
    live: await load(listing.liveRevisionId),
    working: insider ? await load(listing.workingRevisionId) : null,
    createdAt: listing.createdAt.toISOString(),
    updatedAt: listing.updatedAt.toISOString(),
  };
}

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
