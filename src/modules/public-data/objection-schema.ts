import { Type } from 'typebox';
import { MultilineText, PageQuery, StringEnum, Timestamp, Uuid } from '../../lib/http.js';
import { LongText } from '../catalog/schema.js';
import { objectionKinds, objectionStatuses } from './objection-tables.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });

export const ObjectionBody = Type.Object(
  {
    entryId: Uuid,
    kind: StringEnum(objectionKinds, { description: 'doubt: the data is questioned; error: an error is reported' }),
    description: LongText(4000),
    evidenceText: Type.Optional(MultilineText({ minLength: 1, maxLength: 4000, description: 'Evidence as text' })),
    evidenceFileId: Type.Optional(Uuid),
  },
  closed,
);

export const ObjectionAnswerBody = Type.Object(
  {
    answer: StringEnum(['confirmed', 'rejected'], { description: 'confirmed: the department corrects the data with a new version naming the objection' }),
    reasons: Type.Optional(LongText(4000)),
  },
  closed,
);

export const ObjectionListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(StringEnum(objectionStatuses)),
    overdue: Type.Optional(Type.Boolean({ description: 'Only those still unanswered past their deadline' })),
    entryId: Type.Optional(Uuid),
    departmentPartyId: Type.Optional(Uuid),
  },
  closed,
);

export const EvidenceFileView = Type.Object({ id: Uuid, sha256: Type.String(), sizeBytes: Type.Integer(), mediaType: Type.String(), filename: Nullable(Type.String()), createdAt: Timestamp });

export const ObjectionView = Type.Object({
  id: Uuid,
  entryId: Uuid,
  departmentPartyId: Uuid,
  objectorPartyId: Uuid,
  kind: StringEnum(objectionKinds),
  description: Type.String(),
  evidenceText: Nullable(Type.String()),
  evidenceFile: Nullable(EvidenceFileView),
  status: StringEnum(objectionStatuses),
  receivedAt: Timestamp,
  deadline: Type.Object({
    workingDays: Type.Integer(),
    dueAt: Timestamp,
    dueDate: IsoDate,
    provisional: Type.Boolean(),
    calendarVersions: Type.Record(Type.String(), Type.Integer()),
  }),
  overdue: Type.Boolean(),
  answeredAt: Nullable(Timestamp),
  reasons: Nullable(Type.String()),
  correctionVersionId: Nullable(Uuid),
  closedAt: Nullable(Timestamp),
});

export const ObjectionSummary = Type.Object({ id: Uuid, kind: StringEnum(objectionKinds), description: Type.String(), status: StringEnum(objectionStatuses), receivedAt: Timestamp, dueDate: IsoDate });

export const EntryObjectionsView = Type.Object({
  openCount: Type.Integer({ description: 'Objections not closed yet (open or confirmed and awaiting the correction)' }),
  totalCount: Type.Integer(),
  open: Type.Array(ObjectionSummary),
});

export const SettingsView = Type.Object({ objectionAnswerWorkingDays: Type.Integer({ minimum: 1, maximum: 60 }) });
export const SettingsBody = Type.Object({ objectionAnswerWorkingDays: Type.Integer({ minimum: 1, maximum: 60, description: 'Art. 22: working days a department has to answer an objection' }) }, closed);
