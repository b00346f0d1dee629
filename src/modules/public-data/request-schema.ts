import { Type } from 'typebox';
import { StringEnum, Timestamp, Uuid } from '../../lib/http.js';
import { LongText, ShortText } from '../catalog/schema.js';
import { requestActions } from './request-states.js';
import { requestKinds, requestStates } from './request-tables.js';
import { LegalBasis } from './schema.js';
import { DEFAULT_REPORT_EVERY_MONTHS, reportIntervals } from './usage-schedule.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const IsoDate = Type.String({ format: 'date', maxLength: 10, description: 'A calendar day in Asia/Shanghai, YYYY-MM-DD' });

const Term = Type.Object({ start: IsoDate, end: IsoDate }, { ...closed, description: 'The term of use, both days included (Art. 19 ¶2 使用期限)' });
const EntryIds = Type.Array(Uuid, { minItems: 1, maxItems: 50, description: 'Published entries of one department' });

export const OpenRequestBody = Type.Object(
  {
    entryIds: EntryIds,
    purpose: LongText(2000),
    scenario: LongText(2000),
    safeguards: LongText(2000),
    term: Term,
  },
  closed,
);

export const SharingRequestBody = Type.Object(
  {
    entryIds: EntryIds,
    basis: LongText(2000),
    purpose: LongText(2000),
    scope: LongText(2000),
    manner: LongText(2000),
    term: Term,
  },
  closed,
);

export const ExtensionBody = Type.Object(
  {
    workingDays: Type.Integer({ minimum: 1, maximum: 100, description: 'At most 10 (opening) or 5 (sharing), counted from the day after the current deadline' }),
    approverName: ShortText(100),
    approverTitle: ShortText(100),
    approvedAt: Timestamp,
    reason: LongText(2000),
  },
  closed,
);

export const AnswerBody = Type.Object(
  {
    decision: StringEnum(['approve', 'refuse']),
    entryIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 50, description: 'The entries granted; all the request names when absent' })),
    reasons: Type.Optional(LongText(4000)),
    legalBasis: Type.Optional(LegalBasis),
    disposal: Type.Optional(LongText(2000)),
    reportEveryMonths: Type.Optional(
      Type.Union(reportIntervals.map((n) => Type.Literal(n)), { description: `Opening: the agreement's schedule of usage reports (Art. 20 ¶1), one every so many months; ${DEFAULT_REPORT_EVERY_MONTHS} when absent` }),
    ),
  },
  closed,
);

const ExtensionView = Type.Object({
  workingDays: Type.Integer(),
  approverName: Type.String(),
  approverTitle: Type.String(),
  approvedAt: Timestamp,
  reason: Type.String(),
  extendedAt: Timestamp,
  previousDueAt: Timestamp,
});

export const RequestView = Type.Object({
  id: Uuid,
  kind: StringEnum(requestKinds),
  state: StringEnum(requestStates),
  /** What the reader may do next: the department's answers, or signing the agreement. */
  nextSteps: Type.Array(StringEnum([...requestActions, 'sign_agreement'])),
  applicantPartyId: Uuid,
  departmentPartyId: Uuid,
  entryIds: Type.Array(Uuid),
  approvedEntryIds: Nullable(Type.Array(Uuid)),
  purpose: Type.String(),
  scenario: Nullable(Type.String()),
  safeguards: Nullable(Type.String()),
  basis: Nullable(Type.String()),
  scope: Nullable(Type.String()),
  manner: Nullable(Type.String()),
  term: Type.Object({ start: Type.String(), end: Type.String() }),
  receivedAt: Timestamp,
  deadline: Type.Object({
    answerWorkingDays: Type.Integer(),
    dueAt: Timestamp,
    dueDate: Type.String(),
    provisional: Type.Boolean({ description: 'Counted on a year the bureau has not loaded yet: recomputed when it does' }),
    calendarVersions: Type.Record(Type.String(), Type.Integer()),
  }),
  extension: Nullable(ExtensionView),
  overdue: Type.Boolean(),
  overdueAt: Nullable(Timestamp),
  answeredAt: Nullable(Timestamp),
  answer: Nullable(Type.Object({ decision: StringEnum(['approved', 'refused']), reasons: Nullable(Type.String()), legalBasis: Nullable(LegalBasis) })),
  agreementId: Nullable(Uuid),
  reportEveryMonths: Nullable(Type.Integer({ description: 'Opening, once approved: a usage report every so many months (GET /public-data/requests/{id}/usage)' })),
  updatedAt: Timestamp,
});

export const RequestListQuery = Type.Object(
  {
    kind: Type.Optional(StringEnum(requestKinds)),
    state: Type.Optional(StringEnum(requestStates)),
    role: Type.Optional(StringEnum(['applicant', 'department'], { description: 'Requests your party made, or those addressed to it; both when absent' })),
  },
  closed,
);

export const DueListView = Type.Object({
  items: Type.Array(Type.Object({ departmentPartyId: Uuid, dueSoon: Type.Array(RequestView), overdue: Type.Array(RequestView) })),
});
