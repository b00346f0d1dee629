import { eq } from 'drizzle-orm';
import { AppError, invalidState } from '../../lib/errors.js';
import { invalidInput, type Caller, type TradingContext } from './context.js';
import { findOrderFor, requireBothMayTrade } from './orders.js';
import type { PayableOrder, PaymentInstructions, PaymentRail } from './ports.js';
import { recordStep, type Order } from './state-machine.js';
import { orders } from './tables.js';

export const payableOf = (order: Order): PayableOrder => ({
  id: order.id,
  number: order.number,
  buyerPartyId: order.buyerPartyId,
  providerPartyId: order.providerPartyId,
  amountMinor: order.amountMinor,
  currency: order.currency,
  feeMinor: order.feeMinor,
});

/**
 * The buyer chooses how to pay an order whose agreement is signed. Settlement opens the payment in
 * the same transaction (its external calls go to its outbox); after commit it carries them out and
 * answers how the buyer pays. Paying before the agreement is signed is a 409.
 */
export async function startPayment(ctx: TradingContext, caller: Caller, orderId: string, rail: PaymentRail): Promise<PaymentInstructions> {
  await ctx.db.transaction(async (tx) => {
    // Whose order first: another party's order does not exist for the caller, whatever it sends.
    const order = await findOrderFor(tx, caller, orderId, { side: 'buyer', lock: true });
    if (!ctx.settlement.rails().includes(rail)) throw invalidInput('/body/rail', { en: `this exchange takes payment by ${ctx.settlement.rails().join(' or ')}`, zh: `本交易所接受的付款方式为 ${ctx.settlement.rails().join('、')}` });
    if (order.status !== 'payment_pending') {
      const why =
        order.status === 'agreement_pending'
          ? { en: 'both parties must sign the trade agreement before the order can be paid', zh: '双方须先签署交易协议，订单方可付款' }
          : { en: `the order is ${order.status.replaceAll('_', ' ')}`, zh: `订单状态为 ${order.status}` };
      throw invalidState(why, { status: order.status });
    }
    // Art. 28(2): no money moves between parties that may not trade (suspended since they signed).
    await requireBothMayTrade(tx, order);
    const { paymentId } = await ctx.settlement.openPayment(tx, payableOf(order), rail);
    await tx.update(orders).set({ paymentRail: rail, paymentId, updatedAt: new Date() }).where(eq(orders.id, order.id));
    await recordStep(tx, caller.audit, order, { action: 'payment_opened', from: order.status, to: order.status, details: { rail, paymentId } }, new Date());
  });
  const instructions = await ctx.settlement.paymentInstructions(ctx.db, orderId);
  if (!instructions) throw new AppError('unavailable', { en: 'settlement has no instructions for this payment yet; try again', zh: '结算尚未生成该付款的付款指引，请稍后重试' });
  return instructions;
}
