import type { Database } from '../../lib/database.js';
import { invalidState } from '../../lib/errors.js';
import { addHours, invalidInput, type Caller, type TradingContext } from './context.js';
import { acceptOrder, draftAgreement, feeFor, findOrderFor, requireBothMayTrade } from './orders.js';
import { transition, type Order } from './state-machine.js';
import type { ProposedTerms } from './tables.js';

/** An order of a central procurement that ends unpaid ends its procurement too (Art. 27 ¶3). */
export async function tellProcurementIfEnded(ctx: Pick<TradingContext, 'procurement'>, tx: Database, ended: Order): Promise<Order> {
  if (ended.procurementId) await ctx.procurement?.orderEnded(tx, ended.procurementId, ended.id, ended.status, ended.updatedAt);
  return ended;
}

/** The provider approves an order that waits for it; the agreement is drafted in the same transaction. */
export async function approveOrder(ctx: TradingContext, caller: Caller, id: string): Promise<Order> {
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, id, { side: 'provider', lock: true });
    return acceptOrder(ctx, tx, caller.audit, order, undefined, new Date());
  });
}

export async function rejectOrder(ctx: TradingContext, caller: Caller, id: string, reason: string): Promise<Order> {
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, id, { side: 'provider', lock: true });
    return tellProcurementIfEnded(ctx, tx, await transition(tx, caller.audit, order, 'reject', { set: { responseDueAt: null }, details: { reason } }));
  });
}

/** The provider answers with other terms; the buyer has the same time to accept or decline them. */
export async function proposeTerms(ctx: TradingContext, caller: Caller, id: string, terms: ProposedTerms): Promise<Order> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, id, { side: 'provider', lock: true });
    // Checked once the caller is known to reach the order: another party's order is a 404 whatever the body.
    if (terms.termEnd < terms.termStart) throw invalidInput('/body/termEnd', { en: 'the term ends before it starts', zh: '期限的结束早于开始' });
    return transition(tx, caller.audit, order, 'propose_terms', {
      set: { proposedTerms: terms, responseDueAt: addHours(now, ctx.config.orderResponseHours) },
      details: { amountMinor: terms.amountMinor, quantity: terms.quantity, termStart: terms.termStart, termEnd: terms.termEnd, note: terms.note },
      at: now,
    });
  });
}

/**
 * The buyer takes the provider's terms: they become the order's, the fee is fixed anew on the
 * agreed amount (same rule), and the agreement is drafted.
 */
export async function acceptProposedTerms(ctx: TradingContext, caller: Caller, id: string): Promise<Order> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, id, { side: 'buyer', lock: true });
    const terms = order.proposedTerms;
    if (order.status !== 'terms_proposed' || !terms) throw invalidState({ en: `no proposed terms to accept; the order is ${order.status.replaceAll('_', ' ')}`, zh: `没有可接受的拟定条款；订单状态为 ${order.status}` }, { status: order.status });
    await requireBothMayTrade(tx, order);
    // Art. 27 ¶3: the departments' shares were fixed on the procurement's amount; another amount is a new procurement.
    if (order.procurementId && terms.amountMinor !== order.amountMinor) {
      throw invalidState({ en: 'the departments’ shares of this central procurement were fixed on its amount: decline the terms, and the bureau consolidates again', zh: '该集中采购的各部门分摊已按其金额确定：请拒绝该条款，由大数据发展局重新归并' }, { status: order.status, amountMinor: order.amountMinor });
    }
    const agreed = await transition(tx, caller.audit, order, 'accept_terms', {
      set: { amountMinor: terms.amountMinor, quantity: terms.quantity, termStart: terms.termStart, termEnd: terms.termEnd, feeMinor: feeFor(terms.amountMinor, ctx.config) },
      at: now,
    });
    return draftAgreement(ctx, tx, caller.audit, agreed, undefined, now);
  });
}

export async function declineProposedTerms(ctx: TradingContext, caller: Caller, id: string, reason: string): Promise<Order> {
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, id, { side: 'buyer', lock: true });
    return tellProcurementIfEnded(ctx, tx, await transition(tx, caller.audit, order, 'decline_terms', { set: { responseDueAt: null }, details: { reason } }));
  });
}

/** The buyer withdraws an order before anything is signed or paid. */
export async function cancelOrder(ctx: TradingContext, caller: Caller, id: string, reason: string): Promise<Order> {
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, id, { side: 'buyer', lock: true });
    return tellProcurementIfEnded(ctx, tx, await transition(tx, caller.audit, order, 'cancel', { set: { responseDueAt: null }, details: { reason } }));
  });
}
