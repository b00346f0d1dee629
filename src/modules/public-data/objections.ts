import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { dueAfterWorkingDays, loadWorkingCalendar, type WorkingCalendar } from '../calendar/index.js';
import { requireVerifiedParty } from '../identity/service.js';
import { isBureau, type Caller } from './context.js';
import { chineseReference, citing } from './rules.js';
import { readSetting } from './settings.js';
import { entries } from './tables.js';
import { objectionEvidenceFiles, objections, type ObjectionStatus } from './objection-tables.js';

/** Chongqing Art. 22, quoted from the original in shared/seeds/001. */
export const art22 = { ref: 'Chongqing Art. 22', text: '建立政務數據疑義、錯誤快速校核機制' } as const;

export type Objection = typeof objections.$inferSelect;

export interface ObjectionTransitionPayload {
  entryId: string;
  from: ObjectionStatus;
  to: ObjectionStatus;
  reasons?: string;
  versionId?: string;
}

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.objection_raised': { entryId: string; kind: string; dueAt: string; workingDays: number; provisional: boolean; calendarVersions: Record<string, number>; evidenceFileId: string | null };
    'public_data.objection_confirmed': ObjectionTransitionPayload;
    'public_data.objection_rejected': ObjectionTransitionPayload;
    'public_data.objection_corrected': ObjectionTransitionPayload;
  }
}

/**
 * Art. 22: the department checks an objection and confirms or rejects it (with reasons); a
 * confirmed error is corrected by a new data version, which closes the objection.
 */
export const objectionTransitions = {
  confirm: { from: ['open'], to: 'confirmed', audit: 'public_data.objection_confirmed' },
  reject: { from: ['open'], to: 'rejected', audit: 'public_data.objection_rejected' },
  correct: { from: ['open', 'confirmed'], to: 'corrected', audit: 'public_data.objection_corrected' },
} as const satisfies Record<string, { from: readonly ObjectionStatus[]; to: ObjectionStatus; audit: string }>;
export type ObjectionAction = keyof typeof objectionTransitions;

/** Still waiting for the department's answer (a confirmed objection has its answer). */
export const awaitingAnswer: readonly ObjectionStatus[] = ['open'];
/** Not closed yet: shown to every reader of the entry. */
export const unresolved: readonly ObjectionStatus[] = ['open', 'confirmed'];

/** The one place an objection changes state: checks the step, stamps it, audits it. */
async function transition(tx: Database, caller: Caller, action: ObjectionAction, objection: Objection, details: { reasons?: string; versionId?: string } = {}) {
  const rule = objectionTransitions[action];
  const from = objection.status;
  if (!(rule.from as readonly string[]).includes(from)) throw invalidState({ en: `cannot ${action} an objection that is ${from}`, zh: `异议状态为 ${from}，不能执行 ${action}` }, { status: from });
  const now = new Date();
  const closes = rule.to === 'rejected' || rule.to === 'corrected';
  const [updated] = await tx
    .update(objections)
    .set({
      status: rule.to,
      ...(objection.answeredAt ? {} : { answeredAt: now }),
      ...(closes ? { closedAt: now } : {}),
      ...(details.reasons ? { reasons: details.reasons } : {}),
      ...(details.versionId ? { correctionVersionId: details.versionId } : {}),
    })
    .where(eq(objections.id, objection.id))
    .returning();
  await appendAudit(tx, caller.audit, {
    action: rule.audit,
    subject: { type: 'public_data_objection', id: objection.id },
    payload: { entryId: objection.entryId, from, to: rule.to, ...details },
    // The objector's party keeps a receipt of the answer.
    parties: [objection.objectorPartyId, objection.departmentPartyId],
  });
  return updated!;
}

export interface ObjectionInput {
  entryId: string;
  kind: 'doubt' | 'error';
  description: string;
  evidenceText?: string | undefined;
  evidenceFileId?: string | undefined;
}

/**
 * Art. 22: a verified party raises a doubt about, or reports an error in, a published entry. The
 * answer is due the bureau's number of working days after receipt, counted now on the stored calendar.
 */
export async function raiseObjection(db: Database, caller: Caller, input: ObjectionInput, receivedAt = new Date()): Promise<Objection> {
  const party = await requireVerifiedParty(db, caller.actor.partyId);
  return db.transaction(async (tx) => {
    const [entry] = await tx.select().from(entries).where(eq(entries.id, input.entryId));
    // Only published data is open to objection; a draft does not exist for the public. An id in the
    // body that names nothing on the open list is invalid input, as an order's listing not on sale is.
    if (!entry?.publishedAt) throw new AppError('validation-failed', { en: `${art22.ref}: no published entry of the open list has this id`, zh: `${chineseReference(art22.ref)}：开放清单中没有使用该 id 的已发布目录` }, { errors: [{ path: '/body/entryId', message: 'not a published entry' }] });
    if (entry.departmentPartyId === party.id) throw invalidState({ en: 'this is your own department’s entry: correct it with a new data version', zh: '这是本部门的目录：请以新的数据版本更正' });
    if (input.evidenceFileId) {
      const [file] = await tx.select().from(objectionEvidenceFiles).where(and(eq(objectionEvidenceFiles.id, input.evidenceFileId), eq(objectionEvidenceFiles.partyId, party.id)));
      if (!file) throw new AppError('unknown-evidence', { en: 'the evidence file is not one your party uploaded', zh: '该证明文件不是本主体上传的文件' }, { errors: [{ path: '/body/evidenceFileId', message: 'not found' }] });
    }
    const workingDays = await readSetting(tx, 'objection_answer_working_days');
    const deadline = dueAfterWorkingDays(await loadWorkingCalendar(tx), receivedAt, workingDays);
    const [objection] = await tx
      .insert(objections)
      .values({
        entryId: entry.id,
        departmentPartyId: entry.departmentPartyId,
        objectorPartyId: party.id,
        objectorUserId: caller.actor.userId,
        kind: input.kind,
        description: input.description,
        evidenceText: input.evidenceText ?? null,
        evidenceFileId: input.evidenceFileId ?? null,
        receivedAt,
        workingDays,
        dueAt: deadline.dueAt,
        dueDate: deadline.dueDate,
        deadlineProvisional: deadline.provisional,
        calendarVersions: deadline.versions,
      })
      .returning();
    const o = objection!;
    await appendAudit(tx, caller.audit, {
      action: 'public_data.objection_raised',
      subject: { type: 'public_data_objection', id: o.id },
      // Not the department's receipt: the actor of this event is the objector's person.
      payload: { entryId: o.entryId, kind: o.kind, dueAt: o.dueAt.toISOString(), workingDays, provisional: o.deadlineProvisional, calendarVersions: o.calendarVersions, evidenceFileId: o.evidenceFileId },
    });
    return o;
  });
}

/** The objection as the caller may see it: the objector's party, the department, the bureau; else 404. */
export async function findObjectionFor(db: Database, caller: Caller, id: string, opts: { department?: boolean; lock?: boolean } = {}): Promise<Objection> {
  const query = db.select().from(objections).where(eq(objections.id, id));
  const [objection] = opts.lock ? await query.for('update') : await query;
  if (!objection) throw notFound({ en: 'objection', zh: '异议' });
  const party = caller.actor.partyId;
  const department = party !== null && party === objection.departmentPartyId;
  const visible = opts.department ? department : department || isBureau(caller) || (party !== null && party === objection.objectorPartyId);
  if (!visible) throw notFound({ en: 'objection', zh: '异议' });
  return objection;
}

export interface ObjectionAnswer {
  answer: 'confirmed' | 'rejected';
  reasons?: string | undefined;
}

/**
 * The department answers: `confirmed` (it then corrects the data with a new version that names the
 * objection) or `rejected` with its reasons. Concurrent answers queue on the objection's row: the
 * first answers, the others find it answered (409).
 */
export async function answerObjection(db: Database, caller: Caller, id: string, input: ObjectionAnswer): Promise<Objection> {
  const reasons = input.reasons?.trim() ?? '';
  if (input.answer === 'rejected' && !reasons) {
    throw new AppError('validation-failed', citing(art22, { en: 'give the objector the reasons for the rejection', zh: '请向异议人说明不予采纳的理由' }), { article: art22, errors: [{ path: '/body/reasons', message: 'required to reject' }] });
  }
  return db.transaction(async (tx) => {
    const objection = await findObjectionFor(tx, caller, id, { department: true, lock: true });
    return transition(tx, caller, input.answer === 'confirmed' ? 'confirm' : 'reject', objection, reasons ? { reasons } : {});
  });
}

/** Before a correcting version is stored: the objection is the department's, of this entry, and still correctable. */
export async function checkCorrectable(db: Database, caller: Caller, entryId: string, objectionId: string): Promise<Objection> {
  const objection = await findObjectionFor(db, caller, objectionId, { department: true, lock: true });
  if (objection.entryId !== entryId) throw notFound({ en: 'objection', zh: '异议' });
  if (!(objectionTransitions.correct.from as readonly string[]).includes(objection.status)) throw invalidState({ en: `the objection is ${objection.status}: it cannot be corrected`, zh: `异议状态为 ${objection.status}，不能更正` }, { status: objection.status });
  return objection;
}

/** In the version upload's transaction: the new version corrects the objection, which closes. */
export async function closeByCorrection(tx: Database, caller: Caller, entryId: string, objectionId: string, versionId: string): Promise<void> {
  const objection = await checkCorrectable(tx, caller, entryId, objectionId);
  await transition(tx, caller, 'correct', objection, { versionId });
}

/**
 * A calendar load recomputes the deadlines of objections still awaiting an answer whose count
 * touches `year` (received before its end, due on or after its start).
 */
export async function recomputeObjectionDeadlines(tx: Database, year: number, calendar: WorkingCalendar): Promise<number> {
  const waiting = await tx
    .select()
    .from(objections)
    .where(and(inArray(objections.status, [...awaitingAnswer]), lt(objections.receivedAt, sql`${`${year + 1}-01-01T00:00:00+08:00`}::timestamptz`), gte(objections.dueDate, `${year}-01-01`)))
    .for('update');
  for (const o of waiting) {
    const d = dueAfterWorkingDays(calendar, o.receivedAt, o.workingDays);
    await tx.update(objections).set({ dueAt: d.dueAt, dueDate: d.dueDate, deadlineProvisional: d.provisional, calendarVersions: d.versions }).where(eq(objections.id, o.id));
  }
  return waiting.length;
}
