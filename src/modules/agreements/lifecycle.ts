import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { systemActor } from '../audit/events.js';
import { requirePartyRole } from '../identity/members.js';
import { invalidInput, type Caller } from './context.js';
import type { AgreementRow } from './document.js';
import { dayInShanghai } from './model-text.js';
import { agreementDisposals, agreements, type AgreementStatus, type DisposalMethod } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'agreement.expired': { number: string; termEnd: string };
    'agreement.terminated': { number: string; from: string; reason: string };
    'agreement.disposal_certified': { number: string; method: DisposalMethod; newAgreementNumber: string | null };
  }
}

/** The agreement's state machine as data; every move goes through `moveAgreement`. */
export const agreementTransitions = {
  // The first signature freezes the content: from then on it can only be signed or ended.
  first_signature: { from: ['draft'], to: 'awaiting_signatures' },
  seal: { from: ['awaiting_signatures'], to: 'signed' },
  expire: { from: ['signed'], to: 'expired' },
  terminate: { from: ['draft', 'awaiting_signatures', 'signed'], to: 'terminated' },
} as const satisfies Record<string, { from: readonly AgreementStatus[]; to: AgreementStatus }>;
export type AgreementAction = keyof typeof agreementTransitions;

/** Checks and makes one move, stamped; `changes` are written with it. Answers false when another process moved first. */
export async function moveAgreement(tx: Database, row: AgreementRow, action: AgreementAction, changes: Partial<typeof agreements.$inferInsert> = {}): Promise<boolean> {
  const rule = agreementTransitions[action];
  if (!(rule.from as readonly string[]).includes(row.status)) {
    throw invalidState({ en: `cannot ${action.replace('_', ' ')} an agreement that is ${row.status}`, zh: `协议状态为 ${row.status}，不能执行 ${action}` }, { status: row.status });
  }
  const moved = await tx
    .update(agreements)
    .set({ ...changes, status: rule.to, updatedAt: new Date() })
    .where(and(eq(agreements.id, row.id), eq(agreements.status, row.status)))
    .returning({ id: agreements.id });
  return moved.length === 1;
}

/**
 * Marks signed agreements whose term has ended as expired. Any number of processes may sweep at
 * once: each claims its rows with SKIP LOCKED. Answers how many it expired. An agreement expired
 * when its term ended, however late the sweep notices: `expiredAt` is the end of the term, so a
 * sweep that first runs long after (a new deployment, a stopped timer) does not move the disposal
 * deadline.
 */
export async function sweepExpiredAgreements(db: Database, now = new Date(), batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(agreements)
        .where(and(eq(agreements.status, 'signed'), lte(agreements.termEnd, now)))
        .orderBy(asc(agreements.termEnd))
        .limit(batch)
        .for('update', { skipLocked: true });
      for (const row of due) {
        await moveAgreement(tx, row, 'expire', { expiredAt: row.termEnd });
        await appendAudit(tx, systemActor(), {
          action: 'agreement.expired',
          subject: { type: 'agreement', id: row.id },
          payload: { number: row.number, termEnd: dayInShanghai(row.termEnd) },
          parties: row.partyIds,
        });
      }
      return due.length;
    });
    total += expired;
    if (expired < batch) return total;
  }
}

/** An operator ends an agreement early (an order cancelled, a breach found), with the reason on record. */
export async function terminateAgreement(db: Database, caller: Caller, agreementId: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(agreements).where(eq(agreements.id, agreementId)).for('update');
    if (!row) throw notFound({ en: 'agreement', zh: '协议' });
    const now = new Date();
    await moveAgreement(tx, row, 'terminate', { terminatedAt: now, terminationReason: reason });
    await appendAudit(tx, caller.audit, {
      action: 'agreement.terminated',
      subject: { type: 'agreement', id: row.id },
      payload: { number: row.number, from: row.status, reason },
      parties: row.partyIds,
    });
  });
}

export interface DisposalInput {
  method: DisposalMethod;
  statement: string;
  newAgreementNumber?: string | undefined;
}

/**
 * Art. 19 ¶2: after the term, the party that received the data certifies how it disposed of them:
 * deleted, returned, or kept under a new agreement (which must exist between the same parties).
 */
export async function certifyDisposal(db: Database, caller: Caller, agreementId: string, input: DisposalInput): Promise<void> {
  const partyId = caller.actor.partyId;
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(agreements).where(eq(agreements.id, agreementId)).for('update');
    if (!row || !partyId || !row.partyIds.includes(partyId)) throw notFound({ en: 'agreement', zh: '协议' });
    if (row.status !== 'expired' && row.status !== 'terminated') throw invalidState({ en: `the data are disposed of once the agreement has ended; it is ${row.status}`, zh: `数据在协议终止后处置；该协议状态为 ${row.status}` }, { status: row.status });
    if (row.recipientPartyId !== partyId) throw new AppError('not-data-recipient');
    await requirePartyRole(tx, partyId, caller.actor.userId, 'admin');
    const [done] = await tx.select({ id: agreementDisposals.agreementId }).from(agreementDisposals).where(eq(agreementDisposals.agreementId, row.id));
    if (done) throw conflict({ en: 'the disposal of this agreement is already certified', zh: '该协议的数据处置已经出具证明' });
    let newAgreementNumber: string | null = null;
    if (input.method === 'retained_under_new_agreement') {
      if (!input.newAgreementNumber) throw invalidInput('/body/newAgreementNumber', { en: 'name the agreement under which the data are kept', zh: '请指明保留数据所依据的协议' });
      const [successor] = await tx.select().from(agreements).where(eq(agreements.number, input.newAgreementNumber));
      const sameParties = successor && [...successor.partyIds].sort().join() === [...row.partyIds].sort().join();
      if (!successor || !sameParties || successor.status !== 'signed') {
        throw invalidInput('/body/newAgreementNumber', { en: 'not a signed agreement in force between the same parties', zh: '不是双方之间已签署且有效的协议' });
      }
      newAgreementNumber = successor.number;
    }
    const event = await appendAudit(tx, caller.audit, {
      action: 'agreement.disposal_certified',
      subject: { type: 'agreement', id: row.id },
      payload: { number: row.number, method: input.method, newAgreementNumber },
      parties: row.partyIds,
    });
    await tx.insert(agreementDisposals).values({
      agreementId: row.id,
      method: input.method,
      statement: input.statement,
      newAgreementNumber,
      partyId,
      certifiedBy: caller.actor.userId,
      certifiedAt: new Date(),
      auditEventId: event.id,
    });
  });
}

export interface MissingDisposal {
  agreement: AgreementRow;
  endedAt: Date;
  dueAt: Date;
  overdue: boolean;
}

/** The supervision list: ended agreements whose disposal is not certified, oldest first. */
export async function listMissingDisposals(
  db: Database,
  disposalDays: number,
  q: { overdueOnly: boolean; after?: { endedAt: string; id: string } | undefined; limit: number },
  now = new Date(),
): Promise<MissingDisposal[]> {
  // When the agreement ended: the end of its term, or its termination if that came first; never
  // when a sweep noticed the expiry (Art. 19 ¶2: AGREEMENT_DISPOSAL_DAYS count from the end of the
  // agreement). PostgreSQL's `least` skips nulls.
  const endedAt = sql<Date>`least(${agreements.termEnd}, ${agreements.terminatedAt})`;
  const rows = await db
    .select({ agreement: agreements, endedAt })
    .from(agreements)
    .leftJoin(agreementDisposals, eq(agreementDisposals.agreementId, agreements.id))
    .where(
      and(
        inArray(agreements.status, ['expired', 'terminated']),
        isNull(agreementDisposals.agreementId),
        // Only agreements that ever gave the data: a draft ended before signing gave nothing.
        sql`${agreements.sealedAt} is not null`,
        q.overdueOnly ? sql`${endedAt} < ${new Date(now.getTime() - disposalDays * 86_400_000).toISOString()}::timestamptz` : undefined,
        q.after ? sql`(${endedAt}, ${agreements.id}) > (${q.after.endedAt}::timestamptz, ${q.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(endedAt), asc(agreements.id))
    .limit(q.limit);
  return rows.map(({ agreement, endedAt }) => {
    const ended = new Date(endedAt);
    const dueAt = new Date(ended.getTime() + disposalDays * 86_400_000);
    return { agreement, endedAt: ended, dueAt, overdue: dueAt.getTime() < now.getTime() };
  });
}
