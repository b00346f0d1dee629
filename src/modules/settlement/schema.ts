import { Type, type Static } from 'typebox';
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
    heldReason: Nullable(StringEnum(['provider_suspended', 'no_connected_account', 'payouts_not_enabled', 'charge_unknown'], { description: 'Why a held payout waits: the provider is suspended (sent on reinstatement), or its Stripe account cannot take it yet' })),
    amountMinor: MinorUnits,
    feeMinor: MinorUnits,
    currency: CurrencyCode,
    nettedMinor: Type.Integer({ description: "Set off against the provider's account with the exchange: withheld for what it owed (positive) or added for a credit (negative); amountMinor is what the rail carries" }),
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
    chargedBackMinor: Type.Integer({ description: 'What the dispute has taken from the exchange by now, from the ledger: the amount and the dispute fee, less what a won dispute gave back' }),
    borneBy: Nullable(StringEnum(['exchange', 'provider'], { description: 'Who bears the chargeback (SETTLEMENT_CHARGEBACKS_BORNE_BY when Stripe took the money); null until it did' })),
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
    owedByProviderMinor: Type.Integer({ description: 'What the provider owes the exchange back (a refund or a chargeback after it was paid), netted from its next payouts; negative: a credit added to its next payout' }),
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

export const RefundAfterPayoutBody = Type.Object(
  {
    amountMinor: PositiveMinorUnits,
    currency: CurrencyCode,
    reason: Text({ minLength: 1, maxLength: 2000, description: 'The decision: who decided, and why' }),
  },
  closed,
);

export const RepaymentView = Type.Object(
  {
    id: Uuid,
    providerPartyId: Uuid,
    amountMinor: MinorUnits,
    currency: CurrencyCode,
    bankReference: Type.String(),
    stillOwedMinor: Type.Integer({ description: 'What the provider still owes in this currency' }),
    createdAt: Timestamp,
  },
  closed,
);

export const mismatchKinds = ['missing_in_ledger', 'missing_on_rail', 'amount', 'currency', 'status'] as const;

export const Mismatch = Type.Object(
  {
    kind: StringEnum(mismatchKinds),
    rail: StringEnum(paymentRails),
    record: StringEnum(['payment', 'payout', 'refund', 'chargeback', 'repayment']),
    recordId: Uuid,
    orderId: Nullable(Uuid),
    detail: Type.String(),
    ledgerMinor: Nullable(Type.Integer()),
    railMinor: Nullable(Type.Integer()),
  },
  closed,
);

/** One difference reconciliation found (reconciliation.ts, chargeback-reconciliation.ts). */
export type ReconciliationMismatch = Static<typeof Mismatch>;

export const ReconciliationView = Type.Object(
  {
    from: Timestamp,
    to: Timestamp,
    checked: Type.Object(
      {
        payments: Type.Integer(),
        payouts: Type.Integer(),
        refunds: Type.Integer(),
        chargebacks: Type.Integer({ description: "Card disputes compared with Stripe's (none without Stripe)" }),
        repayments: Type.Integer(),
      },
      closed,
    ),
    mismatches: Type.Array(Mismatch),
  },
  closed,
);

export const ReconciliationQuery = Type.Object({ from: Timestamp, to: Timestamp }, closed);

export const WebhookAck = Type.Object({ received: Type.Literal(true), outcome: Type.String() }, closed);

export const StatusFilter = <T extends readonly string[]>(values: T) => Type.Optional(StringEnum(values));

export { Text };
