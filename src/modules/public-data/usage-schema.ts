import { Type } from 'typebox';
import { StringEnum, Timestamp, Uuid } from '../../lib/http.js';
import { LongText, ShortText } from '../catalog/schema.js';
import { FINE_RANGE_YUAN } from './request-rules.js';
import { orderGrounds, orderStates, outcomeKinds } from './usage-tables.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const IsoDate = (description: string) => Type.String({ format: 'date', maxLength: 10, description });

export const ReportBody = Type.Object(
  {
    period: Type.Integer({ minimum: 1, maximum: 1200, description: 'The period of the schedule reported, 1 for the first (GET …/usage lists them)' }),
    summary: LongText(4000),
    safeguards: LongText(2000),
    results: Type.Optional(LongText(4000)),
  },
  closed,
);

export const OutcomeBody = Type.Object(
  {
    kind: StringEnum(outcomeKinds),
    title: ShortText(300),
    description: Type.Optional(LongText(2000)),
    reference: Type.Optional(ShortText(500)),
    citation: Type.Optional(LongText(1000)),
  },
  closed,
);

export const CitationBody = Type.Object({ citation: LongText(1000) }, closed);

export const OrderBody = Type.Object(
  {
    ground: StringEnum(orderGrounds, { description: 'Art. 64 (一) not reported, (二) source not cited, (三) beyond the agreed scope, (四) tampered with, destroyed or leaked' }),
    details: LongText(4000),
    correctBy: IsoDate('The last day to correct (Asia/Shanghai), after today'),
    period: Type.Optional(Type.Integer({ minimum: 1, maximum: 1200, description: 'usage_not_reported: the overdue period' })),
    outcomeId: Type.Optional(Uuid),
  },
  closed,
);

export const CorrectionBody = Type.Object({ statement: LongText(4000) }, closed);

export const DecisionBody = Type.Object(
  {
    kind: StringEnum(['fine', 'suspension']),
    ground: LongText(4000),
    amountYuan: Type.Optional(Type.Integer({ minimum: FINE_RANGE_YUAN.min, maximum: FINE_RANGE_YUAN.max, description: 'A fine: 10,000 to 100,000 yuan (Art. 64)' })),
    seriousConsequences: Type.Optional(Type.Boolean({ description: 'Decide before the time limit ends, on serious consequences (造成嚴重后果)' })),
    suspendedUntil: Type.Optional(IsoDate('A suspension: its last day; until lifted when absent')),
  },
  closed,
);

export const ReportView = Type.Object({
  id: Uuid,
  period: Type.Integer(),
  summary: Type.String(),
  safeguards: Type.String(),
  results: Nullable(Type.String()),
  filedAt: Timestamp,
  late: Type.Boolean(),
});

export const OutcomeView = Type.Object({
  id: Uuid,
  requestId: Uuid,
  userPartyId: Uuid,
  departmentPartyId: Uuid,
  kind: StringEnum(outcomeKinds),
  title: Type.String(),
  description: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  citation: Nullable(Type.String()),
  cited: Type.Boolean(),
  citedAt: Nullable(Timestamp),
  registeredAt: Timestamp,
});

export const OrderView = Type.Object({
  id: Uuid,
  requestId: Uuid,
  userPartyId: Uuid,
  departmentPartyId: Uuid,
  ground: StringEnum(orderGrounds),
  details: Type.String(),
  period: Nullable(Type.Integer()),
  outcomeId: Nullable(Uuid),
  correctBy: Type.String(),
  issuedAt: Timestamp,
  issuedAs: StringEnum(['department', 'bureau']),
  state: StringEnum(orderStates),
  /** Open past its limit, or corrected only after it: the bureau may decide. */
  lapsed: Type.Boolean(),
  correction: Nullable(Type.Object({ how: StringEnum(['report_filed', 'outcome_cited', 'statement']), statement: Nullable(Type.String()), correctedAt: Timestamp, late: Type.Boolean() })),
  decision: Nullable(
    Type.Object({
      kind: StringEnum(['fine', 'suspension']),
      amountYuan: Nullable(Type.Integer()),
      ground: Type.String(),
      seriousConsequences: Type.Boolean(),
      suspendedUntil: Nullable(Type.String()),
      decidedAt: Timestamp,
    }),
  ),
});

/** A period of a schedule of reports, with its status and its report as `report` shows it (public data's, procurement's). */
export const PeriodOf = <T extends Parameters<typeof Type.Union>[0][number]>(report: T) =>
  Type.Object({
    period: Type.Integer(),
    start: Type.String(),
    end: Type.String(),
    dueDate: Type.String(),
    status: StringEnum(['upcoming', 'running', 'due', 'overdue', 'filed', 'filed_late']),
    report: Nullable(report),
  });

export const PeriodView = PeriodOf(ReportView);

export const UsageView = Type.Object({
  requestId: Uuid,
  userPartyId: Uuid,
  departmentPartyId: Uuid,
  reportEveryMonths: Nullable(Type.Integer()),
  /** The day the duties began: the later of the term's start and the agreement's seal; null until sealed. */
  dutyFrom: Nullable(Type.String()),
  today: Type.String({ description: 'Asia/Shanghai' }),
  periods: Type.Array(PeriodView, { description: 'The periods begun, and the next one' }),
  outcomes: Type.Array(OutcomeView),
  orders: Type.Array(OrderView),
});

export const UsageDutiesQuery = Type.Object({ departmentPartyId: Type.Optional(Uuid) }, closed);

export const UsageDutiesView = Type.Object({
  today: Type.String(),
  overdueReports: Type.Array(Type.Object({ requestId: Uuid, userPartyId: Uuid, departmentPartyId: Uuid, period: Type.Integer(), periodEnd: Type.String(), dueDate: Type.String() })),
  uncitedOutcomes: Type.Array(OutcomeView),
  procurementReportsOverdue: Type.Array(
    Type.Object({ procurementId: Uuid, procurementNumber: Type.String(), bureauPartyId: Uuid, departmentPartyId: Uuid, period: Type.Integer(), periodEnd: Type.String(), dueDate: Type.String() }),
    { description: 'Reports a beneficiary department owes for data central procurement bought for it (a department: its own; the bureau: all, or one department’s)' },
  ),
});

export const OrderListQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(orderStates)),
    role: Type.Optional(StringEnum(['user', 'department'], { description: 'Orders against your party, or those about your department’s data; both when absent' })),
  },
  closed,
);
