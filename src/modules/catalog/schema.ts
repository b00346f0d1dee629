import { Type, type Static } from 'typebox';
import { MultilineText, StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';

const closed = { additionalProperties: false } as const;

/** Text in Chinese and/or English: at least one of the two; one line, or paragraphs when `multiline`. */
export const Localized = (maxLength: number, multiline = false) => {
  const text = (multiline ? MultilineText : Text)({ minLength: 1, maxLength });
  return Type.Object({ zh: Type.Optional(text), en: Type.Optional(text) }, { ...closed, minProperties: 1 });
};

/** A name or a phrase: one line. */
export const ShortText = (maxLength = 500) => Text({ minLength: 1, maxLength });
/** An explanation: may run over several lines. */
export const LongText = (maxLength = 2000) => MultilineText({ minLength: 1, maxLength });
const IsoDate = Type.String({ format: 'date', maxLength: 10 });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', maxLength: 64, description: 'SHA-256 of an evidence document, lower-case hex' });

export const grades = ['general', 'important', 'core'] as const;
export const deliveryMethods = ['download', 'api', 'sandbox'] as const;
export const updateFrequencies = ['once', 'realtime', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'annual', 'irregular'] as const;
export const fieldTypes = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'geometry', 'json'] as const;
export const sourceTypes = ['self_collected', 'own_operations', 'third_party_licence', 'bought_on_exchange', 'public_data'] as const;

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3, description: 'ISO 4217 code' });
/** Integer minor units (fen for CNY); bounded so every amount is exact in JSON and JavaScript. */
export const MinorUnits = Type.Integer({ minimum: 0, maximum: 1e13 });

const PricePlan = Type.Object(
  {
    name: ShortText(100),
    kind: StringEnum(['one_off', 'subscription']),
    period: Type.Optional(StringEnum(['month', 'quarter', 'year'], { description: 'Required for subscriptions' })),
    amountMinor: MinorUnits,
    currency: CurrencyCode,
  },
  closed,
);

const SchemaField = Type.Object(
  {
    name: ShortText(100),
    type: StringEnum(fieldTypes),
    description: MultilineText({ maxLength: 1000 }),
    unit: Type.Optional(Text({ maxLength: 50 })),
  },
  closed,
);

const Period = Type.Object({ start: IsoDate, end: Type.Optional(IsoDate) }, closed);

export const ListingContent = Type.Object(
  {
    title: Localized(200),
    description: Localized(5000, true),
    category: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,49}$', maxLength: 50, description: 'A category slug, e.g. "transport"' }),
    tags: Type.Array(ShortText(50), { maxItems: 20, uniqueItems: true, default: [] }),
    grade: StringEnum(grades, { description: 'Data grade: general, important or core data' }),
    personalInformation: Type.Object(
      {
        contains: Type.Boolean(),
        subjectCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e10, description: 'How many data subjects; required when it contains personal information' })),
      },
      closed,
    ),
    governmentDerived: Type.Boolean({ description: 'Art. 28 ¶2: built from government data, so traded only through the exchange' }),
    schema: Type.Object({ fields: Type.Array(SchemaField, { minItems: 1, maxItems: 500 }) }, closed),
    sample: Type.Object({ mediaType: ShortText(100), text: MultilineText({ minLength: 1, maxLength: 20000 }) }, closed),
    formats: Type.Array(ShortText(50), { minItems: 1, maxItems: 10, uniqueItems: true }),
    updateFrequency: StringEnum(updateFrequencies),
    coverage: Type.Object({ period: Period, area: ShortText(200) }, closed),
    deliveryMethod: StringEnum(deliveryMethods),
    licence: Type.Object(
      {
        allowedPurposes: Type.Array(ShortText(200), { minItems: 1, maxItems: 20 }),
        forbiddenUses: Type.Array(ShortText(200), { maxItems: 20 }),
        termMonths: Type.Integer({ minimum: 1, maximum: 120 }),
        territory: ShortText(200),
        onwardTransfer: StringEnum(['forbidden', 'with_provider_consent', 'allowed']),
        approvalRequired: Type.Optional(Type.Boolean({ description: 'Orders wait for the provider to approve them (or propose changed terms)' })),
      },
      closed,
    ),
    pricePlans: Type.Array(PricePlan, { minItems: 1, maxItems: 10 }),
  },
  closed,
);
export type ListingContent = Static<typeof ListingContent>;

export const CreateListingBody = ListingContent;
export const UpdateListingBody = Type.Object(
  {
    // Partial keeps every member optional but must stay closed: an unknown member is refused.
    content: Type.Optional(Type.Partial(ListingContent, { ...closed, minProperties: 1 })),
    datasetVersionId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'The dataset version on sale' })),
  },
  { ...closed, minProperties: 1 },
);

const Evidence = Type.Array(Type.Object({ sha256: Sha256, description: MultilineText({ maxLength: 500 }) }, closed), { maxItems: 20 });

/** Art. 28(1) provenance declaration, shape version 1. */
export const ProvenanceBody = Type.Object(
  {
    sourceType: StringEnum(sourceTypes),
    collectionMethod: LongText(),
    legalBasis: LongText(),
    collectionPeriod: Period,
    collectionArea: ShortText(200),
    evidence: Evidence,
    processing: LongText(),
    citedOrders: Type.Optional(
      Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'Lineage: completed orders your party bought on this exchange that this data is made from' }),
    ),
  },
  closed,
);

/**
 * What a listing shows of each trade it cites: titles and dates, no private terms; the trade's ids
 * only to the parties to that trade and to staff (catalog/lineage-view.ts).
 */
const LineageEntry = Type.Object(
  {
    depth: Type.Integer({ description: '1: cited by this listing; 2: cited by the listing of a depth-1 trade; and so on' }),
    orderId: Type.Optional(Uuid),
    listingId: Type.Optional(Uuid),
    title: Type.Object({ zh: Type.Optional(Type.String()), en: Type.Optional(Type.String()) }),
    orderedAt: Timestamp,
    completedAt: Timestamp,
  },
  { additionalProperties: false, description: 'orderId and listingId: only for a party to that trade, and staff' },
);
/** A lineage entry as stored: with the trade's ids and its buyer and provider (older entries lack these), which views shape. */
export type StoredLineageEntry = Static<typeof LineageEntry> & { orderId: string; listingId: string; parties?: string[] };
export type ProvenanceRecord = Static<typeof ProvenanceBody> & { lineage?: StoredLineageEntry[] };

/** Art. 26: anonymised beyond restoration, or source explained and expressly authorised. */
export const GroundBody = Type.Union([
  Type.Object(
    {
      ground: Type.Literal('anonymised'),
      method: LongText(),
      reidentificationRisk: LongText(),
      evidence: Evidence,
    },
    closed,
  ),
  Type.Object(
    {
      ground: Type.Literal('authorised'),
      selfProduced: Type.Boolean({ description: 'The listing party produced the data; its declaration is its own authorisation' }),
      authorisedBy: Type.Optional(ShortText(200)),
      authorisation: LongText(),
      evidence: Evidence,
    },
    closed,
  ),
]);
export type GroundRecord = Static<typeof GroundBody>;

export const checklistRequirements = [
  'source_stated',
  'ground_and_evidence',
  'identity_verified',
  'government_derived_flag',
  'personal_information',
  'grade',
] as const;

const ChecklistItem = Type.Object(
  { requirement: StringEnum(checklistRequirements), satisfied: Type.Boolean(), note: Type.Optional(MultilineText({ maxLength: 2000 })) },
  closed,
);
export type ReviewChecklistItem = Static<typeof ChecklistItem>;

export const ReviewBody = Type.Object(
  {
    revisionId: Type.String({ format: 'uuid', 'x-lowercase': true, description: 'The revision that was reviewed; refused if it is no longer the one submitted' }),
    decision: StringEnum(['approve', 'reject', 'request_changes']),
    checklist: Type.Array(ChecklistItem, { minItems: checklistRequirements.length, maxItems: checklistRequirements.length }),
    notes: Type.Optional(MultilineText({ maxLength: 5000 })),
  },
  closed,
);

export const ReasonBody = Type.Object({ reason: LongText() }, closed);

const DocumentFields = {
  id: Uuid,
  sha256: Type.String(),
  sizeBytes: Type.Integer(),
  mediaType: Type.String(),
  filename: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
};
export const EvidenceDocumentView = Type.Object({ ...DocumentFields, ownerPartyId: Uuid });
export const DatasetVersionView = Type.Object({ ...DocumentFields, listingId: Uuid, number: Type.Integer() });

export const UploadQuery = Type.Object(
  { filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]+$' })) },
  closed,
);

const Versioned = <T extends Parameters<typeof Type.Object>[0]>(record: T) =>
  Type.Object({ id: Uuid, version: Type.Integer(), schemaVersion: Type.Integer(), declaredAt: Timestamp, ...record });

export const ProvenanceView = Versioned({
  declaration: Type.Object({
    ...ProvenanceBody.properties,
    citedOrders: Type.Optional(Type.Array(Uuid, { description: 'The cited orders the reader is a party to (all of them for staff); absent when none' })),
    lineage: Type.Optional(Type.Array(LineageEntry, { description: 'The cited trades, checked when declared' })),
  }),
});
export const GroundView = Versioned({ ground: GroundBody });

export const RevisionView = Type.Object({
  id: Uuid,
  number: Type.Integer(),
  reviewStatus: StringEnum(['draft', 'submitted', 'approved', 'rejected', 'changes_requested']),
  content: ListingContent,
  provenance: Type.Union([ProvenanceView, Type.Null()]),
  ground: Type.Union([GroundView, Type.Null()]),
  datasetVersion: Type.Union([DatasetVersionView, Type.Null()]),
  createdAt: Timestamp,
  submittedAt: Type.Union([Timestamp, Type.Null()]),
  decidedAt: Type.Union([Timestamp, Type.Null()]),
});

export const ListingView = Type.Object({
  id: Uuid,
  ownerPartyId: Uuid,
  status: StringEnum(['unlisted', 'listed', 'suspended', 'delisted']),
  listedAt: Type.Union([Timestamp, Type.Null()]),
  live: Type.Union([RevisionView, Type.Null()], { description: 'The approved revision on sale' }),
  working: Type.Union([RevisionView, Type.Null()], { description: 'The latest revision; shown only to the provider and operators' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ListingSummary = Type.Object({
  id: Uuid,
  ownerPartyId: Uuid,
  status: StringEnum(['unlisted', 'listed', 'suspended', 'delisted']),
  revisionId: Uuid,
  reviewStatus: StringEnum(['draft', 'submitted', 'approved', 'rejected', 'changes_requested']),
  title: Localized(200),
  category: Type.String(),
  grade: StringEnum(grades),
  deliveryMethod: StringEnum(deliveryMethods),
  governmentDerived: Type.Boolean(),
  minPrice: Type.Object({ amountMinor: Type.Integer(), currency: Type.String() }),
  listedAt: Type.Union([Timestamp, Type.Null()]),
  updatedAt: Timestamp,
});

export const ReviewView = Type.Object({
  id: Uuid,
  revisionId: Uuid,
  reviewerUserId: Uuid,
  decision: StringEnum(['approved', 'rejected', 'changes_requested']),
  checklist: Type.Array(ChecklistItem),
  notes: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
