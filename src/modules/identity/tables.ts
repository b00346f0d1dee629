import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../accounts/tables.js';

/** Legal persons (companies), unincorporated organisations, public bodies, natural persons. */
export const partyKinds = ['company', 'organisation', 'public_body', 'person'] as const;
export type PartyKind = (typeof partyKinds)[number];

/** Stored states; `expired` and `suspended` are derived (see `effectiveStatus` in service.ts). */
export const verificationStatuses = ['unverified', 'submitted', 'verified', 'rejected', 'needs_more_info'] as const;
export type VerificationStatus = (typeof verificationStatuses)[number];

export const overseasDocumentTypes = ['registration', 'passport', 'other_travel_document'] as const;
export const documentKinds = ['business_licence', 'authorisation_letter', 'identity_document', 'other'] as const;
export const memberRoles = ['admin', 'member'] as const;
export type MemberRole = (typeof memberRoles)[number];

export interface Contact {
  name: string;
  phone?: string | undefined;
  email?: string | undefined;
}

/**
 * Art. 28(2): the exchange verifies the identity of both parties to a trade. The identity number
 * is kept only encrypted (`identity_number_sealed`), with a keyed hash for uniqueness and look-up
 * and its masked form for display.
 */
export const parties = pgTable(
  'parties',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: partyKinds }).notNull(),
    legalName: text('legal_name').notNull(),
    /** The legal representative; for a natural person, the person themself. */
    representative: text('representative').notNull(),
    contacts: jsonb('contacts').$type<Contact[]>().notNull(),
    /** Art. 39: outside the mainland; trading and public data check it for cross-border transfers. */
    overseas: boolean('overseas').notNull(),
    /** ISO 3166-1 alpha-2; CN for mainland parties. */
    country: text('country').notNull(),
    identityScheme: text('identity_scheme', { enum: ['uscc', 'resident_id', 'overseas'] }).notNull(),
    overseasDocumentType: text('overseas_document_type', { enum: overseasDocumentTypes }),
    identityNumberSealed: text('identity_number_sealed').notNull(),
    identityNumberHmac: text('identity_number_hmac').notNull(),
    identityNumberMasked: text('identity_number_masked').notNull(),
    verificationStatus: text('verification_status', { enum: verificationStatuses }).notNull().default('unverified'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    verifiedUntil: timestamp('verified_until', { withTimezone: true }),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    suspensionReason: text('suspension_reason'),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('parties_identity_number_hmac_idx').on(t.identityNumberHmac),
    index('parties_status_idx').on(t.verificationStatus, t.createdAt, t.id),
    check('parties_verified_has_expiry', sql`${t.verificationStatus} <> 'verified' or (${t.verifiedAt} is not null and ${t.verifiedUntil} is not null)`),
  ],
);

/** A party as stored; service.ts adds what callers see (its effective status). */
export type Party = typeof parties.$inferSelect;

export const partyMembers = pgTable(
  'party_members',
  {
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: memberRoles }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partyId, t.userId] }), index('party_members_user_idx').on(t.userId)],
);

/** An admin invites by e-mail; the user holding that e-mail accepts while signed in. */
export const partyInvitations = pgTable(
  'party_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    email: text('email').notNull(),
    role: text('role', { enum: memberRoles }).notNull(),
    invitedBy: uuid('invited_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  },
  (t) => [index('party_invitations_email_idx').on(t.email, t.createdAt)],
);

/** Supporting documents, kept by content hash in the blob store. */
export const partyDocuments = pgTable(
  'party_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    kind: text('kind', { enum: documentKinds }).notNull(),
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    mediaType: text('media_type').notNull(),
    uploadedBy: uuid('uploaded_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('party_documents_party_sha_idx').on(t.partyId, t.sha256)],
);

export interface ReviewChecklist {
  identityNumberMatchesDocuments: boolean;
  legalNameMatchesDocuments: boolean;
  representativeConfirmed: boolean;
  documentsLegibleAndCurrent: boolean;
}

/** Each decision on a submission, with the checklist the reviewer (or verifier) recorded. */
export const partyReviews = pgTable(
  'party_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    decision: text('decision', { enum: ['verified', 'rejected', 'needs_more_info'] }).notNull(),
    checklist: jsonb('checklist').$type<ReviewChecklist>().notNull(),
    reasons: text('reasons').notNull(),
    /** 'operator', or the name of the verifier plug-in that decided. */
    verifier: text('verifier').notNull(),
    reviewerUserId: uuid('reviewer_user_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('party_reviews_party_idx').on(t.partyId, t.createdAt)],
);
