import { Type } from 'typebox';
import { MultilineText, StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { StepUpToken } from '../accounts/schema.js';
import { agreementKinds } from './model-text.js';
import { agreementStatuses, disposalMethods } from './tables.js';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', minLength: 64, maxLength: 64, description: 'SHA-256, lower-case hex' });
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const CalendarDay = Type.String({ format: 'date', maxLength: 10, description: 'A calendar day in Asia/Shanghai' });
const Term = Type.Object(
  { start: CalendarDay, end: CalendarDay },
  { additionalProperties: false, description: 'First and last day of the term, both included, in Asia/Shanghai: as the order and the PDF state it' },
);
const ModelTextRef = Type.Object({ kind: StringEnum(agreementKinds), version: Type.Integer(), sha256: Sha256 }, { additionalProperties: false });

export const AgreementKindParam = StringEnum(agreementKinds);
export { Sha256 };

export const AgreementSummaryView = Type.Object(
  {
    id: Uuid,
    number: Type.String({ description: '`DTA-2026-000123` (trade), `GDU-…` (utilization), `CPA-…` (central procurement)' }),
    kind: StringEnum(agreementKinds),
    status: StringEnum(agreementStatuses),
    inForce: Type.Boolean(),
    title: Bilingual,
    parties: Type.Array(Type.Object({ partyId: Uuid, role: Type.String(), name: Type.String() }, { additionalProperties: false })),
    term: Term,
    contentSha256: Sha256,
    sealedSha256: Nullable(Sha256),
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);

const PartyRecord = Type.Object(
  { partyId: Uuid, role: Type.String(), label: Bilingual, name: Type.String(), identityNumberMasked: Type.String(), signs: Type.Boolean() },
  { additionalProperties: false },
);
const Clause = Type.Object({ id: Type.String(), heading: Bilingual, body: Bilingual }, { additionalProperties: false });
const DataItem = Type.Object({ name: Type.String(), description: Type.String(), format: Type.String(), sha256: Nullable(Sha256) }, { additionalProperties: false });

export const AgreementView = Type.Object(
  {
    ...AgreementSummaryView.properties,
    orderId: Nullable(Uuid),
    sourceReference: Nullable(Type.String()),
    modelText: ModelTextRef,
    basis: Bilingual,
    parties: Type.Array(PartyRecord, { description: 'Names and masked identity numbers as they stood when the agreement was drafted' }),
    recipientPartyId: Uuid,
    clauses: Type.Array(Clause),
    dataList: Type.Array(DataItem),
    revision: Type.Integer({ minimum: 1 }),
    contentBytes: Type.Integer(),
    sealedBytes: Nullable(Type.Integer()),
    sealedAt: Nullable(Timestamp),
    sealAuditEventId: Nullable(Uuid),
    expiredAt: Nullable(Timestamp),
    terminatedAt: Nullable(Timestamp),
    terminationReason: Nullable(Type.String()),
    signatures: Type.Array(
      Type.Object(
        {
          partyId: Uuid,
          role: Type.String({ description: 'The party’s role in the agreement' }),
          partyName: Type.String(),
          userId: Nullable(Uuid),
          userName: Nullable(Type.String()),
          signedAt: Timestamp,
          contentSha256: Sha256,
          revision: Type.Integer(),
          auditEventId: Uuid,
        },
        { additionalProperties: false, description: 'Which person signed (userId, userName) only the signing party itself and staff see; others read null' },
      ),
    ),
    disposal: Nullable(
      Type.Object(
        { method: StringEnum(disposalMethods), statement: Type.String(), newAgreementNumber: Nullable(Type.String()), certifiedAt: Timestamp, auditEventId: Uuid },
        { additionalProperties: false },
      ),
    ),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);

const SignedContent = Type.String({ pattern: '^[0-9a-fA-F]{64}$', minLength: 64, maxLength: 64, description: 'The contentSha256 of the revision you read and sign' });

/** A signature confirms the signer afresh: with the password itself, or with a step-up token of the same session. */
export const SignBody = Type.Union([
  Type.Object(
    { contentSha256: SignedContent, stepUpToken: StepUpToken('From POST /auth/step-up in this session, within STEP_UP_TTL_SECONDS: signs without hashing the password again') },
    { additionalProperties: false, title: 'With a step-up token' },
  ),
  Type.Object(
    { contentSha256: SignedContent, password: Text({ minLength: 1, maxLength: 256, description: 'Your account password, checked (argon2) with this signature' }) },
    { additionalProperties: false, title: 'With the password' },
  ),
]);

export const AmendBody = Type.Object(
  { specialTerms: MultilineText({ maxLength: 4000, description: 'The "other terms" clause; empty for none' }) },
  { additionalProperties: false },
);

export const TerminateBody = Type.Object({ reason: Text({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });

export const DisposalBody = Type.Object(
  {
    method: StringEnum(disposalMethods),
    statement: MultilineText({ minLength: 1, maxLength: 4000, description: 'What was done with the data and every copy' }),
    newAgreementNumber: Type.Optional(Text({ maxLength: 32, description: 'With retained_under_new_agreement: the agreement the data are now kept under' })),
  },
  { additionalProperties: false },
);

export const MissingDisposalView = Type.Object(
  { agreement: AgreementSummaryView, recipientPartyId: Uuid, endedAt: Timestamp, dueAt: Timestamp, overdue: Type.Boolean() },
  { additionalProperties: false },
);

export const BureauCopyView = Type.Object(
  { id: Uuid, notifiedAt: Timestamp, readAt: Nullable(Timestamp), agreement: AgreementSummaryView, sourceReference: Nullable(Type.String()) },
  { additionalProperties: false },
);

export const ModelTextView = Type.Object(
  {
    id: Uuid,
    kind: StringEnum(agreementKinds),
    version: Type.Integer(),
    sha256: Sha256,
    title: Bilingual,
    publishedBy: Nullable(Uuid),
    publishedAt: Timestamp,
    source: Type.Optional(Type.String({ description: 'The whole text, in the templates/ format' })),
  },
  { additionalProperties: false },
);

export const PublishModelTextBody = Type.Object(
  { text: MultilineText({ minLength: 1, maxLength: 200_000, description: 'The model text in the templates/ format, with the next version number' }) },
  { additionalProperties: false },
);

export const VerificationView = Type.Object(
  {
    genuine: Type.Boolean(),
    sha256: Sha256,
    reason: Type.String(),
    agreement: Nullable(
      Type.Object(
        {
          number: Type.String(),
          kind: StringEnum(agreementKinds),
          status: StringEnum(agreementStatuses),
          inForce: Type.Boolean(),
          title: Bilingual,
          term: Term,
          modelText: ModelTextRef,
          parties: Type.Array(Type.Object({ role: Type.String(), name: Type.String() }, { additionalProperties: false })),
          sealedAt: Nullable(Timestamp),
          sealReceipt: Nullable(Uuid),
          signatures: Type.Array(Type.Object({ partyName: Type.String(), signedAt: Timestamp, receipt: Uuid }, { additionalProperties: false })),
        },
        { additionalProperties: false, description: 'Receipts are audit event ids: GET /audit/events/{id}/receipt (the parties) proves them in the log' },
      ),
    ),
    seal: Nullable(
      Type.Object({ valid: Type.Boolean(), coversWholeFile: Type.Boolean(), exchangeCertificate: Type.Boolean(), detail: Type.String() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
