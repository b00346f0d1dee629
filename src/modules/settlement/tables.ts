import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { minorUnits, timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';

// Orders belong to the trading module: rows here name an order by its id with no foreign key.
// Amounts are integer minor units with an ISO 4217 currency; timestamps keep milliseconds.


export const paymentRails = ['stripe', 'bank_transfer'] as const;

/**
 * `provider_receivable` (per party): what a provider owes the exchange back (a refund or a chargeback
 * after it was paid), negative while owed; netted from its next payouts or repaid by transfer.
 * `chargeback_losses`: what card disputes cost the exchange itself (the amount when the exchange
 * bears it, and Stripe's dispute fees).
 */
export const accountKinds = [
  'buyer_funds',
  'escrow',
  'provider_payable',
  'provider_receivable',
  'fee_revenue',
  'chargeback_losses',
  'refunds_payable',
  'bank_clearing',
  'stripe_clearing',
] as const;
export type AccountKind = (typeof accountKinds)[number];

/** A ledger account: one per kind, currency and (where it has one) party or order. */
export const ledgerAccounts = pgTable(
  'settlement_ledger_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `escrow:<order>:CNY`: the account's one name, so it is made once however many ask. */
    key: text('key').notNull().unique(),
    kind: text('kind', { enum: accountKinds }).notNull(),
    currency: text('currency').notNull(),
    partyId: uuid('party_id').references(() => parties.id),
    orderId: uuid('order_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('settlement_ledger_accounts_party_idx').on(t.kind, t.partyId)],
);

export const transferKinds = ['posted', 'pending', 'post_pending', 'void_pending'] as const;
export type TransferKind = (typeof transferKinds)[number];

/**
 * One ledger transaction (a TigerBeetle transfer): postings that sum to zero per currency, checked
 * in code and by a deferred trigger at commit (migration). `pending` postings hold money (escrow)
 * until one `post_pending` or `void_pending` names it in `pendingId`, at most once (unique index).
 * `key` makes a step happen once: the same step asked twice finds the first. Insert-only.
 */
export const ledgerTransfers = pgTable(
  'settlement_ledger_transfers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull().unique(),
    kind: text('kind', { enum: transferKinds }).notNull(),
    pendingId: uuid('pending_id'),
    orderId: uuid('order_id'),
    rail: text('rail', { enum: paymentRails }),
    description: text('description').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('settlement_ledger_transfers_pending_idx').on(t.pendingId),
    index('settlement_ledger_transfers_order_idx').on(t.orderId, t.createdAt),
    check('settlement_ledger_transfers_pending_ref', sql`(${t.kind} in ('post_pending', 'void_pending')) = (${t.pendingId} is not null)`),
  ],
);

/** A posting: credit positive, debit negative. */
export const ledgerPostings = pgTable(
  'settlement_ledger_postings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    transferId: uuid('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [index('settlement_ledger_postings_transfer_idx').on(t.transferId), index('settlement_ledger_postings_account_idx').on(t.accountId)],
);

/** `refunded`: the whole price goes back to the buyer; `partially_refunded`: part of it, the rest is released to the provider. */
export const paymentStatuses = ['creating', 'awaiting_funds', 'partially_received', 'held', 'released', 'refunded', 'partially_refunded'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** The buyer's payment of one order, held in escrow by the exchange (Art. 28(4)). */
export const payments = pgTable(
  'settlement_payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull().unique(),
    orderNumber: text('order_number').notNull(),
    buyerPartyId: uuid('buyer_party_id')
      .notNull()
      .references(() => parties.id),
    providerPartyId: uuid('provider_party_id')
      .notNull()
      .references(() => parties.id),
    rail: text('rail', { enum: paymentRails }).notNull(),
    status: text('status', { enum: paymentStatuses }).notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    feeMinor: minorUnits('fee_minor').notNull(),
    currency: text('currency').notNull(),
    receivedMinor: minorUnits('received_minor').notNull().default(0),
    /** Bank rail: the reference the buyer quotes on its transfer. */
    reference: text('reference').unique(),
    stripePaymentIntentId: text('stripe_payment_intent_id').unique(),
    stripeChargeId: text('stripe_charge_id'),
    stripeClientSecret: text('stripe_client_secret'),
    /** The escrow's pending ledger transfer, once the whole price is held. */
    escrowTransferId: uuid('escrow_transfer_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('settlement_payments_status_idx').on(t.status, t.createdAt, t.id),
    check('settlement_payments_amounts', sql`${t.amountMinor} > 0 and ${t.feeMinor} >= 0 and ${t.feeMinor} <= ${t.amountMinor} and ${t.receivedMinor} >= 0`),
  ],
);

/** Money the operator saw arrive on the exchange's bank account, as the bank reported it. */
export const bankReceipts = pgTable('settlement_bank_receipts', {
  id: uuid('id').primaryKey().defaultRandom(),
  paymentId: uuid('payment_id')
    .notNull()
    .references(() => payments.id),
  amountMinor: minorUnits('amount_minor').notNull(),
  currency: text('currency').notNull(),
  bankReference: text('bank_reference').notNull().unique(),
  recordedBy: uuid('recorded_by').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const payoutStatuses = ['held', 'due', 'submitted', 'paid'] as const;
export type PayoutStatus = (typeof payoutStatuses)[number];

/** The provider's share of one order, after acceptance (or after a partial refund). */
export const payouts = pgTable(
  'settlement_payouts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull().unique(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    providerPartyId: uuid('provider_party_id')
      .notNull()
      .references(() => parties.id),
    rail: text('rail', { enum: paymentRails }).notNull(),
    status: text('status', { enum: payoutStatuses }).notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    feeMinor: minorUnits('fee_minor').notNull(),
    currency: text('currency').notNull(),
    /**
     * What was set off against the provider's account with the exchange when the payout was made:
     * positive when a debt it owed was withheld, negative when a credit was added. `amountMinor` is
     * what the rail carries: the provider's share less this.
     */
    nettedMinor: minorUnits('netted_minor').notNull().default(0),
    stripeTransferId: text('stripe_transfer_id').unique(),
    bankReference: text('bank_reference').unique(),
    paidAt: timestamptz('paid_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('settlement_payouts_status_idx').on(t.status, t.createdAt, t.id)],
);

export const refundKinds = ['dispute', 'overpayment'] as const;
export const refundStatuses = ['due', 'submitted', 'refunded'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

/** Money going back to the buyer: a dispute decided for it, or what it paid beyond the price. */
export const refunds = pgTable(
  'settlement_refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    kind: text('kind', { enum: refundKinds }).notNull(),
    rail: text('rail', { enum: paymentRails }).notNull(),
    status: text('status', { enum: refundStatuses }).notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    stripeRefundId: text('stripe_refund_id').unique(),
    bankReference: text('bank_reference').unique(),
    refundedAt: timestamptz('refunded_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('settlement_refunds_status_idx').on(t.status, t.createdAt, t.id),
    // One dispute refund per order: the port's `refund` is idempotent per order.
    uniqueIndex('settlement_refunds_dispute_idx').on(t.orderId).where(sql`${t.kind} = 'dispute'`),
  ],
);

/** A bank transfer by which a provider paid back what it owed the exchange, as the bank reported it. */
export const providerRepayments = pgTable('settlement_provider_repayments', {
  id: uuid('id').primaryKey().defaultRandom(),
  providerPartyId: uuid('provider_party_id')
    .notNull()
    .references(() => parties.id),
  amountMinor: minorUnits('amount_minor').notNull(),
  currency: text('currency').notNull(),
  bankReference: text('bank_reference').notNull().unique(),
  recordedBy: uuid('recorded_by').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/** A provider's Stripe connected account (Connect, separate charges and transfers). */
export const connectedAccounts = pgTable('settlement_connected_accounts', {
  partyId: uuid('party_id')
    .primaryKey()
    .references(() => parties.id),
  stripeAccountId: text('stripe_account_id').notNull().unique(),
  chargesEnabled: boolean('charges_enabled').notNull().default(false),
  payoutsEnabled: boolean('payouts_enabled').notNull().default(false),
  /** `created` of the newest `account.updated` applied: an older event arriving late changes nothing. */
  stripeUpdatedAt: timestamptz('stripe_updated_at'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

/** Each Stripe event id is processed once. */
export const stripeEvents = pgTable('settlement_stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  outcome: text('outcome').notNull(),
  receivedAt: timestamptz('received_at').notNull().defaultNow(),
});

/** Card disputes (chargebacks) the buyer's bank opened on a Stripe charge, for operators to answer. */
export const stripeDisputes = pgTable(
  'settlement_stripe_disputes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stripeDisputeId: text('stripe_dispute_id').notNull().unique(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id),
    orderId: uuid('order_id').notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    /** Stripe's dispute status: `needs_response`, `under_review`, … and finally `won` or `lost`. */
    status: text('status').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('settlement_stripe_disputes_status_idx').on(t.status, t.createdAt, t.id)],
);
