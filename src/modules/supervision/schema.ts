import { Type, type TSchema } from 'typebox';
import { StringEnum, Timestamp, Uuid } from '../../lib/http.js';
import { orderStatuses } from '../trading/tables.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A count of everything that matches, and its oldest items (at most 20). */
const Listed = <T extends TSchema>(item: T) => Type.Object({ count: Type.Integer(), items: Type.Array(item) });

const OrderItem = (time: 'dueAt' | 'since') =>
  Type.Object({ id: Uuid, number: Type.String(), status: StringEnum(orderStatuses), buyerPartyId: Uuid, providerPartyId: Uuid, [time]: time === 'dueAt' ? Nullable(Timestamp) : Timestamp });
const PartyItem = { id: Uuid, legalName: Type.String(), kind: Type.String(), verifiedUntil: Nullable(Timestamp) };
const RevisionItem = (id: 'listingId' | 'entryId') => Type.Object({ [id]: Uuid, revisionId: Uuid, submittedAt: Nullable(Timestamp) });

export const OverviewView = Type.Object({
  at: Timestamp,
  orders: Type.Object({ byStatus: Type.Object(Object.fromEntries(orderStatuses.map((s) => [s, Type.Integer()]))) }),
  trading: Type.Object({ responsesOverdue: Listed(OrderItem('dueAt')), acceptancesOverdue: Listed(OrderItem('dueAt')), disputesOpen: Listed(OrderItem('since')) }),
  settlement: Type.Object({
    payoutsOverdue: Listed(Type.Object({ id: Uuid, orderId: Uuid, status: Type.String(), amountMinor: Type.Integer(), currency: Type.String(), since: Timestamp })),
  }),
  review: Type.Object({ listingsAwaitingReview: Listed(RevisionItem('listingId')), publicDataEntriesAwaitingReview: Listed(RevisionItem('entryId')) }),
  parties: Type.Object({
    awaitingVerification: Listed(Type.Object({ ...PartyItem, since: Timestamp })),
    verificationExpiring: Listed(Type.Object(PartyItem)),
    suspended: Listed(Type.Object({ ...PartyItem, suspendedAt: Nullable(Timestamp) })),
  }),
  listings: Type.Object({ suspended: Listed(Type.Object({ id: Uuid, ownerPartyId: Uuid, since: Timestamp })) }),
  publicData: Type.Object({
    requestsOverdue: Listed(Type.Object({ id: Uuid, kind: Type.String(), departmentPartyId: Uuid, dueAt: Timestamp })),
    usageReportsOverdue: Listed(Type.Object({ requestId: Uuid, userPartyId: Uuid, departmentPartyId: Uuid, period: Type.Integer(), periodEnd: Type.String(), dueDate: Type.String() })),
    outcomesUncited: Listed(Type.Object({ id: Uuid, requestId: Uuid, title: Type.String() })),
    ordersToCorrectOpen: Listed(Type.Object({ id: Uuid, requestId: Uuid, ground: Type.String(), correctBy: Type.String() })),
  }),
  procurement: Type.Object({
    usageReportsOverdue: Listed(
      Type.Object({ procurementId: Uuid, procurementNumber: Type.String(), bureauPartyId: Uuid, departmentPartyId: Uuid, period: Type.Integer(), periodEnd: Type.String(), dueDate: Type.String() }),
    ),
  }),
  outbox: Type.Object({
    failing: Listed(Type.Object({ id: Uuid, operation: Type.String(), subjectId: Uuid, status: Type.String(), attempts: Type.Integer(), lastError: Nullable(Type.String()), since: Timestamp })),
  }),
});

const EventRef = Nullable(Type.Object({ id: Uuid, seq: Type.Integer(), action: Type.String() }));
const Value = Nullable(Type.Union([Type.String(), Type.Number()]));

export const ReplayView = Type.Object({
  orderId: Uuid,
  orderNumber: Type.String(),
  events: Type.Integer({ description: 'The audit events of the order and its payment' }),
  replayedStatus: Nullable(Type.String()),
  currentStatus: Type.String(),
  consistent: Type.Boolean(),
  findings: Type.Array(Type.Object({ check: Type.String(), fromLog: Value, current: Value, event: EventRef, detail: Type.String() })),
});
