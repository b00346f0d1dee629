import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { minorUnits, timestamptz } from '../../lib/columns.js';
import { payments } from './tables.js';

/**
 * Statements of the exchange's bank account as the bank sent them (camt.053 or a bank's CSV
 * export), and each of their lines. A statement is imported once (its identity); a line is recorded
 * once whatever statement brings it (the bank's own reference), so overlapping exports post nothing
 * twice. Amounts are integer minor units, positive; `direction` says which way the money went.
 */

export const statementFormats = ['camt053', 'csv'] as const;

export const bankStatements = pgTable(
  'settlement_bank_statements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** camt.053: `camt053:<account>:<Stmt/Id>`; CSV: `csv:<SHA-256 of the file>`. */
    identity: text('identity').notNull().unique(),
    format: text('format', { enum: statementFormats }).notNull(),
    /** The bank's id of the statement (camt.053 Stmt/Id), or the file's SHA-256 for a CSV export. */
    statementId: text('statement_id').notNull(),
    account: text('account'),
    currency: text('currency').notNull(),
    /** Booked balances the bank reported (OPBD/CLBD; a CSV's balance column), signed: negative is an overdraft. */
    openingBalanceMinor: minorUnits('opening_balance_minor'),
    closingBalanceMinor: minorUnits('closing_balance_minor'),
    closingDate: date('closing_date', { mode: 'string' }),
    sha256: text('sha256').notNull(),
    lineCount: integer('line_count').notNull(),
    importedBy: uuid('imported_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('settlement_bank_statements_created_idx').on(t.createdAt, t.id)],
);

export const lineDirections = ['credit', 'debit'] as const;

/**
 * `posted`: matched by its reference and posted to the payment on import; `accounted`: its bank
 * reference was already recorded (a receipt typed by hand, a payout, a refund, a repayment);
 * `unmatched`: waits for an operator, who `resolved` it by naming the payment or `dismissed` it.
 */
export const lineStatuses = ['posted', 'accounted', 'unmatched', 'resolved', 'dismissed'] as const;
export type LineStatus = (typeof lineStatuses)[number];

/** Why a line was not posted on import. */
export const unmatchedReasons = ['no_reference', 'unknown_reference', 'ambiguous_reference', 'currency_mismatch', 'debit', 'batch'] as const;
export type UnmatchedReason = (typeof unmatchedReasons)[number];

export const bankStatementLines = pgTable(
  'settlement_bank_statement_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    statementId: uuid('statement_id')
      .notNull()
      .references(() => bankStatements.id),
    /** The line's position in its statement, from 1. */
    position: integer('position').notNull(),
    bankReference: text('bank_reference').notNull().unique(),
    direction: text('direction', { enum: lineDirections }).notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
    bookingDate: date('booking_date', { mode: 'string' }),
    remittance: text('remittance').notNull(),
    status: text('status', { enum: lineStatuses }).notNull(),
    unmatchedReason: text('unmatched_reason', { enum: unmatchedReasons }),
    /** The payment reference found in the remittance text (or named by the operator), in its one spelling. */
    paymentReference: text('payment_reference'),
    paymentId: uuid('payment_id').references(() => payments.id),
    dismissalReason: text('dismissal_reason'),
    resolvedBy: uuid('resolved_by'),
    resolvedAt: timestamptz('resolved_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('settlement_bank_statement_lines_statement_idx').on(t.statementId, t.position),
    index('settlement_bank_statement_lines_status_idx').on(t.status, t.createdAt, t.id),
    check('settlement_bank_statement_lines_amount', sql`${t.amountMinor} > 0`),
    check('settlement_bank_statement_lines_unmatched', sql`(${t.status} = 'unmatched') = (${t.unmatchedReason} is not null) or ${t.status} in ('resolved', 'dismissed')`),
  ],
);
