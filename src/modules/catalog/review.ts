import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { isPartyMember, requireVerifiedParty } from '../identity/service.js';
import { invalidInput, type Caller } from './context.js';
import { assertEvidenceOwned } from './evidence.js';
import { findListingFor, getRevision, type Listing, type Revision } from './listings.js';
import { checklistRequirements, type ReviewChecklistItem } from './schema.js';
import { listingReviews, listingRevisions, listings, provenanceDeclarations, tradabilityGrounds, type MarketStatus, type ReviewStatus } from './tables.js';

/** What every listing transition records in the audit chain, with the reviewer as the actor. */
export interface ListingTransitionPayload {
  revisionId: string;
  from: string;
  to: string;
  reviewId?: string;
  checklist?: ReviewChecklistItem[];
  notes?: string | null;
  reason?: string;
}

declare module '../audit/events.js' {
  interface AuditPayloads {
    'listing.submitted': ListingTransitionPayload;
    'listing.approved': ListingTransitionPayload;
    'listing.rejected': ListingTransitionPayload;
    'listing.changes_requested': ListingTransitionPayload;
    'listing.suspended': ListingTransitionPayload;
    'listing.reinstated': ListingTransitionPayload;
    'listing.delisted': ListingTransitionPayload;
  }
}

/**
 * The review and market state machine as data. Review steps move the working revision; market
 * steps move the listing. Approval also puts the revision on sale (see `transition`).
 */
export const listingTransitions = {
  submit: { on: 'revision', from: ['draft'], to: 'submitted', audit: 'listing.submitted' },
  approve: { on: 'revision', from: ['submitted'], to: 'approved', audit: 'listing.approved' },
  reject: { on: 'revision', from: ['submitted'], to: 'rejected', audit: 'listing.rejected' },
  request_changes: { on: 'revision', from: ['submitted'], to: 'changes_requested', audit: 'listing.changes_requested' },
  suspend: { on: 'listing', from: ['listed'], to: 'suspended', audit: 'listing.suspended' },
  reinstate: { on: 'listing', from: ['suspended'], to: 'listed', audit: 'listing.reinstated' },
  delist: { on: 'listing', from: ['unlisted', 'listed', 'suspended'], to: 'delisted', audit: 'listing.delisted' },
} as const satisfies Record<
  string,
  | { on: 'revision'; from: readonly ReviewStatus[]; to: ReviewStatus; audit: string }
  | { on: 'listing'; from: readonly MarketStatus[]; to: MarketStatus; audit: string }
>;
export type ListingAction = keyof typeof listingTransitions;

/** The one place a listing changes state: checks the move is allowed, stamps it, audits it. */
async function transition(
  tx: Database,
  caller: Caller,
  action: ListingAction,
  listing: Listing,
  revision: Revision,
  details: Omit<ListingTransitionPayload, 'revisionId' | 'from' | 'to'> = {},
): Promise<void> {
  const rule = listingTransitions[action];
  const now = new Date();
  const from = rule.on === 'revision' ? revision.reviewStatus : listing.status;
  if (!(rule.from as readonly string[]).includes(from)) {
    throw invalidState({ en: `cannot ${action.replace('_', ' ')} a listing whose ${rule.on === 'revision' ? 'revision is' : 'status is'} ${from}`, zh: `${rule.on === 'revision' ? '数据产品修订版本' : '数据产品'}的状态为 ${from}，不能执行 ${action}` }, { status: from });
  }
  if (rule.on === 'revision') {
    await tx
      .update(listingRevisions)
      .set({ reviewStatus: rule.to, updatedAt: now, ...(action === 'submit' ? { submittedAt: now } : { decidedAt: now }) })
      .where(eq(listingRevisions.id, revision.id));
  }
  const listingChange =
    action === 'approve'
      ? // Approval puts this revision on sale; a suspended listing stays suspended until reinstated.
        { liveRevisionId: revision.id, listedAt: now, status: listing.status === 'unlisted' ? ('listed' as const) : listing.status }
      : rule.on === 'listing'
        ? { status: rule.to }
        : {};
  await tx.update(listings).set({ ...listingChange, updatedAt: now }).where(eq(listings.id, listing.id));
  await appendAudit(tx, caller.audit, {
    action: rule.audit,
    subject: { type: 'listing', id: listing.id },
    payload: { revisionId: revision.id, from, to: rule.to, ...details },
    // The provider keeps receipts of the decisions on its listing.
    parties: [listing.ownerPartyId],
  });
}

/** What is missing before a revision can be reviewed; empty when it is complete. */
async function missingForReview(tx: Database, listing: Listing, revision: Revision): Promise<string[]> {
  const missing: string[] = [];
  // Art. 28(1): the source of the data is stated.
  const [provenance] = revision.provenanceId ? await tx.select().from(provenanceDeclarations).where(eq(provenanceDeclarations.id, revision.provenanceId)) : [];
  if (!provenance) missing.push('provenance');
  // Art. 26: every listing rests on one of the two grounds.
  const [ground] = revision.groundId ? await tx.select().from(tradabilityGrounds).where(eq(tradabilityGrounds.id, revision.groundId)) : [];
  if (!ground) missing.push('ground');
  // Personal information may rest only on a ground with evidence attached.
  if (ground && revision.personalInformation && ground.ground.evidence.length === 0) missing.push('ground.evidence');
  if (!revision.datasetVersionId) missing.push('datasetVersionId');
  // The evidence must still be the party's own documents.
  const evidence = [...(provenance?.declaration.evidence ?? []), ...(ground?.ground.evidence ?? [])].map((e) => e.sha256);
  await assertEvidenceOwned(tx, listing.ownerPartyId, evidence);
  return missing;
}

/** The provider sends the working revision to the operators; the party must be verified (Art. 28(2)). */
export async function submitListingForReview(db: Database, caller: Caller, listingId: string): Promise<Revision> {
  return db.transaction(async (tx) => {
    const listing = await findListingFor(tx, caller, listingId, { ownerOnly: true, lock: true });
    await requireVerifiedParty(tx, caller.actor.partyId);
    const revision = await getRevision(tx, listing.workingRevisionId);
    if (listing.status === 'delisted') throw invalidState({ en: 'the listing is delisted', zh: '该数据产品已下架' });
    if (revision.reviewStatus === 'draft') {
      const missing = await missingForReview(tx, listing, revision);
      if (missing.length > 0) throw new AppError('listing-incomplete', { en: `complete the listing before review: ${missing.join(', ')}`, zh: `请先完善数据产品信息再提交审核：${missing.join('、')}` }, { missing });
    }
    await transition(tx, caller, 'submit', listing, revision);
    return getRevision(tx, revision.id);
  });
}

export interface ReviewDecision {
  revisionId: string;
  decision: 'approve' | 'reject' | 'request_changes';
  checklist: ReviewChecklistItem[];
  notes?: string | undefined;
}

/**
 * An operator decides on a submitted revision, with one checklist entry per requirement. Approval
 * needs every requirement satisfied and the provider still verified; a refusal needs notes.
 */
export async function reviewListing(db: Database, caller: Caller, listingId: string, input: ReviewDecision): Promise<Revision> {
  const covered = new Set(input.checklist.map((c) => c.requirement));
  const uncovered = checklistRequirements.filter((r) => !covered.has(r));
  if (uncovered.length > 0) throw invalidInput('/body/checklist', { en: `record each requirement once; missing: ${uncovered.join(', ')}`, zh: `每项要求须记录一次；缺少：${uncovered.join('、')}` });
  if (input.decision === 'approve' && input.checklist.some((c) => !c.satisfied)) {
    throw invalidInput('/body/checklist', { en: 'a listing is approved only when every requirement is satisfied', zh: '数据产品须满足全部要求方可批准' });
  }
  if (input.decision !== 'approve' && !input.notes?.trim()) throw invalidInput('/body/notes', { en: 'give the provider the reasons', zh: '请向提供方说明理由' });
  return db.transaction(async (tx) => {
    const listing = await findListingFor(tx, caller, listingId, { ownerOnly: false, lock: true });
    if (listing.workingRevisionId !== input.revisionId) throw conflict({ en: 'that revision is not the one under review', zh: '该修订版本不是正在审核的版本' }, { revisionId: listing.workingRevisionId });
    // The exchange reviews, not the provider: no operator decides on a listing of a party they belong to.
    if (await isPartyMember(tx, listing.ownerPartyId, caller.actor.userId)) throw new AppError('forbidden', { en: 'you cannot review a listing of a party you are a member of', zh: '您不能审核您所属主体的数据产品' });
    const revision = await getRevision(tx, input.revisionId);
    if (input.decision === 'approve') await requireVerifiedParty(tx, listing.ownerPartyId);
    const decided = { approve: 'approved', reject: 'rejected', request_changes: 'changes_requested' } as const;
    const [review] = await tx
      .insert(listingReviews)
      .values({ listingId, revisionId: revision.id, reviewerUserId: caller.actor.userId, decision: decided[input.decision], checklist: input.checklist, notes: input.notes ?? null })
      .returning();
    await transition(tx, caller, input.decision, listing, revision, { reviewId: review!.id, checklist: input.checklist, notes: input.notes ?? null });
    return getRevision(tx, revision.id);
  });
}

/** Operators suspend and reinstate; providers delist their own. Each with a reason on record. */
export async function changeMarketStatus(
  db: Database,
  caller: Caller,
  listingId: string,
  action: 'suspend' | 'reinstate' | 'delist',
  reason: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const listing = await findListingFor(tx, caller, listingId, { ownerOnly: action === 'delist', lock: true });
    const revision = await getRevision(tx, listing.liveRevisionId ?? listing.workingRevisionId);
    await transition(tx, caller, action, listing, revision, { reason });
  });
}
