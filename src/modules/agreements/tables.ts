import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../lib/columns.js';
import type { Bilingual, FilledClause } from './model-text.js';

// Timestamps keep milliseconds only: the PDF prints them and its bytes must come back the same.

export const agreementKindValues = ['trade', 'utilization', 'procurement'] as const;

/** Art. 19 ¶3: the bureau's model texts, every version kept; agreements point at the one they were made from. */
export const agreementModelTexts = pgTable(
  'agreement_model_texts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: agreementKindValues }).notNull(),
    version: integer('version').notNull(),
    sha256: text('sha256').notNull(),
    source: text('source').notNull(),
    /** Null: shipped in templates/ and loaded at start-up. */
    publishedBy: uuid('published_by'),
    publishedAt: timestamptz('published_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('agreement_model_texts_kind_version_idx').on(t.kind, t.version)],
);

export const agreementStatuses = ['draft', 'awaiting_signatures', 'signed', 'expired', 'terminated'] as const;
export type AgreementStatus = (typeof agreementStatuses)[number];

/** A party as the agreement states it, frozen when drafted: the name and the masked identity number. */
export interface AgreementPartyRecord {
  partyId: string;
  /** Its role in this agreement: provider/buyer, department/user, bureau/provider. */
  role: string;
  label: Bilingual;
  name: string;
  identityNumberMasked: string;
  /** Signs the agreement (the bureau copy of a utilization agreement is named, not a signer). */
  signs: boolean;
}

export interface DataListItem {
  name: string;
  description: string;
  format: string;
  sha256: string | null;
}

export const agreements = pgTable(
  'agreements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `DTA-2026-000123`; the prefix names the kind. */
    number: text('number').notNull(),
    kind: text('kind', { enum: agreementKindValues }).notNull(),
    /** The order of a trade agreement; trading owns orders, so no foreign key across the boundary. */
    orderId: uuid('order_id'),
    /** The conditional-open request or procurement the agreement comes from (publicdata, procurement). */
    sourceReference: text('source_reference'),
    status: text('status', { enum: agreementStatuses }).notNull(),
    modelTextId: uuid('model_text_id')
      .notNull()
      .references(() => agreementModelTexts.id),
    modelVersion: integer('model_version').notNull(),
    modelSha256: text('model_sha256').notNull(),
    title: jsonb('title').$type<Bilingual>().notNull(),
    basis: jsonb('basis').$type<Bilingual>().notNull(),
    parties: jsonb('parties').$type<AgreementPartyRecord[]>().notNull(),
    /** The signing parties, for "my agreements" and authorisation. */
    partyIds: uuid('party_ids').array().notNull(),
    /** The party that receives the data and certifies its disposal at the end (Art. 19 ¶2). */
    recipientPartyId: uuid('recipient_party_id').notNull(),
    values: jsonb('values').$type<Record<string, string>>().notNull(),
    clauses: jsonb('clauses').$type<FilledClause[]>().notNull(),
    dataList: jsonb('data_list').$type<DataListItem[]>().notNull(),
    termStart: timestamptz('term_start').notNull(),
    termEnd: timestamptz('term_end').notNull(),
    /** Each amendment of a draft is a new revision with a new content hash. */
    revision: integer('revision').notNull().default(1),
    contentSha256: text('content_sha256').notNull(),
    contentBytes: integer('content_bytes').notNull(),
    sealedSha256: text('sealed_sha256'),
    sealedBytes: integer('sealed_bytes'),
    sealedAt: timestamptz('sealed_at'),
    sealAuditEventId: uuid('seal_audit_event_id'),
    expiredAt: timestamptz('expired_at'),
    terminatedAt: timestamptz('terminated_at'),
    terminationReason: text('termination_reason'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('agreements_number_idx').on(t.number),
    uniqueIndex('agreements_order_idx').on(t.orderId).where(sql`${t.orderId} is not null`),
    uniqueIndex('agreements_sealed_sha256_idx').on(t.sealedSha256).where(sql`${t.sealedSha256} is not null`),
    index('agreements_content_sha256_idx').on(t.contentSha256),
    index('agreements_party_ids_idx').using('gin', t.partyIds),
    index('agreements_status_term_idx').on(t.status, t.termEnd),
  ],
);

/** One signature per signing party, over the content hash the signer saw. */
export const agreementSignatures = pgTable(
  'agreement_signatures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    partyId: uuid('party_id').notNull(),
    userId: uuid('user_id').notNull(),
    userName: text('user_name').notNull(),
    signedAt: timestamptz('signed_at').notNull(),
    ip: text('ip'),
    contentSha256: text('content_sha256').notNull(),
    revision: integer('revision').notNull(),
    auditEventId: uuid('audit_event_id').notNull(),
  },
  (t) => [uniqueIndex('agreement_signatures_party_idx').on(t.agreementId, t.partyId)],
);

/** Art. 19 ¶1: the copy of each signed utilization agreement to the big-data bureau, as a notification. */
export const agreementBureauCopies = pgTable(
  'agreement_bureau_copies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    notifiedAt: timestamptz('notified_at').notNull(),
    readAt: timestamptz('read_at'),
  },
  (t) => [uniqueIndex('agreement_bureau_copies_agreement_idx').on(t.agreementId), index('agreement_bureau_copies_notified_idx').on(t.notifiedAt, t.id)],
);

export const disposalMethods = ['deleted', 'returned', 'retained_under_new_agreement'] as const;
export type DisposalMethod = (typeof disposalMethods)[number];

/** Art. 19 ¶2: how the data were disposed of when the agreement ended, certified by the recipient. */
export const agreementDisposals = pgTable('agreement_disposals', {
  agreementId: uuid('agreement_id')
    .primaryKey()
    .references(() => agreements.id),
  method: text('method', { enum: disposalMethods }).notNull(),
  statement: text('statement').notNull(),
  newAgreementNumber: text('new_agreement_number'),
  partyId: uuid('party_id').notNull(),
  certifiedBy: uuid('certified_by').notNull(),
  certifiedAt: timestamptz('certified_at').notNull(),
  auditEventId: uuid('audit_event_id').notNull(),
});

/** The last number given per prefix and year; agreement numbers have no gaps within a committed year. */
export const agreementNumberCounters = pgTable(
  'agreement_number_counters',
  {
    prefix: text('prefix').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.year] })],
);
