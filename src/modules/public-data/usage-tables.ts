import { date, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';
import { publicDataRequests } from './request-tables.js';

/**
 * What a usage report holds, whoever owes it: the period of the schedule it reports and what the
 * user says of its use in it. A user of opened data (below) and a department that central
 * procurement bought data for (procurement/tables.ts) report alike.
 */
export const usageReportColumns = () => ({
  /** 1 for the first period of the schedule. */
  period: integer('period').notNull(),
  periodStart: date('period_start').notNull(),
  periodEnd: date('period_end').notNull(),
  dueDate: date('due_date').notNull(),
  /** How the data were used in the period, and to what end. */
  summary: text('summary').notNull(),
  /** The security safeguards applied (Art. 20 ¶2). */
  safeguards: text('safeguards').notNull(),
  /** What came of the use, if anything yet. */
  results: text('results'),
  filedAt: timestamptz('filed_at').notNull(),
  filedBy: uuid('filed_by').notNull(),
});

/**
 * Art. 20 ¶1: the user of opened data reports its use to the department, one report per period of
 * the schedule its agreement sets (usage-schedule.ts). A period is reported once.
 */
export const usageReports = pgTable(
  'public_data_usage_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => publicDataRequests.id),
    ...usageReportColumns(),
  },
  (t) => [uniqueIndex('public_data_usage_reports_period_idx').on(t.requestId, t.period)],
);

/** The opened request (and so the agreement) a record is about, and its two sides. */
const ofAgreement = () => ({
  requestId: uuid('request_id')
    .notNull()
    .references(() => publicDataRequests.id),
  userPartyId: uuid('user_party_id')
    .notNull()
    .references(() => parties.id),
  departmentPartyId: uuid('department_party_id')
    .notNull()
    .references(() => parties.id),
});

/** Art. 20 ¶1: what the data went into, each of which cites its source. */
export const outcomeKinds = ['research_report', 'paper', 'intellectual_property', 'data_service', 'product'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

export const usageOutcomes = pgTable(
  'public_data_outcomes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...ofAgreement(),
    kind: text('kind', { enum: outcomeKinds }).notNull(),
    title: text('title').notNull(),
    description: text('description'),
    /** Where the outcome is found: a DOI, a patent number, an address. */
    reference: text('reference'),
    /** The citation of the data source as the outcome carries it; null: not cited (yet). */
    citation: text('citation'),
    citedAt: timestamptz('cited_at'),
    registeredAt: timestamptz('registered_at').notNull(),
    registeredBy: uuid('registered_by').notNull(),
  },
  (t) => [index('public_data_outcomes_request_idx').on(t.requestId, t.registeredAt), index('public_data_outcomes_department_idx').on(t.departmentPartyId)],
);

/** Art. 64 (一)-(四): the breaches of Art. 20 an order to correct names. */
export const orderGrounds = ['usage_not_reported', 'source_not_cited', 'beyond_scope', 'tampered_destroyed_or_leaked'] as const;
export type OrderGround = (typeof orderGrounds)[number];

/** `open` until corrected or decided; a decision is the bureau's and final. */
export const orderStates = ['open', 'corrected', 'decided'] as const;
export type OrderState = (typeof orderStates)[number];

export interface CorrectionRecord {
  /** `report_filed` and `outcome_cited` close an order by the fact; `statement` is the user's word. */
  how: 'report_filed' | 'outcome_cited' | 'statement';
  statement: string | null;
  correctedAt: string;
  correctedBy: string | null;
}

/** Art. 64: the bureau's decision once the order went unheeded (or the consequences are serious). */
export interface DecisionRecord {
  kind: 'fine' | 'suspension';
  /** A fine: 10,000 to 100,000 yuan. */
  amountYuan: number | null;
  ground: string;
  seriousConsequences: boolean;
  /** A suspension: the last day of it (Asia/Shanghai), or null until the bureau lifts it. */
  suspendedUntil: string | null;
  decidedAt: string;
  decidedBy: string;
}

/** Art. 64: an order to correct within a time limit, and what came of it. */
export const usageOrders = pgTable(
  'public_data_usage_orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ...ofAgreement(),
    ground: text('ground', { enum: orderGrounds }).notNull(),
    details: text('details').notNull(),
    /** `usage_not_reported`: the period not reported. */
    period: integer('period'),
    /** `source_not_cited`: the outcome without its citation. */
    outcomeId: uuid('outcome_id').references(() => usageOutcomes.id),
    /** The last day to correct, Asia/Shanghai. */
    correctBy: date('correct_by').notNull(),
    issuedAt: timestamptz('issued_at').notNull(),
    issuedBy: uuid('issued_by').notNull(),
    /** Who ordered: the department (政務部門) or the bureau (市大數據發展主管部門). */
    issuedAs: text('issued_as', { enum: ['department', 'bureau'] }).notNull(),
    state: text('state', { enum: orderStates }).notNull(),
    correction: jsonb('correction').$type<CorrectionRecord>(),
    decision: jsonb('decision').$type<DecisionRecord>(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('public_data_usage_orders_request_idx').on(t.requestId),
    index('public_data_usage_orders_user_idx').on(t.userPartyId, t.issuedAt),
    index('public_data_usage_orders_department_idx').on(t.departmentPartyId, t.issuedAt),
  ],
);

export type UsageReport = typeof usageReports.$inferSelect;
export type UsageOutcome = typeof usageOutcomes.$inferSelect;
export type UsageOrder = typeof usageOrders.$inferSelect;
