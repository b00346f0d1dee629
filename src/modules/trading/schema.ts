import { Type } from 'typebox';
import { MultilineText, StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { grantRevocationCauses, orderStatuses } from './tables.js';

const closed = { additionalProperties: false } as const;
const IsoDate = Type.String({ format: 'date', maxLength: 10 });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', maxLength: 64, description: 'SHA-256, lower-case hex' });
const Minor = Type.Integer({ minimum: 0, maximum: 1e13 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const OrderStatus = StringEnum(orderStatuses);

export const PlaceOrderBody = Type.Object(
  {
    listingId: Uuid,
    pricePlan: Text({ minLength: 1, maxLength: 100, description: 'The name of one of the listing’s price plans' }),
    quantity: Type.Integer({ minimum: 1, maximum: 120, default: 1, description: 'Copies of a one-off plan, or periods of a subscription' }),
    termStart: Type.Optional(IsoDate),
    purpose: Text({ minLength: 1, maxLength: 200, description: 'One of the purposes the licence allows' }),
    scenario: MultilineText({ minLength: 1, maxLength: 2000, description: 'The application scenario: what the data will be used for, and how' }),
    safeguards: MultilineText({ minLength: 1, maxLength: 2000, description: 'The security safeguards the buyer will apply' }),
  },
  closed,
);

export const ReasonBody = Type.Object({ reason: MultilineText({ minLength: 1, maxLength: 2000 }) }, closed);

export const ProposedTermsBody = Type.Object(
  {
    amountMinor: Minor,
    quantity: Type.Integer({ minimum: 1, maximum: 120 }),
    termStart: IsoDate,
    termEnd: IsoDate,
    note: MultilineText({ minLength: 1, maxLength: 2000, description: 'What changed, and why' }),
  },
  closed,
);

export const PaymentBody = Type.Object({ rail: StringEnum(['stripe', 'bank_transfer']) }, closed);

export const PaymentInstructionsView = Type.Union([
  Type.Object({
    rail: Type.Literal('stripe'),
    paymentId: Type.String(),
    status: StringEnum(['creating', 'ready']),
    clientSecret: Nullable(Type.String()),
    amountMinor: Type.Integer(),
    currency: Type.String(),
  }),
  Type.Object({
    rail: Type.Literal('bank_transfer'),
    paymentId: Type.String(),
    reference: Type.String(),
    amountMinor: Type.Integer(),
    currency: Type.String(),
    payee: Type.Object({ name: Type.String(), bank: Type.String(), account: Type.String() }),
  }),
]);

export const DeliveryBody = Type.Object(
  {
    description: MultilineText({ minLength: 1, maxLength: 2000, description: 'What was delivered, and how (API access, a medium handed over)' }),
    sha256: Sha256,
    sizeBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e15 })),
  },
  closed,
);

export const DecisionBody = Type.Object(
  {
    outcome: StringEnum(['full_refund', 'partial_refund', 'release']),
    refundMinor: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e13, description: 'Only for a partial refund' })),
    reason: MultilineText({ minLength: 1, maxLength: 2000 }),
  },
  closed,
);

export const AssessmentBody = Type.Object(
  {
    buyerPartyId: Uuid,
    listingId: Uuid,
    reference: Text({ minLength: 1, maxLength: 200, description: 'The assessment’s reference, as the authority issued it' }),
    assessedOn: IsoDate,
    scope: MultilineText({ minLength: 1, maxLength: 2000 }),
    expiresOn: IsoDate,
  },
  closed,
);

export const AssessmentView = Type.Object({
  id: Uuid,
  buyerPartyId: Uuid,
  listingId: Uuid,
  reference: Type.String(),
  assessedOn: Type.String(),
  scope: Type.String(),
  expiresOn: Type.String(),
  recordedBy: Uuid,
  createdAt: Timestamp,
});

export const OrderView = Type.Object({
  id: Uuid,
  number: Type.String({ description: 'ORD-YYYY-NNNNNN' }),
  status: OrderStatus,
  listingId: Uuid,
  revisionId: Uuid,
  buyerPartyId: Uuid,
  providerPartyId: Uuid,
  pricePlan: Type.Object({ name: Type.String(), kind: StringEnum(['one_off', 'subscription']), period: Type.Optional(Type.String()), amountMinor: Type.Integer(), currency: Type.String() }),
  quantity: Type.Integer(),
  term: Type.Object({ start: Type.String(), end: Type.String() }),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  feeMinor: Type.Integer({ description: 'The exchange’s fee, fixed when the price was agreed' }),
  purpose: Type.String(),
  scenario: Type.String(),
  safeguards: Type.String(),
  onwardTransfer: StringEnum(['forbidden', 'with_provider_consent', 'allowed']),
  deliveryMethod: Type.String(),
  datasetVersionId: Nullable(Uuid),
  proposedTerms: Nullable(Type.Object({ amountMinor: Type.Integer(), quantity: Type.Integer(), termStart: Type.String(), termEnd: Type.String(), note: Type.String() })),
  responseDueAt: Type.Union([Timestamp, Type.Null()], {
    description: 'When the order expires unless answered: the provider’s approval, the buyer’s answer to proposed terms, or both signatures on its agreement',
  }),
  agreement: Nullable(Type.Object({ id: Uuid, number: Type.String() })),
  payment: Nullable(Type.Object({ rail: Type.String(), paymentId: Type.String() })),
  acceptanceDueAt: Nullable(Timestamp),
  disputeReason: Nullable(Type.String()),
  decision: Nullable(
    Type.Object({ outcome: Type.String(), refundMinor: Type.Integer(), reason: Type.String(), decidedBy: Uuid, decidedAt: Timestamp }),
  ),
  refundedMinor: Type.Integer(),
  procurement: Nullable(
    Type.Object({
      id: Uuid,
      number: Type.String(),
      beneficiaryPartyIds: Type.Array(Uuid, { description: 'The departments the bureau bought for; each holds its own download grant' }),
    }, { description: 'Art. 27 ¶3: the central procurement the bureau ordered this for, as buyer of record' }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const GrantView = Type.Object({
  id: Uuid,
  orderId: Uuid,
  datasetVersionId: Uuid,
  sha256: Type.String(),
  sizeBytes: Type.Integer(),
  mediaType: Type.String(),
  filename: Nullable(Type.String()),
  maxDownloads: Type.Integer(),
  downloadsUsed: Type.Integer(),
  expiresAt: Timestamp,
  revokedAt: Nullable(Timestamp),
  revokeReason: Nullable(Type.String()),
  revocationCause: Nullable(
    StringEnum(grantRevocationCauses, {
      description: 'Why access ended: full_refund (a dispute decided for a full refund ends every grant of the order with the decision; downloads answer 410 /problems/access-ended-by-refund) or operator (revoked by hand, reason in revokeReason)',
    }),
  ),
  download: Type.String({ description: 'Where to download it' }),
});

export const DeliveryView = Type.Object({
  id: Uuid,
  orderId: Uuid,
  description: Type.String(),
  sha256: Type.String(),
  sizeBytes: Nullable(Type.Integer()),
  recordedBy: Type.Union([Uuid, Type.Null()], { description: 'Which of the provider’s people recorded it: shown to the provider and operators, null to the buyer' }),
  recordedAt: Timestamp,
  auditEventId: Uuid,
  confirmedAt: Nullable(Timestamp),
  confirmAuditEventId: Nullable(Uuid),
});
