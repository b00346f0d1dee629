import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { minorUnits, timestamptz } from '../../lib/columns.js';
import { parties } from '../identity/tables.js';

/** Every state an order can be in; the transitions between them are `orderTransitions` (state-machine.ts). */
export const orderStatuses = [
  'requested',
  'awaiting_provider',
  'terms_proposed',
  'accepted',
  'agreement_pending',
  'payment_pending',
  'paid',
  'delivering',
  'delivered',
  'accepted_by_buyer',
  'disputed',
  'resolved',
  'completed',
  'refunded',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export interface OrderPricePlan {
  name: string;
  kind: 'one_off' | 'subscription';
  period?: 'month' | 'quarter' | 'year' | undefined;
  amountMinor: number;
  currency: string;
}

/** Terms the provider proposes instead of the buyer's; the buyer accepts or declines them. */
export interface ProposedTerms {
  amountMinor: number;
  quantity: number;
  termStart: string;
  termEnd: string;
  note: string;
}

/** An operator's decision on a dispute. */
export interface DisputeDecision {
  outcome: 'full_refund' | 'partial_refund' | 'release';
  refundMinor: number;
  reason: string;
  decidedBy: string;
  decidedAt: string;
}

/**
 * An order: what the buyer's party asked for (listing, the live revision it saw, price plan,
 * quantity, term), why (Art. 19-style purpose, scenario and safeguards), and what it costs. The
 * fee is fixed when the order is placed.
 */
export const orders = pgTable(
  'trading_orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `ORD-2026-000123`, from the year's sequence `trading_order_number_<year>` (made when first needed). */
    number: text('number').notNull(),
    listingId: uuid('listing_id').notNull(),
    revisionId: uuid('revision_id').notNull(),
    buyerPartyId: uuid('buyer_party_id')
      .notNull()
      .references(() => parties.id),
    providerPartyId: uuid('provider_party_id')
      .notNull()
      .references(() => parties.id),
    placedBy: uuid('placed_by').notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    pricePlan: jsonb('price_plan').$type<OrderPricePlan>().notNull(),
    quantity: integer('quantity').notNull(),
    termStart: date('term_start').notNull(),
    termEnd: date('term_end').notNull(),
    amountMinor: minorUnits('amount_minor').notNull(),
    currency: text('currency').notNull(),
    feeMinor: minorUnits('fee_minor').notNull(),
    purpose: text('purpose').notNull(),
    scenario: text('scenario').notNull(),
    safeguards: text('safeguards').notNull(),
    /** The licence's onward-transfer term as ordered, for lineage checks later. */
    onwardTransfer: text('onward_transfer', { enum: ['forbidden', 'with_provider_consent', 'allowed'] }).notNull(),
    deliveryMethod: text('delivery_method').notNull(),
    datasetVersionId: uuid('dataset_version_id'),
    proposedTerms: jsonb('proposed_terms').$type<ProposedTerms>(),
    /** When an unanswered order (provider approval, proposed terms, the agreement's signatures) expires. */
    responseDueAt: timestamptz('response_due_at'),
    agreementId: uuid('agreement_id'),
    agreementNumber: text('agreement_number'),
    paymentRail: text('payment_rail', { enum: ['stripe', 'bank_transfer'] }),
    paymentId: text('payment_id'),
    /** The end of the acceptance window, set when the delivery is complete. */
    acceptanceDueAt: timestamptz('acceptance_due_at'),
    disputeReason: text('dispute_reason'),
    decision: jsonb('decision').$type<DisputeDecision>(),
    refundedMinor: minorUnits('refunded_minor').notNull().default(0),
    /**
     * Art. 27 ¶3: the central procurement this order buys for. The bureau's party is the buyer of
     * record; the departments it serves each get their own download grant. The procurement module
     * owns procurements, so no foreign key across the boundary.
     */
    procurementId: uuid('procurement_id'),
    /** The procurement's number (`PRC-2026-000001`), stated on its agreement. */
    procurementNumber: text('procurement_number'),
    beneficiaryPartyIds: uuid('beneficiary_party_ids').array(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('trading_orders_number_idx').on(t.number),
    index('trading_orders_buyer_idx').on(t.buyerPartyId, t.createdAt),
    index('trading_orders_provider_idx').on(t.providerPartyId, t.createdAt),
    index('trading_orders_status_idx').on(t.status, t.createdAt),
    index('trading_orders_response_due_idx').on(t.responseDueAt),
    index('trading_orders_acceptance_due_idx').on(t.acceptanceDueAt),
    check('trading_orders_fee_within_amount', sql`${t.feeMinor} >= 0 and ${t.feeMinor} <= ${t.amountMinor}`),
    check('trading_orders_parties_differ', sql`${t.buyerPartyId} <> ${t.providerPartyId}`),
    // One order per procurement: a retried or raced "order" finds the first.
    uniqueIndex('trading_orders_procurement_idx').on(t.procurementId).where(sql`${t.procurementId} is not null`),
    check('trading_orders_procurement_beneficiaries', sql`(${t.procurementId} is null) = (${t.beneficiaryPartyIds} is null) and (${t.procurementId} is null) = (${t.procurementNumber} is null)`),
  ],
);

/** Each step an order took, with the audit event that records it: the spine of the transaction record. */
export const orderSteps = pgTable(
  'trading_order_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Steps of one transaction share a timestamp; this keeps the order they were taken in. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorRole: text('actor_role'),
    auditEventId: uuid('audit_event_id').notNull(),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('trading_order_steps_order_idx').on(t.orderId, t.seq)],
);

/** Art. 39: an operator's record that a buyer's security assessment covers a listing. */
export const securityAssessments = pgTable(
  'trading_security_assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    buyerPartyId: uuid('buyer_party_id')
      .notNull()
      .references(() => parties.id),
    listingId: uuid('listing_id').notNull(),
    reference: text('reference').notNull(),
    assessedOn: date('assessed_on').notNull(),
    scope: text('scope').notNull(),
    expiresOn: date('expires_on').notNull(),
    recordedBy: uuid('recorded_by').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('trading_assessments_lookup_idx').on(t.buyerPartyId, t.listingId, t.expiresOn)],
);

/**
 * Why a grant's access ended: `operator`, revoked by hand (a breach, a court order; the reason in
 * `revoke_reason`), or `full_refund`, ended by the operator's decision to refund the whole price.
 */
export const grantRevocationCauses = ['operator', 'full_refund'] as const;
export type GrantRevocationCause = (typeof grantRevocationCauses)[number];

/** The buyer's party may download exactly the declared dataset version, a limited number of times. */
export const downloadGrants = pgTable(
  'trading_download_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    buyerPartyId: uuid('buyer_party_id').notNull(),
    datasetVersionId: uuid('dataset_version_id').notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    mediaType: text('media_type').notNull(),
    filename: text('filename'),
    maxDownloads: integer('max_downloads').notNull(),
    downloadsUsed: integer('downloads_used').notNull().default(0),
    expiresAt: timestamptz('expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
    revokedBy: uuid('revoked_by'),
    revokeReason: text('revoke_reason'),
    revocationCause: text('revocation_cause', { enum: grantRevocationCauses }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('trading_grants_order_idx').on(t.orderId),
    check('trading_grants_count', sql`${t.downloadsUsed} <= ${t.maxDownloads}`),
    check('trading_grants_revocation_cause', sql`(${t.revokedAt} is null) = (${t.revocationCause} is null)`),
  ],
);

/** Every download: who, when, which bytes, of which hash. */
export const downloads = pgTable(
  'trading_downloads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    grantId: uuid('grant_id')
      .notNull()
      .references(() => downloadGrants.id),
    orderId: uuid('order_id').notNull(),
    userId: uuid('user_id').notNull(),
    partyId: uuid('party_id').notNull(),
    rangeStart: bigint('range_start', { mode: 'number' }).notNull(),
    rangeEnd: bigint('range_end', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    auditEventId: uuid('audit_event_id').notNull(),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('trading_downloads_order_idx').on(t.orderId, t.at)],
);

/** API or offline delivery: what the provider says it delivered, and the buyer's confirmation. */
export const deliveries = pgTable(
  'trading_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    description: text('description').notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    recordedBy: uuid('recorded_by').notNull(),
    recordedAt: timestamptz('recorded_at').notNull(),
    auditEventId: uuid('audit_event_id').notNull(),
    confirmedBy: uuid('confirmed_by'),
    confirmedAt: timestamptz('confirmed_at'),
    confirmAuditEventId: uuid('confirm_audit_event_id'),
  },
  (t) => [index('trading_deliveries_order_idx').on(t.orderId)],
);
