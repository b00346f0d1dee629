import { Type } from 'typebox';
import { StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { paymentRails, paymentStatuses, payoutStatuses, refundKinds, refundStatuses } from './tables.js';

const closed = { additionalProperties: false } as const;

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3, description: 'ISO 4217 code' });
/** Integer minor units (fen for CNY); bounded so every amount is exact in JSON and JavaScript. */
export const MinorUnits = Type.Integer({ minimum: 0, maximum: 1e13 });
const PositiveMinorUnits = Type.Integer({ minimum: 1, maximum: 1e13 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** The bank's own reference of a credit or debit on the exchange's account, as on the statement. */
const BankReference = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ./_-]*$', description: "The bank's reference of the transfer" });

export const BankLineBody = Type.Object({ amountMinor: PositiveMinorUnits, currency: CurrencyCode, bankReference: BankReference }, closed);

export const BankReceiptBody = Type.Object(
  {
    reference: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$', description: 'The payment reference the buyer quoted, e.g. DX-7K4M-9PQ2-41' }),
    amountMinor: PositiveMinorUnits,
    currency: CurrencyCode,
    bankReference: BankReference,
  },
  closed,
);

export const ReceiptOutcomeView = Type.Object(
  {
    paymentId: Uuid,
    orderId: Uuid,
    status: StringEnum(paymentStatuses),
    receivedMinor: MinorUnits,
    outstandingMinor: Type.Integer({ minimum: 0, description: 'Still to be paid: the buyer is asked for it' }),
    excessMinor: Type.Integer({ minimum: 0, description: 'Paid beyond the price: refunded to the buyer' }),
  },
  closed,
);

export const PayoutView = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    paymentId: Uuid,
    providerPartyId: Uuid,
    rail: StringEnum(paymentRails),
    status: StringEnum(payoutStatuses),
    heldReason: Nullable(StringEnum(['no_connected_account', 'payouts_not_enabled', 'charge_unknown'], { description: 'Why a held payout waits' })),
    amountMinor: MinorUnits,
    feeMinor: MinorUnits,
    currency: CurrencyCode,
    bankReference: Nullable(Type.String()),
    stripeTransferId: Nullable(Type.String()),
    paidAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  closed,
);

export const RefundView = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    paymentId: Uuid,
    kind: StringEnum(refundKinds),
    rail: StringEnum(paymentRails),
    status: StringEnum(refundStatuses),
    amountMinor: MinorUnits,
    currency: CurrencyCode,
    reason: Type.String(),
    bankReference: Nullable(Type.String()),
    stripeRefundId: Nullable(Type.String()),
    refundedAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  closed,
);

export const PaymentItem = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    orderNumber: Type.String(),
    buyerPartyId: Uuid,
    providerPartyId: Uuid,
    rail: StringEnum(paymentRails),
    status: StringEnum(paymentStatuses, { description: 'refunded: the whole price went back to the buyer; partially_refunded: part of it did, the rest is released to the provider' }),
    amountMinor: MinorUnits,
    feeMinor: MinorUnits,
    receivedMinor: MinorUnits,
    outstandingMinor: MinorUnits,
    currency: CurrencyCode,
    reference: Nullable(Type.String({ description: 'Bank rail: the reference the buyer quotes' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  closed,
);

export const PaymentView = Type.Object(
  {
    ...PaymentItem.properties,
    payee: Nullable(Type.Object({ name: Type.String(), bank: Type.String(), account: Type.String() }, closed)),
    payout: Nullable(PayoutView),
    refunds: Type.Array(RefundView),
  },
  closed,
);

export const DisputeView = Type.Object(
  {
    id: Uuid,
    stripeDisputeId: Type.String(),
    paymentId: Uuid,
    orderId: Uuid,
    amountMinor: MinorUnits,
    currency: CurrencyCode,
    reason: Type.String(),
    status: Type.String({ description: "Stripe's dispute status: needs_response, under_review, won, lost, …" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  closed,
);

export const ProviderBalanceView = Type.Object(
  {
    partyId: Uuid,
    currency: CurrencyCode,
    payableMinor: Type.Integer({ description: 'Owed to the provider and not yet paid out' }),
    paidOutMinor: Type.Integer({ description: 'Paid out so far' }),
  },
  closed,
);

export const ConnectedAccountView = Type.Object(
  {
    partyId: Uuid,
    linked: Type.Boolean({ description: 'Whether the party has a Stripe connected account' }),
    stripeAccountId: Nullable(Type.String()),
    chargesEnabled: Type.Boolean(),
    payoutsEnabled: Type.Boolean(),
    onboardingUrl: Type.Optional(Type.String({ description: 'Stripe-hosted onboarding (an Account Link), valid for minutes' })),
    updatedAt: Nullable(Timestamp),
  },
  closed,
);

export const mismatchKinds = ['missing_in_ledger', 'missing_on_rail', 'amount', 'currency', 'status'] as const;

export const Mismatch = Type.Object(
  {
    kind: StringEnum(mismatchKinds),
    rail: StringEnum(paymentRails),
    record: StringEnum(['payment', 'payout', 'refund']),
    recordId: Uuid,
    orderId: Uuid,
    detail: Type.String(),
    ledgerMinor: Nullable(Type.Integer()),
    railMinor: Nullable(Type.Integer()),
  },
  closed,
);

export const ReconciliationView = Type.Object(
  {
    from: Timestamp,
    to: Timestamp,
    checked: Type.Object({ payments: Type.Integer(), payouts: Type.Integer(), refunds: Type.Integer() }, closed),
    mismatches: Type.Array(Mismatch),
  },
  closed,
);

export const ReconciliationQuery = Type.Object({ from: Timestamp, to: Timestamp }, closed);

export const WebhookAck = Type.Object({ received: Type.Literal(true), outcome: Type.String() }, closed);

export const StatusFilter = <T extends readonly string[]>(values: T) => Type.Optional(StringEnum(values));

export { Text };
