import { sql } from 'drizzle-orm';
import { boolean, check, customType, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { minorUnits, storedFileColumns, timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';
import type { GroundRecord, ListingContent, ProvenanceRecord, ReviewChecklistItem } from './schema.js';

// Timestamps keep milliseconds only, so a cursor carrying a JavaScript Date compares exactly.

/** A `tsvector` built by the application from its own lexemes (see search-text.ts). */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

export const reviewStatuses = ['draft', 'submitted', 'approved', 'rejected', 'changes_requested'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** Whether the listing is on sale; independent of the review of its latest revision. */
export const marketStatuses = ['unlisted', 'listed', 'suspended', 'delisted'] as const;
export type MarketStatus = (typeof marketStatuses)[number];

/** Columns of a record that belongs to a listing and is never updated: each change is a new version. */
const versionedDeclarationColumns = () => ({
  id: uuid('id').primaryKey().defaultRandom(),
  listingId: uuid('listing_id')
    .notNull()
    .references(() => listings.id),
  version: integer('version').notNull(),
  schemaVersion: integer('schema_version').notNull(),
});

/**
 * A data product of a provider party. Its content lives in revisions: `workingRevisionId` is the
 * latest (being drafted or reviewed), `liveRevisionId` the approved one buyers see. Editing an
 * approved listing makes a new working revision while the live one stays on sale.
 */
export const listings = pgTable(
  'catalog_listings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerPartyId: uuid('owner_party_id')
      .notNull()
      .references(() => parties.id),
    status: text('status', { enum: marketStatuses }).notNull().default('unlisted'),
    workingRevisionId: uuid('working_revision_id').notNull(),
    liveRevisionId: uuid('live_revision_id'),
    /** When the live revision was approved; the "newest" sort key. */
    listedAt: timestamptz('listed_at'),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('catalog_listings_owner_idx').on(t.ownerPartyId, t.createdAt),
    index('catalog_listings_listed_idx').on(t.status, t.listedAt),
  ],
);

/**
 * One version of a listing's content. A draft is edited in place; once submitted it is frozen, and
 * later changes make a new revision. The filter and search columns are derived from `content` when
 * the row is written, so search never parses JSON.
 */
export const listingRevisions = pgTable(
  'catalog_listing_revisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    listingId: uuid('listing_id')
      .notNull()
      .references(() => listings.id),
    number: integer('number').notNull(),
    reviewStatus: text('review_status', { enum: reviewStatuses }).notNull().default('draft'),
    content: jsonb('content').$type<ListingContent>().notNull(),
    provenanceId: uuid('provenance_id').references(() => provenanceDeclarations.id),
    groundId: uuid('ground_id').references(() => tradabilityGrounds.id),
    datasetVersionId: uuid('dataset_version_id').references(() => datasetVersions.id),
    title: text('title').notNull(),
    category: text('category').notNull(),
    grade: text('grade').notNull(),
    deliveryMethod: text('delivery_method').notNull(),
    governmentDerived: boolean('government_derived').notNull(),
    personalInformation: boolean('personal_information').notNull(),
    /** Cheapest plan, in minor units of `currency` (every plan of a listing has one currency). */
    minPriceMinor: minorUnits('min_price_minor').notNull(),
    currency: text('currency').notNull(),
    searchVector: tsvector('search_vector').notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    submittedAt: timestamptz('submitted_at'),
    decidedAt: timestamptz('decided_at'),
  },
  (t) => [
    uniqueIndex('catalog_revisions_number_idx').on(t.listingId, t.number),
    index('catalog_revisions_queue_idx').on(t.reviewStatus, t.submittedAt),
    index('catalog_revisions_search_idx').using('gin', t.searchVector),
    check('catalog_revisions_price_nonnegative', sql`${t.minPriceMinor} >= 0`),
  ],
);

/**
 * Art. 28(1): the provider states the data's source. Never updated: each change is a new version
 * row, and a revision points at the version it was reviewed with. `schemaVersion` tells readers
 * which shape `declaration` has, so later fields (lineage citing earlier trades) can be added.
 */
export const provenanceDeclarations = pgTable(
  'catalog_provenance_declarations',
  {
    ...versionedDeclarationColumns(),
    declaration: jsonb('declaration').$type<ProvenanceRecord>().notNull(),
    declaredBy: uuid('declared_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('catalog_provenance_version_idx').on(t.listingId, t.version)],
);

/** Art. 26: the ground a listing is tradable on, versioned like the provenance declaration. */
export const tradabilityGrounds = pgTable(
  'catalog_tradability_grounds',
  {
    ...versionedDeclarationColumns(),
    ground: jsonb('ground').$type<GroundRecord>().notNull(),
    declaredBy: uuid('declared_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('catalog_ground_version_idx').on(t.listingId, t.version)],
);

/** A dataset file uploaded for a listing; the bytes are in the blob store under `sha256`. */
export const datasetVersions = pgTable(
  'catalog_dataset_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    listingId: uuid('listing_id')
      .notNull()
      .references(() => listings.id),
    ownerPartyId: uuid('owner_party_id')
      .notNull()
      .references(() => parties.id),
    number: integer('number').notNull(),
    ...storedFileColumns(),
  },
  (t) => [uniqueIndex('catalog_dataset_versions_number_idx').on(t.listingId, t.number)],
);

/** Consent, authorisation and anonymisation evidence of a provider party, referenced by SHA-256. */
export const evidenceDocuments = pgTable(
  'catalog_evidence_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerPartyId: uuid('owner_party_id')
      .notNull()
      .references(() => parties.id),
    ...storedFileColumns(),
  },
  // The same bytes uploaded twice by one party are one document.
  (t) => [uniqueIndex('catalog_evidence_party_hash_idx').on(t.ownerPartyId, t.sha256)],
);

/** Art. 28(3): the record of each review, with the operator's checklist. */
export const listingReviews = pgTable(
  'catalog_listing_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    listingId: uuid('listing_id')
      .notNull()
      .references(() => listings.id),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => listingRevisions.id),
    reviewerUserId: uuid('reviewer_user_id').notNull(),
    decision: text('decision', { enum: ['approved', 'rejected', 'changes_requested'] }).notNull(),
    checklist: jsonb('checklist').$type<ReviewChecklistItem[]>().notNull(),
    notes: text('notes'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('catalog_reviews_listing_idx').on(t.listingId, t.createdAt)],
);

/**
 * Search's read model: one row per listing on sale (status `listed` with a live revision), holding
 * what search filters, sorts and shows, so a search reads one table. Joined, the planner could not
 * tell how many of a word's matches were on sale, and walked the listing-time index to its end for
 * rare words or sorted every match of a broad one; on one table the vector's statistics choose
 * between the word index and an ordered walk. Kept by the database (triggers of migration 0009, at
 * commit), so no code path can forget it. The party's standing stays a check at query time.
 */
export const catalogSearch = pgTable(
  'catalog_search',
  {
    listingId: uuid('listing_id')
      .primaryKey()
      .references(() => listings.id, { onDelete: 'cascade' }),
    revisionId: uuid('revision_id').notNull(),
    ownerPartyId: uuid('owner_party_id').notNull(),
    status: text('status', { enum: marketStatuses }).notNull(),
    reviewStatus: text('review_status', { enum: reviewStatuses }).notNull(),
    listedAt: timestamptz('listed_at'),
    updatedAt: timestamptz('updated_at').notNull(),
    title: jsonb('title').$type<{ zh?: string; en?: string }>().notNull(),
    category: text('category').notNull(),
    grade: text('grade').notNull(),
    deliveryMethod: text('delivery_method').notNull(),
    governmentDerived: boolean('government_derived').notNull(),
    minPriceMinor: minorUnits('min_price_minor').notNull(),
    currency: text('currency').notNull(),
    tags: jsonb('tags').$type<string[]>().notNull(),
    searchVector: tsvector('search_vector').notNull(),
  },
  // One index per sort's keyset order, and the vector's for words. The vector's takes each row at
  // once (no pending list): a pending list is read in full by every search until it is flushed.
  (t) => [
    index('catalog_search_listed_idx').on(t.listedAt, t.listingId),
    index('catalog_search_price_idx').on(t.minPriceMinor, t.listingId),
    index('catalog_search_vector_idx').using('gin', t.searchVector).with({ fastupdate: false }),
  ],
);
