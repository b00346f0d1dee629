import { sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { conflict, invalidState } from '../../lib/errors.js';
import { systemActor } from '../audit/events.js';
import type { TradingConfig } from './context.js';
import { issueGrants } from './delivery.js';
import type { OrderAgreementEvents, OrderPaymentEvents } from './ports.js';
import { canMove, lockOrder, recordStep, transition, type Order } from './state-machine.js';
import { orders, type OrderStatus } from './tables.js';

/** States an order has passed once it has been paid: a repeated `paid` finds it there and changes nothing. */
const afterPayment: readonly OrderStatus[] = ['paid', 'delivering', 'delivered', 'accepted_by_buyer', 'disputed', 'resolved', 'completed', 'refunded'];

const settlementActor = (what: string) => ({ ...systemActor(), role: what });

/**
 * What settlement and agreements tell trading, each inside the caller's transaction so the order
 * and the money or signature never disagree. Every call is idempotent: a repeat (a replayed
 * webhook, a retried job) finds the order already moved and changes nothing.
 *
 *   const events = createOrderEvents(app.config);
 *   await db.transaction((tx) => events.paid(tx, orderId, new Date()));
 */
export function createOrderEvents(config: TradingConfig): OrderPaymentEvents & OrderAgreementEvents {
  return {
    async signed(tx: Database, orderId: string, agreementId: string, at: Date) {
      const order = await lockOrder(tx, orderId);
      if (order.agreementId !== agreementId) throw conflict({ en: 'that agreement is not this order’s', zh: '该协议不属于此订单' }, { agreementId: order.agreementId });
      // An order that ended unsigned (cancelled, or expired by the sweep) takes no signature: the last one is refused with it.
      if (order.status === 'cancelled' || order.status === 'expired') {
        throw invalidState({ en: `the order is ${order.status}; its agreement can no longer be signed`, zh: `订单状态为 ${order.status}，其协议已不能签署` }, { status: order.status });
      }
      if (!canMove(order, 'sign')) return;
      await transition(tx, settlementActor('agreements'), order, 'sign', { set: { responseDueAt: null }, details: { agreementId }, at });
    },

    async paid(tx: Database, orderId: string, at: Date) {
      const order = await lockOrder(tx, orderId);
      if (afterPayment.includes(order.status)) return;
      const paid = await transition(tx, settlementActor('settlement'), order, 'pay', { at });
      const grants = await issueGrants(tx, paid, config, at);
      await transition(tx, settlementActor('settlement'), paid, 'deliver', { details: { grants: grants.map((g) => g.id) }, at });
    },

    async paidOut(tx: Database, orderId: string, at: Date) {
      const order = await lockOrder(tx, orderId);
      if (!canMove(order, 'complete')) return;
      await transition(tx, settlementActor('settlement'), order, 'complete', { details: { providerPaidOut: true }, at });
    },

    async refunded(tx: Database, orderId: string, amountMinor: number, at: Date) {
      const order = await lockOrder(tx, orderId);
      const [updated] = await tx
        .update(orders)
        .set({ refundedMinor: sql`${orders.refundedMinor} + ${amountMinor}`, updatedAt: at })
        .where(sql`${orders.id} = ${order.id}`)
        .returning();
      const refundedOrder = updated as Order;
      const whole = order.decision?.outcome === 'full_refund' && refundedOrder.refundedMinor >= order.decision.refundMinor;
      if (whole && canMove(order, 'refund')) {
        await transition(tx, settlementActor('settlement'), refundedOrder, 'refund', { details: { amountMinor, refundedMinor: refundedOrder.refundedMinor }, at });
      } else {
        await recordStep(tx, settlementActor('settlement'), refundedOrder, { action: 'refund_received', from: order.status, to: order.status, details: { amountMinor, refundedMinor: refundedOrder.refundedMinor } }, at);
      }
    },
  };
}
