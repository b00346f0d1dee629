import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { procurementShares, procurementSteps, procurements, type Procurement, type ProcurementStatus } from './tables.js';

/** A procurement's state machine as data; `moveProcurement` is the only code that changes its status. */
export const procurementTransitions = {
  order: { from: ['draft'], to: 'ordered' },
  complete: { from: ['ordered'], to: 'completed' },
  cancel: { from: ['draft'], to: 'cancelled' },
  /** Its order ended unpaid (rejected, declined, cancelled, expired): nothing was bought. */
  order_ended: { from: ['ordered'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly ProcurementStatus[]; to: ProcurementStatus }>;
export type ProcurementAction = keyof typeof procurementTransitions;

export interface ProcurementEventPayload {
  number: string;
  from: ProcurementStatus | null;
  to: ProcurementStatus;
  details?: Record<string, string | number | boolean | null | string[]>;
}

type ProcurementAuditActions = { [A in ProcurementAction | 'created' as `procurement.${A}`]: ProcurementEventPayload };
declare module '../audit/events.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AuditPayloads extends ProcurementAuditActions {}
}

export async function lockProcurement(tx: Database, id: string): Promise<Procurement> {
  const [row] = await tx.select().from(procurements).where(eq(procurements.id, id)).for('update');
  if (!row) throw notFound({ en: 'procurement', zh: '采购项目' });
  return row;
}

export async function beneficiariesOf(db: Database, procurementId: string): Promise<string[]> {
  const rows = await db.select({ id: procurementShares.departmentPartyId }).from(procurementShares).where(eq(procurementShares.procurementId, procurementId)).orderBy(procurementShares.position);
  return rows.map((r) => r.id);
}

/** Audits a step for the bureau and every beneficiary department (each holds a receipt), and records it. */
export async function recordProcurementStep(
  tx: Database,
  actor: AuditActor,
  procurement: Procurement,
  step: { action: ProcurementAction | 'created'; from: ProcurementStatus | null; to: ProcurementStatus; details?: ProcurementEventPayload['details'] },
  at: Date,
): Promise<void> {
  const event = await appendAudit(tx, actor, {
    action: `procurement.${step.action}`,
    subject: { type: 'procurement', id: procurement.id },
    payload: { number: procurement.number, from: step.from, to: step.to, ...(step.details ? { details: step.details } : {}) },
    parties: [procurement.bureauPartyId, ...(await beneficiariesOf(tx, procurement.id))],
  } as never);
  await tx.insert(procurementSteps).values({ procurementId: procurement.id, action: step.action, fromStatus: step.from, toStatus: step.to, actorUserId: actor.userId, auditEventId: event.id, at });
}

/** Moves a locked procurement: checks the move (409 naming the state), applies it, stamps and audits it. */
export async function moveProcurement(
  tx: Database,
  actor: AuditActor,
  procurement: Procurement,
  action: ProcurementAction,
  options: { set?: Partial<Omit<Procurement, 'id' | 'status'>>; details?: ProcurementEventPayload['details']; at?: Date } = {},
): Promise<Procurement> {
  const rule = procurementTransitions[action];
  if (!(rule.from as readonly ProcurementStatus[]).includes(procurement.status)) {
    throw invalidState({ en: `cannot ${action.replaceAll('_', ' ')} a procurement that is ${procurement.status}`, zh: `采购项目状态为 ${procurement.status}，不能执行 ${action}` }, { status: procurement.status });
  }
  const at = options.at ?? new Date();
  const [moved] = await tx
    .update(procurements)
    .set({ ...options.set, status: rule.to, updatedAt: at })
    .where(and(eq(procurements.id, procurement.id), eq(procurements.status, procurement.status)))
    .returning();
  if (!moved) throw invalidState({ en: 'the procurement changed meanwhile; read it again', zh: '采购项目已被同时修改，请重新读取' }, { status: procurement.status });
  await recordProcurementStep(tx, actor, moved, { action, from: procurement.status, to: rule.to, details: options.details }, at);
  return moved;
}
