import { Type } from 'typebox';
import { MultilineText, PageQuery, StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { DEFAULT_REPORT_EVERY_MONTHS, reportIntervals } from '../public-data/usage-schedule.js';
import { PeriodOf, ReportView } from '../public-data/usage-schema.js';
import { needStatuses, procurementStatuses } from './tables.js';

const closed = { additionalProperties: false } as const;
const IsoDate = Type.String({ format: 'date', maxLength: 10 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100, description: 'Budget year' });
const Minor = Type.Integer({ minimum: 0, maximum: 1e13, description: 'Minor units (fen) of CNY' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const NeedBody = Type.Object(
  {
    title: Text({ minLength: 1, maxLength: 200, description: 'The data wanted; also searched in the open list (Art. 13(2))' }),
    description: MultilineText({ minLength: 1, maxLength: 4000 }),
    duty: MultilineText({ minLength: 1, maxLength: 2000, description: 'The duty the data serve' }),
    legalBasis: Text({ minLength: 1, maxLength: 500, description: 'The legal basis of that duty' }),
    budgetMinor: Type.Integer({ minimum: 1, maximum: 1e13, description: 'What the department means to spend, in fen (CNY)' }),
    term: Type.Object({ start: IsoDate, end: IsoDate }, { ...closed, description: 'The term of use wanted' }),
    budgetYear: Year,
  },
  closed,
);

export const PublicDataMatchView = Type.Object({
  entryId: Uuid,
  departmentPartyId: Uuid,
  title: Type.String(),
  openClass: Type.String(),
  sharingClass: Type.String(),
  ways: Type.Array(StringEnum(['sharing', 'opening'])),
});

export const NeedView = Type.Object({
  id: Uuid,
  departmentPartyId: Uuid,
  status: StringEnum(needStatuses),
  title: Type.String(),
  description: Type.String(),
  duty: Type.String(),
  legalBasis: Type.String(),
  budgetMinor: Type.Integer(),
  currency: Type.String(),
  term: Type.Object({ start: Type.String(), end: Type.String() }),
  budgetYear: Type.Integer(),
  overBudget: Type.Boolean({ description: 'At filing, this need and the year’s committed shares exceeded the department’s budget (or no budget was set)' }),
  budgetAtFilingMinor: Nullable(Type.Integer()),
  committedAtFilingMinor: Type.Integer(),
  availableAsPublicData: Type.Array(PublicDataMatchView, { description: 'Art. 13(2): published entries the department could obtain by sharing or opening instead' }),
  procurementId: Nullable(Uuid),
  withdrawnReason: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const NeedListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(StringEnum(needStatuses)),
    budgetYear: Type.Optional(Year),
    departmentPartyId: Type.Optional(Uuid),
  },
  closed,
);

export const BudgetBody = Type.Object({ departmentPartyId: Uuid, year: Year, amountMinor: Minor }, closed);

export const BudgetView = Type.Object({
  departmentPartyId: Uuid,
  year: Type.Integer(),
  amountMinor: Nullable(Type.Integer({ description: 'Null: the bureau has set no budget for that year' })),
  currency: Type.String(),
  committedMinor: Type.Integer({ description: 'Shares of the department in procurements ordered that year' }),
  availableMinor: Nullable(Type.Integer()),
});

export const BudgetQuery = Type.Object({ year: Year, departmentPartyId: Type.Optional(Uuid) }, closed);

export const ShareBody = Type.Object({ departmentPartyId: Uuid, amountMinor: Minor }, closed);

export const ProcurementBody = Type.Object(
  {
    needIds: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true }),
    listingId: Uuid,
    pricePlan: Text({ minLength: 1, maxLength: 100, description: 'The name of one of the listing’s price plans' }),
    quantity: Type.Integer({ minimum: 1, maximum: 120, default: 1 }),
    termStart: Type.Optional(IsoDate),
    purpose: Text({ minLength: 1, maxLength: 200, description: 'One of the purposes the listing’s licence allows' }),
    scenario: MultilineText({ minLength: 1, maxLength: 2000 }),
    safeguards: MultilineText({ minLength: 1, maxLength: 2000 }),
    shares: Type.Optional(
      Type.Array(ShareBody, {
        minItems: 1,
        maxItems: 50,
        description: 'Each beneficiary department’s share of the price, summing to it; by default in proportion to the needs’ budgets, the remainder to the first',
      }),
    ),
    reportEveryMonths: Type.Optional(
      Type.Union(reportIntervals.map((n) => Type.Literal(n)), {
        description: `Each beneficiary department reports its use of the data to the bureau every so many months (Art. 20 ¶1); ${DEFAULT_REPORT_EVERY_MONTHS} when absent`,
      }),
    ),
  },
  closed,
);

export const ProcurementView = Type.Object({
  id: Uuid,
  number: Type.String(),
  status: StringEnum(procurementStatuses),
  bureauPartyId: Uuid,
  budgetYear: Type.Integer(),
  listingId: Uuid,
  pricePlan: Type.String(),
  quantity: Type.Integer(),
  termStart: Nullable(Type.String()),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  purpose: Type.String(),
  scenario: Type.String(),
  safeguards: Type.String(),
  reportEveryMonths: Type.Integer({ description: 'Each beneficiary reports its use every so many months (GET /procurement/procurements/{id}/usage)' }),
  needIds: Type.Array(Uuid),
  shares: Type.Array(Type.Object({ departmentPartyId: Uuid, amountMinor: Type.Integer(), committedAt: Nullable(Timestamp) })),
  orderId: Nullable(Uuid),
  cancelReason: Nullable(Type.String()),
  steps: Type.Array(Type.Object({ action: Type.String(), from: Nullable(Type.String()), to: Type.String(), auditEventId: Uuid, receipt: Type.String(), at: Timestamp })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ProcurementListQuery = Type.Object({ ...PageQuery, status: Type.Optional(StringEnum(procurementStatuses)) }, closed);

export const ReasonBody = Type.Object({ reason: MultilineText({ minLength: 1, maxLength: 2000 }) }, closed);

export const ProcurementReportView = Type.Object({
  ...ReportView.properties,
  procurementId: Uuid,
  departmentPartyId: Uuid,
  auditEventId: Uuid,
  receipt: Type.String({ description: 'The receipt of the filing’s audit event, held by the department and the bureau' }),
});

export const ProcurementUsageView = Type.Object({
  procurementId: Uuid,
  number: Type.String(),
  status: StringEnum(procurementStatuses),
  reportEveryMonths: Type.Integer(),
  today: Type.String({ description: 'Asia/Shanghai' }),
  departments: Type.Array(
    Type.Object({
      departmentPartyId: Uuid,
      term: Nullable(Type.Object({ start: Type.String(), end: Type.String() })),
      dutyFrom: Nullable(Type.String({ description: 'The later of the term’s start and the day the department’s download grant was issued; null until the order is paid' })),
      periods: Type.Array(PeriodOf(ProcurementReportView), { description: 'The periods begun, and the next one' }),
    }),
    { description: 'Your department’s; every beneficiary’s for the bureau and operators' },
  ),
});
