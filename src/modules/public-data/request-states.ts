import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { publicDataRequests, type PublicDataRequest, type RequestKind, type RequestState } from './request-tables.js';

/**
 * A request's state machine as data: every move, from which states, to which. `transition` is the
 * only code that changes a request's state. Overdue is a flag the sweep sets, not a state: an
 * overdue request can still be answered.
 */
export const requestTransitions = {
  // Art. 16 ¶2, Art. 18 ¶2: once, with the head's approval, before the deadline passes.
  extend: { from: ['received'], to: 'extended' },
  approve: { from: ['received', 'extended'], to: 'approved' },
  // A refusal gives reasons and its legal basis (Art. 16 ¶2, Art. 18 ¶2).
  refuse: { from: ['received', 'extended'], to: 'refused' },
  // Art. 19: the utilization agreement is signed by both and sealed; the term has not begun.
  sign: { from: ['approved'], to: 'signed' },
  // The term has begun (and, for opening, the agreement is in force).
  activate: { from: ['approved', 'signed'], to: 'active' },
  // The term ended, or the agreement ended before it.
  end: { from: ['approved', 'signed', 'active'], to: 'ended' },
} as const satisfies Record<string, { from: readonly RequestState[]; to: RequestState }>;
export type RequestAction = keyof typeof requestTransitions;
export const requestActions = Object.keys(requestTransitions) as RequestAction[];

/** What a department may do next, shown with every request it reads. */
export function nextSteps(row: Pick<PublicDataRequest, 'state' | 'extension'>): RequestAction[] {
  const answerable = (['extend', 'approve', 'refuse'] as const).filter((a) => (requestTransitions[a].from as readonly string[]).includes(row.state));
  return answerable.filter((a) => a !== 'extend' || row.extension === null);
}

/** Every request event records the same frame; `details` what the step decided. */
export interface RequestEventPayload {
  kind: RequestKind;
  from: RequestState | null;
  to: RequestState;
  departmentPartyId: string;
  applicantPartyId: string;
  details?: Record<string, string | number | boolean | null | string[] | Record<string, number>>;
}

/** Steps that record something about a request without moving it (and its receipt, which starts it). */
export const requestNotes = ['received', 'flagged_overdue', 'deadline_recomputed'] as const;
export type RequestNote = (typeof requestNotes)[number];

type RequestAuditActions = { [A in RequestAction | RequestNote as `public_data.request_${A}`]: RequestEventPayload };
declare module '../audit/events.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AuditPayloads extends RequestAuditActions {}
}

/** The request, locked for the rest of the transaction: concurrent answers run one after another. */
export async function lockRequest(tx: Database, id: string): Promise<PublicDataRequest> {
  const [row] = await tx.select().from(publicDataRequests).where(eq(publicDataRequests.id, id)).for('update');
  if (!row) throw notFound({ en: 'public-data request', zh: '公共数据申请' });
  return row;
}

/** Records a step on the request, with both sides as the parties it concerns. */
export function auditRequest(tx: Database, actor: AuditActor, row: PublicDataRequest, step: RequestAction | RequestNote, from: RequestState | null, details?: RequestEventPayload['details']) {
  return appendAudit(tx, actor, {
    action: `public_data.request_${step}`,
    subject: { type: 'public_data_request', id: row.id },
    payload: { kind: row.kind, from, to: row.state, departmentPartyId: row.departmentPartyId, applicantPartyId: row.applicantPartyId, ...(details ? { details } : {}) },
    parties: [row.departmentPartyId, row.applicantPartyId],
  });
}

/**
 * Checks the move against the table, makes it with `changes`, stamps and audits it. The update is
 * conditional on the state read, so a concurrent mover that got there first is a 409, never a lost write.
 */
export async function transition(
  tx: Database,
  actor: AuditActor,
  row: PublicDataRequest,
  action: RequestAction,
  changes: Partial<typeof publicDataRequests.$inferInsert> = {},
  details?: RequestEventPayload['details'],
): Promise<PublicDataRequest> {
  const rule = requestTransitions[action];
  if (!(rule.from as readonly string[]).includes(row.state)) {
    throw invalidState({ en: `cannot ${action} a request that is ${row.state}`, zh: `申请状态为 ${row.state}，不能执行 ${action}` }, { state: row.state, nextSteps: nextSteps(row) });
  }
  const [moved] = await tx
    .update(publicDataRequests)
    .set({ ...changes, state: rule.to, updatedAt: new Date() })
    .where(and(eq(publicDataRequests.id, row.id), eq(publicDataRequests.state, row.state)))
    .returning();
  if (!moved) throw invalidState({ en: `the request moved on meanwhile; read it again`, zh: '申请已被同时变更，请重新读取' }, { state: row.state });
  await auditRequest(tx, actor, moved, action, row.state, details);
  return moved;
}
