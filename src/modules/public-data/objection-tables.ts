import { bigint, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';
import { dataVersions, entries } from './tables.js';

export const objectionKinds = ['doubt', 'error'] as const;
export const objectionStatuses = ['open', 'confirmed', 'corrected', 'rejected'] as const;
export type ObjectionStatus = (typeof objectionStatuses)[number];
export const demandStatuses = ['unrouted', 'open', 'already_open', 'planned', 'refused'] as const;
export type DemandStatus = (typeof demandStatuses)[number];

/** The bureau's settings for public data, one row per key (`objection_answer_working_days`). */
export const publicDataSettings = pgTable('public_data_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<number>().notNull(),
  updatedBy: uuid('updated_by').notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

/** A file of evidence a party uploaded for an objection; the bytes in the blob store under `sha256`. */
export const objectionEvidenceFiles = pgTable('public_data_objection_evidence', {
  id: uuid('id').primaryKey().defaultRandom(),
  partyId: uuid('party_id')
    .notNull()
    .references(() => parties.id),
  sha256: text('sha256').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  mediaType: text('media_type').notNull(),
  filename: text('filename'),
  uploadedBy: uuid('uploaded_by').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/**
 * Art. 22: a doubt about, or an error reported in, a published entry, and the department's answer.
 * The deadline is counted once at receipt on the stored calendar and kept with the versions it used.
 */
export const objections = pgTable(
  'public_data_objections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id),
    departmentPartyId: uuid('department_party_id')
      .notNull()
      .references(() => parties.id),
    objectorPartyId: uuid('objector_party_id')
      .notNull()
      .references(() => parties.id),
    objectorUserId: uuid('objector_user_id').notNull(),
    kind: text('kind', { enum: objectionKinds }).notNull(),
    description: text('description').notNull(),
    evidenceText: text('evidence_text'),
    evidenceFileId: uuid('evidence_file_id').references(() => objectionEvidenceFiles.id),
    status: text('status', { enum: objectionStatuses }).notNull().default('open'),
    receivedAt: timestamptz('received_at').notNull(),
    workingDays: integer('working_days').notNull(),
    dueAt: timestamptz('due_at').notNull(),
    dueDate: date('due_date').notNull(),
    deadlineProvisional: boolean('deadline_provisional').notNull(),
    calendarVersions: jsonb('calendar_versions').$type<Record<string, number>>().notNull(),
    reasons: text('reasons'),
    answeredAt: timestamptz('answered_at'),
    correctionVersionId: uuid('correction_version_id').references(() => dataVersions.id),
    closedAt: timestamptz('closed_at'),
  },
  (t) => [index('public_data_objections_entry_idx').on(t.entryId, t.status), index('public_data_objections_department_idx').on(t.departmentPartyId, t.status, t.dueAt)],
);

/** Shanghai Art. 10: a party's demand that data be opened, and the department's answer. */
export const demands = pgTable(
  'public_data_demands',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    demanderPartyId: uuid('demander_party_id')
      .notNull()
      .references(() => parties.id),
    demanderUserId: uuid('demander_user_id').notNull(),
    wantedData: text('wanted_data').notNull(),
    intendedUse: text('intended_use').notNull(),
    departmentPartyId: uuid('department_party_id').references(() => parties.id),
    status: text('status', { enum: demandStatuses }).notNull(),
    year: integer('year').notNull(),
    entryId: uuid('entry_id').references(() => entries.id),
    plannedOn: date('planned_on'),
    reasons: text('reasons'),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
    answeredAt: timestamptz('answered_at'),
  },
  (t) => [index('public_data_demands_department_idx').on(t.departmentPartyId, t.status), index('public_data_demands_year_idx').on(t.year, t.receivedAt)],
);

/** Shanghai Art. 10: the bureau's opening priorities of a year; each publication a new version. */
export const openingPriorities = pgTable(
  'public_data_opening_priorities',
  {
    year: integer('year').notNull(),
    version: integer('version').notNull(),
    note: text('note').notNull(),
    items: jsonb('items').$type<{ entryId?: string; theme?: string; note?: string }[]>().notNull(),
    publishedBy: uuid('published_by').notNull(),
    publishedAt: timestamptz('published_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.year, t.version] })],
);
