import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { minorUnits, timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';
import { usageReportColumns } from '../public-data/usage-tables.js';

/**
 * Central procurement by the big-data bureau (Chongqing draft Art. 27 ¶3): departments file what
 * they need to buy, the bureau consolidates needs of several departments into one purchase and buys
 * it on the exchange as buyer of record. Each department's share counts against its year's budget.
 */

/** The bureau's allotment to a department for a budget year, in minor units (CNY). */
export const procurementBudgets = pgTable(
  'procurement_budgets',
  {
    departmentPartyId: uuid('department_party_id')
      .notNull()
      .references(() => parties.id),
    year: integer('year').notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
    setBy: uuid('set_by').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.departmentPartyId, t.year] }), check('procurement_budgets_amount', sql`${t.amountMinor} >= 0`)],
);

export const needStatuses = ['filed', 'consolidated', 'withdrawn'] as const;
export type NeedStatus = (typeof needStatuses)[number];

/**
 * Art. 13(2): an entry of the published open list that the department could obtain by sharing or by
 * opening instead of buying, found when the need was filed.
 */
export interface PublicDataMatch {
  entryId: string;
  departmentPartyId: string;
  title: string;
  openClass: string;
  sharingClass: string;
  /** How the department could have it: by sharing (another department's, shared) and/or by opening. */
  ways: ('sharing' | 'opening')[];
}

/** A department's purchase need: what data, for which duty and on which legal basis, for how much. */
export const procurementNeeds = pgTable(
  'procurement_needs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    departmentPartyId: uuid('department_party_id')
      .notNull()
      .references(() => parties.id),
    filedBy: uuid('filed_by').notNull(),
    status: text('status', { enum: needStatuses }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    duty: text('duty').notNull(),
    legalBasis: text('legal_basis').notNull(),
    budgetMinor: minorUnits('budget_minor').notNull(),
    currency: text('currency').notNull(),
    termStart: date('term_start').notNull(),
    termEnd: date('term_end').notNull(),
    budgetYear: integer('budget_year').notNull(),
    /** At filing: the need plus the year's committed shares exceeded the department's budget. */
    overBudget: boolean('over_budget').notNull(),
    /** At filing: the budget (null: none set) and the committed shares it was compared with. */
    budgetAtFilingMinor: minorUnits('budget_at_filing_minor'),
    committedAtFilingMinor: minorUnits('committed_at_filing_minor').notNull(),
    availableAsPublicData: jsonb('available_as_public_data').$type<PublicDataMatch[]>().notNull(),
    procurementId: uuid('procurement_id'),
    withdrawnReason: text('withdrawn_reason'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    index('procurement_needs_department_idx').on(t.departmentPartyId, t.createdAt),
    index('procurement_needs_status_idx').on(t.status, t.createdAt),
    index('procurement_needs_procurement_idx').on(t.procurementId),
    check('procurement_needs_budget', sql`${t.budgetMinor} > 0`),
    check('procurement_needs_term', sql`${t.termEnd} >= ${t.termStart}`),
    check('procurement_needs_consolidated', sql`(${t.status} = 'consolidated') = (${t.procurementId} is not null)`),
  ],
);

export const procurementStatuses = ['draft', 'ordered', 'completed', 'cancelled'] as const;
export type ProcurementStatus = (typeof procurementStatuses)[number];

/** One purchase by the bureau for needs of several departments. */
export const procurements = pgTable(
  'procurements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `PRC-2026-000001`, from `procurement_number_counters`. */
    number: text('number').notNull().unique(),
    /** The bureau's party: the buyer of record. */
    bureauPartyId: uuid('bureau_party_id')
      .notNull()
      .references(() => parties.id),
    createdBy: uuid('created_by').notNull(),
    status: text('status', { enum: procurementStatuses }).notNull(),
    budgetYear: integer('budget_year').notNull(),
    listingId: uuid('listing_id').notNull(),
    pricePlan: text('price_plan').notNull(),
    quantity: integer('quantity').notNull(),
    termStart: date('term_start'),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
    purpose: text('purpose').notNull(),
    scenario: text('scenario').notNull(),
    safeguards: text('safeguards').notNull(),
    /** Art. 20 ¶1: each beneficiary reports its use of the data every so many months (usage.ts). */
    reportEveryMonths: integer('report_every_months').notNull().default(3),
    /** The order the bureau placed on the exchange (trading owns orders: no foreign key). */
    orderId: uuid('order_id'),
    cancelReason: text('cancel_reason'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [index('procurements_bureau_idx').on(t.bureauPartyId, t.createdAt), index('procurements_status_idx').on(t.status, t.createdAt)],
);

/** Each beneficiary department's share of the price; committed against its budget year when ordered. */
export const procurementShares = pgTable(
  'procurement_shares',
  {
    procurementId: uuid('procurement_id')
      .notNull()
      .references(() => procurements.id),
    departmentPartyId: uuid('department_party_id')
      .notNull()
      .references(() => parties.id),
    /** Order of the beneficiaries as the procurement names them (the first takes the rounding remainder). */
    position: integer('position').notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    committedAt: timestamptz('committed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.procurementId, t.departmentPartyId] }),
    index('procurement_shares_department_idx').on(t.departmentPartyId),
    check('procurement_shares_amount', sql`${t.amountMinor} >= 0`),
  ],
);

/** Each step a procurement took, with the audit event that records it (the departments hold receipts). */
export const procurementSteps = pgTable(
  'procurement_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    procurementId: uuid('procurement_id')
      .notNull()
      .references(() => procurements.id),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorUserId: uuid('actor_user_id'),
    auditEventId: uuid('audit_event_id').notNull(),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('procurement_steps_procurement_idx').on(t.procurementId, t.seq)],
);

/**
 * Art. 20 ¶1, as any user of data: each beneficiary department reports its use of what was bought
 * for it to the bureau, one report per period of its schedule (usage.ts), each period once.
 */
export const procurementUsageReports = pgTable(
  'procurement_usage_reports',
  {
    id: uuid('id').primaryKey(),
    procurementId: uuid('procurement_id').notNull(),
    departmentPartyId: uuid('department_party_id').notNull(),
    ...usageReportColumns(),
    /** The audit event of the filing: the department and the bureau hold its receipt. */
    auditEventId: uuid('audit_event_id').notNull(),
  },
  (t) => [
    // Only a beneficiary reports: the report hangs on its share of the procurement.
    foreignKey({ name: 'procurement_usage_reports_share_fk', columns: [t.procurementId, t.departmentPartyId], foreignColumns: [procurementShares.procurementId, procurementShares.departmentPartyId] }),
    uniqueIndex('procurement_usage_reports_period_idx').on(t.procurementId, t.departmentPartyId, t.period),
  ],
);

/** The last procurement number given per year. */
export const procurementNumberCounters = pgTable('procurement_number_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

export type Need = typeof procurementNeeds.$inferSelect;
export type Procurement = typeof procurements.$inferSelect;
export type Share = typeof procurementShares.$inferSelect;
export type ProcurementUsageReport = typeof procurementUsageReports.$inferSelect;
