import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/events.js';
import type { PaymentRail } from '../trading/ports.js';
import type { SettlementAuditPayload } from './context.js';
import { payments, type PaymentStatus } from './tables.js';

export type Payment = typeof payments.$inferSelect;

export const clearingAccount = (rail: PaymentRail) => (rail === 'stripe' ? ('stripe_clearing' as const) : ('bank_clearing' as const));

/** The payment's state machine as data: which step may leave which state. */
export const paymentTransitions = {
  ready: { from: ['creating'], to: 'awaiting_funds' },
  receive_part: { from: ['creating', 'awaiting_funds', 'partially_received'], to: 'partially_received' },
  hold: { from: ['creating', 'awaiting_funds', 'partially_received'], to: 'held' },
  release: { from: ['held'], to: 'released' },
  refund: { from: ['held', 'released'], to: 'refunded' },
  // A dispute decided for part of the price: the rest is the provider's, so the payment is not `refunded`.
  refund_part: { from: ['held', 'released'], to: 'partially_refunded' },
} as const satisfies Record<string, { from: readonly PaymentStatus[]; to: PaymentStatus }>;

export const mayMove = (payment: Payment, step: keyof typeof paymentTransitions) =>
  (paymentTransitions[step].from as readonly PaymentStatus[]).includes(payment.status);

export async function movePayment(tx: Database, payment: Payment, step: keyof typeof paymentTransitions, change: Partial<Payment> = {}): Promise<Payment> {
  if (!mayMove(payment, step)) throw invalidState({ en: `the payment is ${payment.status}: cannot ${step.replace('_', ' ')}`, zh: `付款状态为 ${payment.status}，不能执行 ${step}` }, { status: payment.status });
  const [moved] = await tx
    .update(payments)
    .set({ ...change, status: paymentTransitions[step].to, updatedAt: new Date() })
    .where(eq(payments.id, payment.id))
    .returning();
  return moved!;
}

export const auditOf = (payment: Payment, extra: Partial<SettlementAuditPayload> = {}): SettlementAuditPayload => ({
  orderId: payment.orderId,
  orderNumber: payment.orderNumber,
  rail: payment.rail,
  amountMinor: payment.amountMinor,
  currency: payment.currency,
  ...extra,
});

export async function auditPayment(tx: Database, actor: AuditActor, action: Parameters<typeof appendAudit>[2]['action'], payment: Payment, payload: SettlementAuditPayload) {
  await appendAudit(tx, actor, { action, subject: { type: 'payment', id: payment.id }, payload, parties: [payment.buyerPartyId, payment.providerPartyId] } as never);
}

/** The order's payment, locked for the step that changes it. */
export async function lockPaymentOfOrder(tx: Database, orderId: string): Promise<Payment> {
  const [payment] = await tx.select().from(payments).where(eq(payments.orderId, orderId)).for('update');
  if (!payment) throw notFound({ en: 'payment of that order', zh: '该订单的付款' });
  return payment;
}
