import { bigint, boolean, customType, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { storedFileColumns, timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';
import { entryReviewStatuses, openClasses, sharingClasses, type EntryContent } from './schema.js';

/** A `tsvector` of the application's own lexemes (catalog/search-text.ts), as the catalog keeps. */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/**
 * An entry of the public-data resource catalogue, owned by a department (a `public_body` party).
 * Like a catalog listing its content lives in revisions: `workingRevisionId` is the latest (drafted
 * or under review), `liveRevisionId` the one the bureau approved, which stays published while a
 * later revision is reviewed (Shanghai Art. 12).
 */
export const entries = pgTable(
  'public_data_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    departmentPartyId: uuid('department_party_id')
      .notNull()
      .references(() => parties.id),
    workingRevisionId: uuid('working_revision_id').notNull(),
    liveRevisionId: uuid('live_revision_id'),
    /** When the live revision was approved; the "newest" order of the open list. */
    publishedAt: timestamptz('published_at'),
    /** Downloads of the entry's data, a resumed range not counted again (Art. 18 ¶1 direct access). */
    downloadCount: bigint('download_count', { mode: 'number' }).notNull().default(0),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('public_data_entries_department_idx').on(t.departmentPartyId, t.updatedAt), index('public_data_entries_published_idx').on(t.publishedAt, t.id)],
);

/** One version of an entry's content; a draft is edited in place, a submitted one never changes. */
export const entryRevisions = pgTable(
  'public_data_entry_revisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id),
    number: integer('number').notNull(),
    reviewStatus: text('review_status', { enum: entryReviewStatuses }).notNull().default('draft'),
    content: jsonb('content').$type<EntryContent>().notNull(),
    title: text('title').notNull(),
    openClass: text('open_class', { enum: openClasses }).notNull(),
    sharingClass: text('sharing_class', { enum: sharingClasses }).notNull(),
    searchVector: tsvector('search_vector').notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    submittedAt: timestamptz('submitted_at'),
    decidedAt: timestamptz('decided_at'),
  },
  (t) => [
    uniqueIndex('public_data_revisions_number_idx').on(t.entryId, t.number),
    index('public_data_revisions_queue_idx').on(t.reviewStatus, t.submittedAt),
    index('public_data_revisions_search_idx').using('gin', t.searchVector),
  ],
);

/** Shanghai Art. 12: the bureau's decision on each submitted revision, with its reasons. */
export const entryReviews = pgTable(
  'public_data_entry_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => entryRevisions.id),
    reviewerUserId: uuid('reviewer_user_id').notNull(),
    decision: text('decision', { enum: ['approved', 'rejected'] }).notNull(),
    reasons: text('reasons').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('public_data_reviews_entry_idx').on(t.entryId, t.createdAt)],
);

/** A version of an entry's data: the bytes in the blob store under `sha256`; never changed. */
export const dataVersions = pgTable(
  'public_data_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id),
    number: integer('number').notNull(),
    changeNote: text('change_note').notNull(),
    ...storedFileColumns(),
  },
  (t) => [uniqueIndex('public_data_versions_number_idx').on(t.entryId, t.number)],
);

/** Every download of open data: who, for which party, which bytes; `counted` when it starts at byte 0. */
export const dataDownloads = pgTable(
  'public_data_downloads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id),
    versionId: uuid('version_id')
      .notNull()
      .references(() => dataVersions.id),
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    userId: uuid('user_id').notNull(),
    rangeStart: bigint('range_start', { mode: 'number' }).notNull(),
    rangeEnd: bigint('range_end', { mode: 'number' }).notNull(),
    counted: boolean('counted').notNull(),
    auditEventId: uuid('audit_event_id').notNull(),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [index('public_data_downloads_entry_idx').on(t.entryId, t.at)],
);
