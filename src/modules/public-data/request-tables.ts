import { boolean, date, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';
import type { LegalBasis } from './schema.js';

/** Art. 18 ¶2 (a party asks a department for conditionally open data) and Art. 16 (a department asks another). */
export const requestKinds = ['open', 'sharing'] as const;
export type RequestKind = (typeof requestKinds)[number];

/** See request-states.ts for the moves between them. Overdue is a flag (`overdueAt`), not a state. */
export const requestStates = ['received', 'extended', 'approved', 'refused', 'signed', 'active', 'ended'] as const;
export type RequestState = (typeof requestStates)[number];

/** The head of the department's approval of an extension (Art. 16 ¶2, Art. 18 ¶2: 經本單位負責人同意). */
export interface ExtensionRecord {
  workingDays: number;
  approverName: string;
  approverTitle: string;
  approvedAt: string;
  reason: string;
  extendedAt: string;
  previousDueAt: string;
}

export interface AnswerRecord {
  decision: 'approved' | 'refused';
  /** Who answered: a department user, or `system` for unconditional sharing granted at once. */
  answeredBy: string | null;
  reasons: string | null;
  legalBasis: LegalBasis | null;
}

/**
 * A conditional-open or sharing request. Its deadline is computed once at receipt from the stored
 * calendar and kept with the calendar versions it used (STYLE 14); only a load of a year the count
 * touches recomputes it (request-deadlines.ts).
 */
export const publicDataRequests = pgTable(
  'public_data_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: requestKinds }).notNull(),
    state: text('state', { enum: requestStates }).notNull(),
    /** The applicant: a verified person or organisation (open), or the requesting department (sharing). */
    applicantPartyId: uuid('applicant_party_id')
      .notNull()
      .references(() => parties.id),
    /** The department that holds the data and answers. */
    departmentPartyId: uuid('department_party_id')
      .notNull()
      .references(() => parties.id),
    entryIds: uuid('entry_ids').array().notNull(),
    /** The entries the answer granted (a subset of `entryIds`); null until approved. */
    approvedEntryIds: uuid('approved_entry_ids').array(),
    purpose: text('purpose').notNull(),
    /** Open requests (Art. 19 ¶2): the application scenario and the security safeguards. */
    scenario: text('scenario'),
    safeguards: text('safeguards'),
    /** Sharing requests (Art. 16 ¶1): the basis, scope and manner of use. */
    basis: text('basis'),
    scope: text('scope'),
    manner: text('manner'),
    /** The term of use, calendar days in Asia/Shanghai, both included. */
    termStart: date('term_start').notNull(),
    termEnd: date('term_end').notNull(),
    receivedAt: timestamptz('received_at').notNull(),
    /** 10 (Art. 18 ¶2) or 5 (Art. 16 ¶2) working days from the day after receipt. */
    answerDays: integer('answer_days').notNull(),
    dueAt: timestamptz('due_at').notNull(),
    dueDate: date('due_date').notNull(),
    deadlineProvisional: boolean('deadline_provisional').notNull(),
    /** The calendar versions the deadline was counted on: `{ "2026": 1 }`. */
    calendarVersions: jsonb('calendar_versions').$type<Record<string, number>>().notNull(),
    extension: jsonb('extension').$type<ExtensionRecord>(),
    /** Set once, by the sweep, when the deadline passed unanswered. */
    overdueAt: timestamptz('overdue_at'),
    answeredAt: timestamptz('answered_at'),
    answer: jsonb('answer').$type<AnswerRecord>(),
    /** The government data utilization agreement of an approved open request (Art. 19). */
    agreementId: uuid('agreement_id'),
    /** Opening: the agreement's schedule of usage reports (Art. 20 ¶1), one every so many months. */
    reportEveryMonths: integer('report_every_months'),
    createdBy: uuid('created_by').notNull(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('public_data_requests_department_idx').on(t.departmentPartyId, t.receivedAt),
    index('public_data_requests_applicant_idx').on(t.applicantPartyId, t.receivedAt),
    index('public_data_requests_due_idx').on(t.state, t.dueAt),
  ],
);

export type PublicDataRequest = typeof publicDataRequests.$inferSelect;
