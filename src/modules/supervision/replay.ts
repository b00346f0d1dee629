import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { auditEvents } from '../audit/tables.js';
import { payments, payouts, refunds } from '../settlement/tables.js';
import { downloads, orderSteps, orders } from '../trading/tables.js';

/**
 * Art. 28(4): the exchange rebuilds a trade's history from the audit log alone and compares it
 * with the state the tables hold now. The log is append-only and signed, the tables are what the
 * routes change: a difference means a write that bypassed the log, or a log entry that never took
 * effect. Each difference is a finding naming the first event that disagrees (or, where the log
 * lacks what the table holds, the last event the log has).
 */

export interface Finding {
  check: string;
  /** What the log alone gives. */
  fromLog: string | number | null;
  /** What the tables hold now. */
  current: string | number | null;
  /** The first event that disagrees (its id and sequence number), or null when the log has none. */
  event: { id: string; seq: number; action: string } | null;
  detail: string;
}

export interface Replay {
  orderId: string;
  orderNumber: string;
  events: number;
  /** The state the log's order steps lead to. */
  replayedStatus: string | null;
  currentStatus: string;
  findings: Finding[];
}

type LogEvent = typeof auditEvents.$inferSelect;
const ref = (e: LogEvent | undefined) => (e ? { id: e.id, seq: e.seq, action: e.action } : null);
const payloadOf = (e: LogEvent) => e.payload as { from?: string | null; to?: string; amountMinor?: number; details?: { amountMinor?: number } };

/** The order's steps from the log: each must leave the state the one before reached. */
function replaySteps(steps: LogEvent[], findings: Finding[]): string | null {
  let state: string | null = null;
  for (const event of steps) {
    const { from = null, to } = payloadOf(event);
    if (from !== state) {
      findings.push({ check: 'order-steps-continuous', fromLog: state, current: from, event: ref(event), detail: `${event.action} moves the order from ${from ?? 'nothing'}, but the log left it ${state ?? 'not yet placed'}` });
    }
    state = to ?? state;
  }
  return state;
}

/** Sums `amount` over `events` and, if it differs from `current`, the finding with the event where the running sum first passed it. */
function compareTotal(check: string, events: LogEvent[], amount: (e: LogEvent) => number, current: number, findings: Finding[], what: string) {
  let running = 0;
  let past: LogEvent | undefined;
  for (const e of events) {
    running += amount(e);
    if (running > current && !past) past = e;
  }
  if (running !== current) {
    findings.push({ check, fromLog: running, current, event: ref(past ?? events.at(-1)), detail: `the log gives ${running} for ${what}; the tables hold ${current}` });
  }
}

export async function replayOrder(db: Database, orderId: string): Promise<Replay> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw notFound({ en: 'order', zh: '订单' });
  const [payment] = await db.select().from(payments).where(eq(payments.orderId, order.id));
  const subjects = [order.id, ...(payment ? [payment.id] : [])];
  const log = await db.select().from(auditEvents).where(inArray(auditEvents.subjectId, subjects)).orderBy(asc(auditEvents.seq));
  const [stepRows, paidOut, refunded, downloaded] = await Promise.all([
    db.select().from(orderSteps).where(eq(orderSteps.orderId, order.id)).orderBy(asc(orderSteps.seq)),
    db.select({ id: payouts.id }).from(payouts).where(and(eq(payouts.orderId, order.id), eq(payouts.status, 'paid'))),
    db.select({ amountMinor: refunds.amountMinor }).from(refunds).where(and(eq(refunds.orderId, order.id), eq(refunds.status, 'refunded'))),
    db.select({ id: downloads.id }).from(downloads).where(eq(downloads.orderId, order.id)),
  ]);
  const findings: Finding[] = [];
  const steps = log.filter((e) => e.subjectType === 'order' && e.action.startsWith('order.'));
  const of = (action: string) => log.filter((e) => e.action === action);

  const replayedStatus = replaySteps(steps, findings);
  if (replayedStatus !== order.status) {
    findings.push({ check: 'order-status', fromLog: replayedStatus, current: order.status, event: ref(steps.at(-1)), detail: `the log's last step leaves the order ${replayedStatus ?? 'not placed'}; the order is ${order.status}` });
  }
  // The steps table is a projection of the log: the same steps, each pointing at its event.
  const byEvent = new Map(steps.map((e) => [e.id, e]));
  const stepEvents = new Set(stepRows.map((s) => s.auditEventId));
  const unlogged = stepRows.find((s) => !byEvent.has(s.auditEventId) || byEvent.get(s.auditEventId)!.action !== `order.${s.action}` || payloadOf(byEvent.get(s.auditEventId)!).to !== s.toStatus);
  if (unlogged) {
    findings.push({ check: 'order-steps-logged', fromLog: null, current: `${unlogged.action} → ${unlogged.toStatus}`, event: ref(byEvent.get(unlogged.auditEventId)), detail: 'a step in the table has no matching event in the log' });
  }
  const missing = steps.find((e) => !stepEvents.has(e.id));
  if (missing) findings.push({ check: 'order-steps-logged', fromLog: missing.action, current: null, event: ref(missing), detail: 'an order event in the log has no step in the table' });

  const stepAmount = (e: LogEvent) => payloadOf(e).details?.amountMinor ?? 0;
  compareTotal('order-refunded', [...of('order.refund_received'), ...of('order.refund')].sort((a, b) => a.seq - b.seq), stepAmount, order.refundedMinor, findings, 'the amount refunded on the order');
  if (payment) {
    const amount = (e: LogEvent) => payloadOf(e).amountMinor ?? 0;
    compareTotal('payment-received', of('settlement.funds_received'), amount, payment.receivedMinor, findings, 'the funds received');
    compareTotal('refunds-paid', of('settlement.refunded'), amount, refunded.reduce((s, r) => s + r.amountMinor, 0), findings, 'the refunds paid');
    const payoutEvents = of('settlement.payout_paid');
    if (payoutEvents.length !== paidOut.length) {
      findings.push({ check: 'payouts-paid', fromLog: payoutEvents.length, current: paidOut.length, event: ref(payoutEvents.at(-1)), detail: 'the number of payouts paid differs' });
    }
  }
  const downloadEvents = of('order.downloaded');
  if (downloadEvents.length !== downloaded.length) {
    findings.push({ check: 'downloads', fromLog: downloadEvents.length, current: downloaded.length, event: ref(downloadEvents.at(-1)), detail: 'the number of downloads differs' });
  }
  return { orderId: order.id, orderNumber: order.number, events: log.length, replayedStatus, currentStatus: order.status, findings };
}
