import { Type } from 'typebox';
import { MultilineText, StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { documentKinds, memberRoles, overseasDocumentTypes, partyKinds, verificationStatuses } from './tables.js';

const Name = Text({ minLength: 1, maxLength: 200 });

const Contact = Type.Object(
  {
    name: Name,
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()-]{5,30}$', maxLength: 30 })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  },
  { additionalProperties: false },
);

// Length is checked loosely here (spaces are allowed and removed); the check character in the service.
const IdentityNumber = Text({ minLength: 1, maxLength: 64, description: 'USCC, resident identity number, or (overseas) registration or passport number' });

export const RegisterPartyBody = Type.Object(
  {
    kind: StringEnum(partyKinds),
    legalName: Name,
    representative: Text({ minLength: 1, maxLength: 200, description: 'The legal representative; for a natural person, the person themself' }),
    contacts: Type.Array(Contact, { minItems: 1, maxItems: 5 }),
    identityNumber: IdentityNumber,
    overseas: Type.Optional(
      Type.Object(
        {
          country: Type.String({ pattern: '^[A-Z]{2}$', maxLength: 2, description: 'ISO 3166-1 alpha-2' }),
          documentType: StringEnum(overseasDocumentTypes),
        },
        { additionalProperties: false, description: 'Only for parties outside the mainland (Art. 39)' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const UpdatePartyBody = Type.Object(
  {
    legalName: Type.Optional(Name),
    representative: Type.Optional(Name),
    contacts: Type.Optional(Type.Array(Contact, { minItems: 1, maxItems: 5 })),
    identityNumber: Type.Optional(IdentityNumber),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const EffectiveStatusSchema = StringEnum([...verificationStatuses, 'expired', 'suspended'] as const);

export const ReviewChecklistSchema = Type.Object(
  {
    identityNumberMatchesDocuments: Type.Boolean(),
    legalNameMatchesDocuments: Type.Boolean(),
    representativeConfirmed: Type.Boolean(),
    documentsLegibleAndCurrent: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const ReviewBody = Type.Object(
  {
    decision: StringEnum(['verified', 'rejected', 'needs_more_info'] as const),
    checklist: ReviewChecklistSchema,
    reasons: MultilineText({ maxLength: 2000, default: '' }),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object({ reason: MultilineText({ minLength: 3, maxLength: 1000 }) }, { additionalProperties: false });

export const AppealBody = Type.Object({ statement: MultilineText({ minLength: 3, maxLength: 4000, description: 'The party’s case against its suspension' }) }, { additionalProperties: false });

export const AppealView = Type.Object({
  auditEventId: Uuid,
  partyId: Uuid,
  statement: Type.String(),
  suspendedAt: Timestamp,
  appealedAt: Timestamp,
});

export const PartySummaryView = Type.Object({
  id: Uuid,
  kind: StringEnum(partyKinds),
  legalName: Type.String(),
  representative: Type.String(),
  contacts: Type.Array(Contact),
  overseas: Type.Boolean(),
  country: Type.String(),
  identityScheme: StringEnum(['uscc', 'resident_id', 'overseas'] as const),
  overseasDocumentType: Type.Union([StringEnum(overseasDocumentTypes), Type.Null()]),
  identityNumberMasked: Type.String({ description: 'First and last 4 characters only' }),
  verificationStatus: EffectiveStatusSchema,
  verifiedUntil: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
});

export const DocumentView = Type.Object({
  id: Uuid,
  kind: StringEnum(documentKinds),
  sha256: Type.String(),
  sizeBytes: Type.Integer(),
  mediaType: Type.String(),
  createdAt: Timestamp,
});

export const PartyView = Type.Object({
  ...PartySummaryView.properties,
  verifiedAt: Type.Union([Timestamp, Type.Null()]),
  suspensionReason: Type.Union([Type.String(), Type.Null()]),
  documents: Type.Array(DocumentView),
  lastReview: Type.Union([
    Type.Object({
      decision: StringEnum(['verified', 'rejected', 'needs_more_info'] as const),
      checklist: ReviewChecklistSchema,
      reasons: Type.String(),
      verifier: Type.String(),
      decidedAt: Timestamp,
    }),
    Type.Null(),
  ]),
});

export const MyPartyView = Type.Object({ ...PartySummaryView.properties, memberRole: StringEnum(memberRoles) });

export const DocumentQuery = Type.Object({ kind: StringEnum(documentKinds) }, { additionalProperties: false });
const closed = { additionalProperties: false } as const;
export const DocumentParams = Type.Object({ id: Uuid, documentId: Uuid }, closed);
export const MemberParams = Type.Object({ id: Uuid, userId: Uuid }, closed);
export const InvitationParams = Type.Object({ id: Uuid, invitationId: Uuid }, closed);
export const MemberRoleBody = Type.Object({ role: StringEnum(memberRoles) }, { additionalProperties: false });

export const MemberView = Type.Object({ userId: Uuid, role: StringEnum(memberRoles), joinedAt: Timestamp });

export const InviteBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), role: StringEnum(memberRoles, { default: 'member' }) },
  { additionalProperties: false },
);

export const InvitationView = Type.Object({ id: Uuid, partyId: Uuid, email: Type.String(), role: StringEnum(memberRoles), expiresAt: Timestamp });

export const ActingPartyView = Type.Object({
  id: Uuid,
  legalName: Type.String(),
  kind: StringEnum(partyKinds),
  overseas: Type.Boolean(),
});
