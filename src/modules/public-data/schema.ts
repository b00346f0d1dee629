import { Type, type Static } from 'typebox';
import { MultilineText, StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { LongText, ShortText, UploadQuery, fieldTypes, updateFrequencies } from '../catalog/schema.js';

/** Art. 17 ¶2: the open class of public data; Art. 15: its sharing class between departments. */
export const openClasses = ['unconditional', 'conditional', 'not_open'] as const;
export type OpenClass = (typeof openClasses)[number];
export const sharingClasses = ['unconditional', 'conditional', 'not_shared'] as const;
export type SharingClass = (typeof sharingClasses)[number];

export const entryReviewStatuses = ['draft', 'submitted', 'approved', 'rejected'] as const;
export type EntryReviewStatus = (typeof entryReviewStatuses)[number];

const closed = { additionalProperties: false } as const;

/** Chinese first: the open list is published in Chinese; an English rendering is optional. */
const Chinese = (maxLength: number, multiline = false) => {
  const text = (multiline ? MultilineText : Text)({ minLength: 1, maxLength });
  return Type.Object({ zh: text, en: Type.Optional(text) }, closed);
};

/** Art. 17 ¶2: what a conditional or closed class rests on. */
export const LegalBasis = Type.Object(
  {
    kind: StringEnum(['law', 'regulation', 'national_document'], { description: '法律, 行政法规 or 国家有关文件' }),
    title: ShortText(300),
    article: Type.Optional(ShortText(100)),
  },
  closed,
);
export type LegalBasis = Static<typeof LegalBasis>;

const ClassOf = <T extends readonly string[]>(classes: T, what: string) =>
  Type.Object(
    {
      class: StringEnum(classes, { description: `The ${what} class` }),
      conditions: Type.Optional(LongText(4000)),
      legalBasis: Type.Optional(LegalBasis),
    },
    closed,
  );

/** Art. 17 ¶3: how sensitive data came to be openable: desensitised, declassified, or by consent. */
export const Release = Type.Object(
  {
    kind: StringEnum(['desensitised', 'declassified', 'right_holder_consent']),
    reference: ShortText(300),
    recordedAt: Timestamp,
  },
  closed,
);

const DataField = Type.Object({ name: ShortText(100), type: StringEnum(fieldTypes), description: MultilineText({ maxLength: 1000 }) }, closed);

/** Shanghai Art. 12: what each entry of the open list names. */
export const EntryContent = Type.Object(
  {
    title: Chinese(200),
    summary: Chinese(5000, true),
    fields: Type.Array(DataField, { minItems: 1, maxItems: 500 }),
    dataItems: Type.Array(ShortText(200), { minItems: 1, maxItems: 500, description: '数据项: the items the data holds' }),
    formats: Type.Array(ShortText(50), { minItems: 1, maxItems: 10, uniqueItems: true }),
    updateFrequency: StringEnum(updateFrequencies),
    origin: StringEnum(['own', 'obtained_by_sharing'], { description: 'Data the department obtained by sharing is never on the open list (Shanghai Art. 12)' }),
    sensitive: Type.Object({ personalInformation: Type.Boolean(), tradeSecrets: Type.Boolean() }, closed),
    release: Type.Optional(Release),
    open: ClassOf(openClasses, 'open (Art. 17 ¶2)'),
    sharing: ClassOf(sharingClasses, 'sharing (Art. 15)'),
  },
  closed,
);
export type EntryContent = Static<typeof EntryContent>;

export const UpdateEntryBody = Type.Partial(EntryContent, { ...closed, minProperties: 1 });

export const EntryReviewBody = Type.Object(
  {
    revisionId: Uuid,
    decision: StringEnum(['approve', 'reject']),
    reasons: Type.Optional(LongText()),
  },
  closed,
);

export const EntryRevisionView = Type.Object({
  id: Uuid,
  number: Type.Integer(),
  reviewStatus: StringEnum(entryReviewStatuses),
  content: EntryContent,
  createdAt: Timestamp,
  submittedAt: Type.Union([Timestamp, Type.Null()]),
  decidedAt: Type.Union([Timestamp, Type.Null()]),
});

export const EntryView = Type.Object({
  id: Uuid,
  departmentPartyId: Uuid,
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  live: Type.Union([EntryRevisionView, Type.Null()], { description: 'The published revision' }),
  working: Type.Union([EntryRevisionView, Type.Null()], { description: 'The latest revision when it is not the published one; the department and the bureau only' }),
  downloadCount: Type.Optional(Type.Integer({ description: 'Downloads of the data; the department and the bureau only' })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const EntrySummary = Type.Object({
  id: Uuid,
  departmentPartyId: Uuid,
  revisionId: Uuid,
  reviewStatus: StringEnum(entryReviewStatuses),
  title: Type.String(),
  openClass: StringEnum(openClasses),
  sharingClass: StringEnum(sharingClasses),
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  updatedAt: Timestamp,
});

export const EntryReviewView = Type.Object({
  id: Uuid,
  revisionId: Uuid,
  reviewerUserId: Uuid,
  decision: StringEnum(['approved', 'rejected']),
  reasons: Type.String(),
  createdAt: Timestamp,
});

export const VersionQuery = Type.Object(
  {
    filename: UploadQuery.properties.filename,
    note: Text({ minLength: 1, maxLength: 1000, description: 'What changed in this version of the data' }),
    objection: Type.Optional(Type.String({ format: 'uuid', 'x-lowercase': true, description: 'The confirmed objection this version corrects (Art. 22); it closes as corrected' })),
  },
  closed,
);

export const DataVersionView = Type.Object({
  id: Uuid,
  entryId: Uuid,
  number: Type.Integer(),
  changeNote: Type.String(),
  sha256: Type.String(),
  sizeBytes: Type.Integer(),
  mediaType: Type.String(),
  filename: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

export const VersionParams = Type.Object({ id: Uuid, versionId: Uuid }, closed);
