import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { orderSteps, orders, type OrderStatus } from './tables.js';

export type Order = typeof orders.$inferSelect;

/**
 * The order's state machine as data: every move an order can make, from which states, to which.
 * `transition` is the only code that changes an order's status.
 */
export const orderTransitions = {
  await_provider: { from: ['requested'], to: 'awaiting_provider' },
  accept: { from: ['requested', 'awaiting_provider'], to: 'accepted' },
  reject: { from: ['awaiting_provider'], to: 'rejected' },
  propose_terms: { from: ['awaiting_provider'], to: 'terms_proposed' },
  accept_terms: { from: ['terms_proposed'], to: 'accepted' },
  decline_terms: { from: ['terms_proposed'], to: 'cancelled' },
  cancel: { from: ['requested', 'awaiting_provider', 'terms_proposed', 'agreement_pending'], to: 'cancelled' },
  expire: { from: ['awaiting_provider', 'terms_proposed', 'agreement_pending'], to: 'expired' },
  draft_agreement: { from: ['accepted'], to: 'agreement_pending' },
  sign: { from: ['agreement_pending'], to: 'payment_pending' },
  pay: { from: ['payment_pending'], to: 'paid' },
  deliver: { from: ['paid'], to: 'delivering' },
  confirm_delivery: { from: ['delivering'], to: 'delivered' },
  accept_delivery: { from: ['delivered'], to: 'accepted_by_buyer' },
  dispute: { from: ['delivering', 'delivered'], to: 'disputed' },
  resolve: { from: ['disputed'], to: 'resolved' },
  complete: { from: ['accepted_by_buyer', 'resolved'], to: 'completed' },
  refund: { from: ['resolved'], to: 'refunded' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;
export type OrderAction = keyof typeof orderTransitions;

/** What every order event records; `details` carries what the step decided (a reason, terms, amounts). */
export interface OrderEventPayload {
  number: string;
  from: OrderStatus | null;
  to: OrderStatus;
  details?: Record<string, string | number | boolean | null | string[]>;
}

/** Steps that record something about an order without moving it (and its placement, which starts it). */
export const orderNotes = ['placed', 'payment_opened', 'refund_received', 'delivery_recorded', 'downloaded', 'grant_revoked'] as const;
export type OrderNote = (typeof orderNotes)[number];

type OrderAuditActions = { [A in OrderAction | OrderNote as `order.${A}`]: OrderEventPayload };
declare module '../audit/events.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AuditPayloads extends OrderAuditActions {}
}

/** The order, locked for the rest of the transaction: concurrent moves of one order run one after another. */
export async function lockOrder(tx: Database, id: string): Promise<Order> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, id)).for('update');
  if (!order) throw notFound({ en: 'order', zh: '订单' });
  return order;
}

export const canMove = (order: Pick<Order, 'status'>, action: OrderAction) =>
  (orderTransitions[action].from as readonly OrderStatus[]).includes(order.status);

/** Records a step of an order: the audit event for both parties, and the step row that points at it. */
export async function recordStep(
  tx: Database,
  actor: AuditActor,
  order: Order,
  step: { action: OrderAction | OrderNote; from: OrderStatus | null; to: OrderStatus; details?: OrderEventPayload['details'] },
  at: Date,
): Promise<{ auditEventId: string }> {
  const event = await appendAudit(tx, actor, {
    action: `order.${step.action}`,
    subject: { type: 'order', id: order.id },
    payload: { number: order.number, from: step.from, to: step.to, ...(step.details ? { details: step.details } : {}) },
    // Both sides of the trade keep receipts of every step, and the departments a central procurement serves.
    parties: [order.buyerPartyId, order.providerPartyId, ...(order.beneficiaryPartyIds ?? [])],
  } as never);
  await tx.insert(orderSteps).values({ orderId: order.id, action: step.action, fromStatus: step.from, toStatus: step.to, actorUserId: actor.userId, actorRole: actor.role, auditEventId: event.id, at });
  return { auditEventId: event.id };
}

/**
 * The one place an order changes state: checks the move is allowed from the order's current state
 * (a 409 naming the state otherwise), applies it with any columns the step sets, stamps it and
 * audits it. Call it with the order locked by `lockOrder` in the same transaction.
 */
export async function transition(
  tx: Database,
  actor: AuditActor,
  order: Order,
  action: OrderAction,
  options: { set?: Partial<Omit<Order, 'id' | 'status'>>; details?: OrderEventPayload['details']; at?: Date } = {},
): Promise<Order & { auditEventId: string }> {
  const rule = orderTransitions[action];
  if (!canMove(order, action)) {
    throw invalidState({ en: `cannot ${action.replaceAll('_', ' ')} an order that is ${order.status.replaceAll('_', ' ')}`, zh: `订单状态为 ${order.status}，不能执行 ${action}` }, { status: order.status });
  }
  const at = options.at ?? new Date();
  const [moved] = await tx
    .update(orders)
    .set({ ...options.set, status: rule.to, updatedAt: at })
    .where(and(eq(orders.id, order.id), eq(orders.status, order.status)))
    .returning();
  if (!moved) throw invalidState({ en: 'the order changed meanwhile; read it again', zh: '订单已被同时修改，请重新读取' }, { status: order.status });
  const { auditEventId } = await recordStep(tx, actor, moved, { action, from: order.status, to: rule.to, details: options.details }, at);
  return Object.assign(moved, { auditEventId });
}
