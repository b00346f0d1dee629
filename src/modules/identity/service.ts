import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound, type Localized } from '../../lib/errors.js';
import type { BlobStore } from '../../lib/storage.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { checkIdentityNumber, maskIdentityNumber, type IdentityScheme } from './codes.js';
import type { IdentityCipher } from './crypto.js';
import { findMembership, requirePartyRole } from './members.js';
import { parties, partyDocuments, partyMembers, partyReviews, type Contact, type Party, type PartyKind, type ReviewChecklist, type VerificationStatus } from './tables.js';
import type { PartyVerifier, VerifierDecision } from './verifier.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'party.registered': { kind: PartyKind; overseas: boolean; identityScheme: IdentityScheme };
    'party.updated': { fields: string[] };
    'party.verification_submitted': { from: EffectiveStatus; renewal: boolean };
    'party.verification_decided': {
      from: EffectiveStatus;
      to: VerificationStatus;
      checklist: ReviewChecklist;
      reasons: string;
      verifier: string;
      verifiedUntil: string | null;
    };
    'party.suspended': { reason: string };
    'party.reinstated': { reason: string };
    'party.identity_number_revealed': { reason: string };
  }
}

export type { Party } from './tables.js';
export type { PartyStanding } from './queries.js';
/** What callers see: the stored state, or `expired` / `suspended` when those override it. */
export type EffectiveStatus = VerificationStatus | 'expired' | 'suspended';

export interface IdentityContext {
  db: Database;
  blobs: BlobStore;
  cipher: IdentityCipher;
  verifier: PartyVerifier;
  verificationMonths: number;
  documentMaxBytes: number;
}

export function effectiveStatus(party: Pick<Party, 'verificationStatus' | 'verifiedUntil' | 'suspendedAt'>, now = new Date()): EffectiveStatus {
  if (party.suspendedAt) return 'suspended';
  if (party.verificationStatus === 'verified' && party.verifiedUntil && party.verifiedUntil <= now) return 'expired';
  return party.verificationStatus;
}

/**
 * Stored states in which a party still trades on its last verification while it is in date: a
 * renewal under review, or one the reviewer asked more about. A rejected renewal ends it at once.
 */
const tradingStatuses: readonly VerificationStatus[] = ['verified', 'submitted', 'needs_more_info'];

/** A verification may be renewed this many days before it ends, so trading need not stop. */
export const RENEWAL_WINDOW_DAYS = 60;

/**
 * Whether the party may trade now: not suspended, and a verification in date that no decision has
 * withdrawn. The same rule, as SQL for other modules' queries, is `partyMayTrade` in queries.ts.
 */
export function mayTrade(party: Pick<Party, 'verificationStatus' | 'verifiedUntil' | 'suspendedAt'>, now = new Date()): boolean {
  return !party.suspendedAt && party.verifiedUntil !== null && party.verifiedUntil > now && tradingStatuses.includes(party.verificationStatus);
}

const notVerifiedDetail: Record<EffectiveStatus, Localized> = {
  verified: { en: 'the party’s verification has ended; submit it again to renew', zh: '该主体的核验已届满，请重新提交以续期' },
  unverified: { en: 'the party has not submitted its identity for verification', zh: '该主体尚未提交身份核验' },
  submitted: { en: 'the party’s identity is waiting for review', zh: '该主体的身份正在等待审核' },
  rejected: { en: 'the party’s identity was rejected; correct it and submit again', zh: '该主体的身份核验未通过，请更正后重新提交' },
  needs_more_info: { en: 'the reviewer asked the party for more information', zh: '审核人员要求该主体补充材料' },
  expired: { en: 'the party’s verification has expired; submit it again to renew', zh: '该主体的核验已过期，请重新提交以续期' },
  suspended: { en: 'the party is suspended by the exchange', zh: '该主体已被交易所暂停' },
};

/**
 * Art. 28(2), Art. 18: the one check trading, catalog, public data and procurement make before
 * a party may act. An expired verification or a suspended party does not pass; a party renewing
 * its verification in time keeps trading while the renewal is reviewed.
 */
export async function requireVerifiedParty(
  db: Database,
  partyId: string | null,
): Promise<{ id: string; legalName: string; kind: PartyKind; overseas: boolean }> {
  if (!partyId) throw new AppError('party-required', { en: 'this needs the party you act for; send its id in the X-Party-Id header', zh: '此操作须以您所代表的主体进行，请在 X-Party-Id 请求头中提供其 id' });
  const [party] = await db.select().from(parties).where(eq(parties.id, partyId));
  if (!party) throw notFound({ en: 'party', zh: '主体' });
  // Suspended: one problem, as the route gate's (suspension.ts), without the reason, which is the
  // party's own and this party may be the other side of the caller's trade.
  if (party.suspendedAt) throw new AppError('party-suspended', notVerifiedDetail.suspended, { verificationStatus: 'suspended', partyId });
  if (!mayTrade(party)) {
    const status = effectiveStatus(party);
    throw new AppError('party-not-verified', notVerifiedDetail[status], { verificationStatus: status, partyId });
  }
  return { id: party.id, legalName: party.legalName, kind: party.kind, overseas: party.overseas };
}

function invalidInput(path: string, message: Localized): AppError {
  return new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });
}

export interface PartyInput {
  kind: PartyKind;
  legalName: string;
  representative: string;
  contacts: Contact[];
  identityNumber: string;
  overseas?: { country: string; documentType: 'registration' | 'passport' | 'other_travel_document' } | undefined;
}

/** Validates and seals an identity number for a party with the given id. */
function sealIdentity(ctx: IdentityContext, partyId: string, input: Pick<PartyInput, 'kind' | 'identityNumber' | 'overseas'>) {
  if (input.overseas && input.overseas.country === 'CN') throw invalidInput('/body/overseas/country', { en: 'a mainland party is not overseas; leave `overseas` out', zh: '境内主体不是境外主体，请不要填写 `overseas`' });
  if (input.overseas && input.kind === 'public_body') throw invalidInput('/body/kind', { en: 'a public body is a mainland party', zh: '公共机构是境内主体' });
  const scheme: IdentityScheme = input.overseas ? 'overseas' : input.kind === 'person' ? 'resident_id' : 'uscc';
  const checked = checkIdentityNumber(scheme, input.identityNumber);
  if (!checked.ok) throw invalidInput('/body/identityNumber', checked.reason);
  const scope = input.overseas ? `overseas:${input.overseas.country}:${input.overseas.documentType}` : scheme;
  return {
    identityScheme: scheme,
    country: input.overseas?.country ?? 'CN',
    overseas: input.overseas !== undefined,
    overseasDocumentType: input.overseas?.documentType ?? null,
    identityNumberSealed: ctx.cipher.encrypt(checked.value, partyId),
    identityNumberHmac: ctx.cipher.lookupHash(scope, checked.value),
    identityNumberMasked: maskIdentityNumber(checked.value),
  };
}

const duplicateIdentity = () => conflict({ en: 'a party with this identity number is already registered', zh: '已有使用该证件号码的主体注册' });

/** A user registers a party and becomes its first admin. */
export async function registerParty(ctx: IdentityContext, actor: AuditActor, userId: string, input: PartyInput): Promise<Party> {
  const id = randomUUID();
  const identity = sealIdentity(ctx, id, input);
  return ctx.db.transaction(async (tx) => {
    const [party] = await tx
      .insert(parties)
      .values({ id, kind: input.kind, legalName: input.legalName.trim(), representative: input.representative.trim(), contacts: input.contacts, createdBy: userId, createdAt: new Date(), ...identity })
      .onConflictDoNothing({ target: parties.identityNumberHmac })
      .returning();
    if (!party) throw duplicateIdentity();
    await tx.insert(partyMembers).values({ partyId: id, userId, role: 'admin' });
    await appendAudit(tx, actor, {
      action: 'party.registered',
      subject: { type: 'party', id },
      payload: { kind: party.kind, overseas: party.overseas, identityScheme: party.identityScheme },
    });
    return party;
  });
}

/** States in which the party may change its details and documents. */
export const editableStatuses: readonly EffectiveStatus[] = ['unverified', 'rejected', 'needs_more_info', 'expired'];

export async function lockParty(tx: Database, partyId: string): Promise<Party> {
  const [party] = await tx.select().from(parties).where(eq(parties.id, partyId)).for('update');
  if (!party) throw notFound({ en: 'party', zh: '主体' });
  return party;
}

export function assertEditable(party: Party): void {
  const status = effectiveStatus(party);
  if (!editableStatuses.includes(status)) {
    throw invalidState({ en: `the party cannot be changed while it is ${status}`, zh: `主体状态为 ${status} 时不能变更` }, { verificationStatus: status });
  }
}

export async function updateParty(
  ctx: IdentityContext,
  actor: AuditActor,
  userId: string,
  partyId: string,
  change: Partial<Omit<PartyInput, 'kind' | 'overseas'>>,
): Promise<Party> {
  await requirePartyRole(ctx.db, partyId, userId, 'admin');
  return ctx.db.transaction(async (tx) => {
    const before = await lockParty(tx, partyId);
    assertEditable(before);
    const overseas = before.overseas ? { country: before.country, documentType: before.overseasDocumentType ?? 'registration' } : undefined;
    const identity = change.identityNumber === undefined ? undefined : sealIdentity(ctx, partyId, { kind: before.kind, identityNumber: change.identityNumber, overseas });
    if (identity && identity.identityNumberHmac !== before.identityNumberHmac) {
      const [taken] = await tx.select({ id: parties.id }).from(parties).where(eq(parties.identityNumberHmac, identity.identityNumberHmac));
      if (taken) throw duplicateIdentity();
    }
    // A verification vouches for the name and number it saw: changing either while one is still
    // running (during a renewal) ends it, so nobody trades on details no one has checked.
    const now = new Date();
    const vouchedChanged =
      (change.legalName !== undefined && change.legalName.trim() !== before.legalName) ||
      (identity !== undefined && identity.identityNumberHmac !== before.identityNumberHmac);
    const values = {
      ...(vouchedChanged && before.verifiedUntil && before.verifiedUntil > now ? { verifiedUntil: now } : {}),
      ...(change.legalName === undefined ? {} : { legalName: change.legalName.trim() }),
      ...(change.representative === undefined ? {} : { representative: change.representative.trim() }),
      ...(change.contacts === undefined ? {} : { contacts: change.contacts }),
      ...identity,
    };
    const [after] = await tx.update(parties).set({ ...values, updatedAt: now }).where(eq(parties.id, partyId)).returning();
    const fields = Object.keys(change).filter((k) => change[k as keyof typeof change] !== undefined);
    await appendAudit(tx, actor, { action: 'party.updated', subject: { type: 'party', id: partyId }, payload: { fields } });
    return after!;
  });
}

/** The verification workflow as data: each step, the states it starts from and the state it leads to. */
const steps = {
  // From `verified` only inside the renewal window (see submitForVerification).
  submit: { from: ['unverified', 'rejected', 'needs_more_info', 'expired', 'verified'], to: 'submitted' },
  verified: { from: ['submitted'], to: 'verified' },
  rejected: { from: ['submitted'], to: 'rejected' },
  needs_more_info: { from: ['submitted'], to: 'needs_more_info' },
} as const satisfies Record<string, { from: readonly EffectiveStatus[]; to: VerificationStatus }>;

function assertStep(party: Party, step: keyof typeof steps, now: Date): EffectiveStatus {
  const status = effectiveStatus(party, now);
  if (!(steps[step].from as readonly EffectiveStatus[]).includes(status)) {
    throw invalidState({ en: `a party that is ${status} cannot be ${step === 'submit' ? 'submitted' : 'reviewed'}`, zh: `状态为 ${status} 的主体不能${step === 'submit' ? '提交核验' : '审核'}` }, { verificationStatus: status });
  }
  return status;
}

/**
 * The party submits its identity for review. Organisations need their business licence (or
 * registration certificate); overseas parties a copy of their identity or registration document.
 */
export async function submitForVerification(ctx: IdentityContext, actor: AuditActor, userId: string, partyId: string): Promise<Party> {
  await requirePartyRole(ctx.db, partyId, userId, 'admin');
  const submitted = await ctx.db.transaction(async (tx) => {
    const before = await lockParty(tx, partyId);
    const now = new Date();
    const from = assertStep(before, 'submit', now);
    if (from === 'verified' && before.verifiedUntil!.getTime() - now.getTime() > RENEWAL_WINDOW_DAYS * 86_400_000) {
      throw invalidState({ en: `a verification can be renewed from ${RENEWAL_WINDOW_DAYS} days before it ends (${before.verifiedUntil!.toISOString().slice(0, 10)})`, zh: `核验有效期届满前 ${RENEWAL_WINDOW_DAYS} 日起方可续期（届满日为 ${before.verifiedUntil!.toISOString().slice(0, 10)}）` }, {
        verificationStatus: from,
      });
    }
    const documents = await tx.select({ kind: partyDocuments.kind }).from(partyDocuments).where(eq(partyDocuments.partyId, partyId));
    const needed = before.kind !== 'person' ? 'business_licence' : before.overseas ? 'identity_document' : null;
    if (needed && !documents.some((d) => d.kind === needed)) {
      throw invalidState({ en: `upload the party's ${needed.replace('_', ' ')} before submitting`, zh: `提交前请上传该主体的证明文件 ${needed}` }, { missingDocument: needed });
    }
    const [after] = await tx
      .update(parties)
      .set({ verificationStatus: steps.submit.to, submittedAt: now, updatedAt: now })
      .where(eq(parties.id, partyId))
      .returning();
    await appendAudit(tx, actor, {
      action: 'party.verification_submitted',
      subject: { type: 'party', id: partyId },
      payload: { from, renewal: before.verifiedAt !== null },
    });
    return after!;
  });
  // After commit: a registry verifier may decide at once; without one an operator reviews.
  const decision = await ctx.verifier.check({
    id: submitted.id,
    kind: submitted.kind,
    legalName: submitted.legalName,
    representative: submitted.representative,
    overseas: submitted.overseas,
    country: submitted.country,
    identityScheme: submitted.identityScheme,
    identityNumber: ctx.cipher.decrypt(submitted.identityNumberSealed, submitted.id),
  });
  if (!decision) return submitted;
  return decideVerification(ctx, { ...actor, role: 'system' }, null, partyId, decision, ctx.verifier.name);
}

/**
 * Records a decision on a submission: an operator's (`reviewerUserId`) or a verifier's. Verified
 * parties stay verified for the configured number of months from `now`.
 */
export async function decideVerification(
  ctx: IdentityContext,
  actor: AuditActor,
  reviewerUserId: string | null,
  partyId: string,
  input: VerifierDecision,
  verifier = 'operator',
  now = new Date(),
): Promise<Party> {
  if (input.decision === 'verified' && !Object.values(input.checklist).every(Boolean)) {
    throw invalidInput('/body/checklist', { en: 'every checklist item must hold before a party is verified', zh: '核查清单的每一项均须满足，主体方可通过核验' });
  }
  if (input.decision !== 'verified' && input.reasons.trim() === '') {
    throw invalidInput('/body/reasons', { en: 'give the party the reasons, so it can correct its submission', zh: '请向主体说明理由，以便其更正所提交的材料' });
  }
  // Art. 28(2) asks the exchange, not the party, to verify: no one reviews a party they belong to.
  if (reviewerUserId && (await isPartyMember(ctx.db, partyId, reviewerUserId))) {
    throw new AppError('forbidden', { en: 'you cannot review a party you are a member of', zh: '您不能审核您所属的主体' });
  }
  return ctx.db.transaction(async (tx) => {
    const before = await lockParty(tx, partyId);
    const from = assertStep(before, input.decision, now);
    const verifiedUntil = input.decision === 'verified' ? addMonths(now, ctx.verificationMonths) : null;
    const [after] = await tx
      .update(parties)
      .set({
        verificationStatus: steps[input.decision].to,
        updatedAt: now,
        ...(verifiedUntil ? { verifiedAt: now, verifiedUntil } : {}),
      })
      .where(eq(parties.id, partyId))
      .returning();
    await tx.insert(partyReviews).values({ partyId, decision: input.decision, checklist: input.checklist, reasons: input.reasons.trim(), verifier, reviewerUserId, createdAt: now });
    await appendAudit(tx, actor, {
      action: 'party.verification_decided',
      subject: { type: 'party', id: partyId },
      payload: { from, to: steps[input.decision].to, checklist: input.checklist, reasons: input.reasons.trim(), verifier, verifiedUntil: verifiedUntil?.toISOString() ?? null },
    });
    return after!;
  });
}

function addMonths(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}

/** The one way to see a full identity number: operators only, with a reason, audited before it is shown. */
export async function revealIdentityNumber(ctx: IdentityContext, actor: AuditActor, partyId: string, reason: string): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const [party] = await tx.select().from(parties).where(eq(parties.id, partyId));
    if (!party) throw notFound({ en: 'party', zh: '主体' });
    await appendAudit(tx, actor, { action: 'party.identity_number_revealed', subject: { type: 'party', id: partyId }, payload: { reason } });
    return ctx.cipher.decrypt(party.identityNumberSealed, party.id);
  });
}

// Read-side queries live in queries.ts; other modules import them from here.
export { findPartyStanding, getPartyDetails, isPartySuspended, listParties, listMyParties, partyKind, partyMayTrade, partyNames, partyVerifiedUntil, suspendedParties } from './queries.js';

/** Whether the user belongs to the party; reviewers use it to keep out of their own parties' reviews. */
export async function isPartyMember(db: Database, partyId: string, userId: string): Promise<boolean> {
  return (await findMembership(db, partyId, userId)) !== undefined;
}
