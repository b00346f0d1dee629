import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { isPartyMember, requireVerifiedParty } from '../identity/service.js';
import type { Caller } from './context.js';
import { findEntryFor, getEntryRevision, type Entry, type EntryRevision } from './entries.js';
import { checkEntryContent } from './rules.js';
import type { EntryReviewStatus } from './schema.js';
import { entries, entryReviews, entryRevisions } from './tables.js';

/** What every review step records in the audit chain. */
export interface EntryTransitionPayload {
  revisionId: string;
  from: EntryReviewStatus;
  to: EntryReviewStatus;
  reviewId?: string;
  reasons?: string;
}

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.entry_submitted': EntryTransitionPayload;
    'public_data.entry_approved': EntryTransitionPayload;
    'public_data.entry_rejected': EntryTransitionPayload;
  }
}

/**
 * Shanghai Art. 12 ¶3: the open list is reviewed before it is published. The review steps as data;
 * approval also publishes the revision (see `transition`).
 */
export const entryTransitions = {
  submit: { from: ['draft'], to: 'submitted', audit: 'public_data.entry_submitted' },
  approve: { from: ['submitted'], to: 'approved', audit: 'public_data.entry_approved' },
  reject: { from: ['submitted'], to: 'rejected', audit: 'public_data.entry_rejected' },
} as const satisfies Record<string, { from: readonly EntryReviewStatus[]; to: EntryReviewStatus; audit: string }>;
export type EntryAction = keyof typeof entryTransitions;

/** The one place an entry's revision changes review state: checks the step, stamps it, audits it. */
async function transition(tx: Database, caller: Caller, action: EntryAction, entry: Entry, revision: EntryRevision, details: { reviewId?: string; reasons?: string } = {}) {
  const rule = entryTransitions[action];
  const from = revision.reviewStatus;
  if (!(rule.from as readonly string[]).includes(from)) throw invalidState({ en: `cannot ${action} an entry whose revision is ${from}`, zh: `目录修订版本状态为 ${from}，不能执行 ${action}` }, { status: from });
  const now = new Date();
  await tx
    .update(entryRevisions)
    .set({ reviewStatus: rule.to, updatedAt: now, ...(action === 'submit' ? { submittedAt: now } : { decidedAt: now }) })
    .where(eq(entryRevisions.id, revision.id));
  // Approval publishes this revision; the one it replaces stayed published while it was reviewed.
  await tx.update(entries).set({ updatedAt: now, ...(action === 'approve' ? { liveRevisionId: revision.id, publishedAt: now } : {}) }).where(eq(entries.id, entry.id));
  await appendAudit(tx, caller.audit, {
    action: rule.audit,
    subject: { type: 'public_data_entry', id: entry.id },
    payload: { revisionId: revision.id, from, to: rule.to, ...details },
    // The department keeps receipts of the bureau's decisions on its entries.
    parties: [entry.departmentPartyId],
  });
}

/** The department sends its working revision to the bureau; the department must be verified. */
export async function submitEntryForReview(db: Database, caller: Caller, entryId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const entry = await findEntryFor(tx, caller, entryId, { ownerOnly: true, lock: true });
    await requireVerifiedParty(tx, entry.departmentPartyId);
    const revision = await getEntryRevision(tx, entry.workingRevisionId);
    await transition(tx, caller, 'submit', entry, revision);
  });
}

export interface EntryReviewDecision {
  revisionId: string;
  decision: 'approve' | 'reject';
  reasons?: string | undefined;
}

/**
 * The bureau decides on a submitted revision. A rejection gives the department its reasons; an
 * approval checks the rules again (they may have been tightened since the draft) and that the
 * department is still verified. Concurrent decisions queue on the entry's row lock: the first
 * decides, the others find the revision no longer submitted (409).
 */
export async function reviewEntry(db: Database, caller: Caller, entryId: string, input: EntryReviewDecision): Promise<void> {
  const reasons = input.reasons?.trim() ?? '';
  if (input.decision === 'reject' && !reasons) throw new AppError('validation-failed', { en: 'give the department the reasons', zh: '请向部门说明理由' }, { errors: [{ path: '/body/reasons', message: 'required to reject' }] });
  await db.transaction(async (tx) => {
    const entry = await findEntryFor(tx, caller, entryId, { ownerOnly: false, lock: true });
    if (entry.workingRevisionId !== input.revisionId) throw conflict({ en: 'that revision is not the one under review', zh: '该修订版本不是正在审核的版本' }, { revisionId: entry.workingRevisionId });
    // The bureau reviews, not the department: no one decides on an entry of a party they belong to.
    if (await isPartyMember(tx, entry.departmentPartyId, caller.actor.userId)) throw new AppError('forbidden', { en: 'you cannot review an entry of a department you are a member of', zh: '您不能审核您所属部门的目录' });
    const revision = await getEntryRevision(tx, input.revisionId);
    if (input.decision === 'approve') {
      checkEntryContent(revision.content);
      await requireVerifiedParty(tx, entry.departmentPartyId);
    }
    const decided = input.decision === 'approve' ? 'approved' : 'rejected';
    if (revision.reviewStatus !== 'submitted') throw invalidState({ en: `cannot ${input.decision} an entry whose revision is ${revision.reviewStatus}`, zh: `目录修订版本状态为 ${revision.reviewStatus}，不能执行 ${input.decision}` }, { status: revision.reviewStatus });
    const [review] = await tx.insert(entryReviews).values({ entryId, revisionId: revision.id, reviewerUserId: caller.actor.userId, decision: decided, reasons }).returning();
    await transition(tx, caller, input.decision, entry, revision, { reviewId: review!.id, ...(reasons ? { reasons } : {}) });
  });
}

export async function listEntryReviews(db: Database, caller: Caller, entryId: string) {
  await findEntryFor(db, caller, entryId, { ownerOnly: false });
  return db.select().from(entryReviews).where(eq(entryReviews.entryId, entryId)).orderBy(asc(entryReviews.createdAt));
}
