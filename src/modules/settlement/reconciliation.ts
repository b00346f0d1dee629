import { and, gte, inArray, lt, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import type Stripe from 'stripe';
import { reconcileChargebacks } from './chargeback-reconciliation.js';
import { bankReceipts, payments, payouts, providerRepayments, refunds } from './tables.js';
import type { ReconciliationMismatch } from './schema.js';

/**
 * Art. 28(4): the exchange supervises settlement. For the records made in a period, the ledger is
 * compared with what the rails recorded: money received (bank receipts, Stripe charges), payouts,
 * refunds, providers' repayments, and chargebacks (Stripe's disputes, asked of Stripe). Every
 * difference is listed: missing on either side, amount, currency, status.
 */

export type Mismatch = ReconciliationMismatch;

interface LedgerMove {
  orderId: string;
  key: string;
  currency: string;
  /** What the transfer moved through the rail's clearing account (debits negative). */
  clearingMinor: number;
}

const receivedKey = /^(stripe:.+:succeeded|bank:.+:received)$/;

/** `stripe`: the rail's own API, asked for its disputes (none without Stripe: no card, no chargeback). */
export async function reconcile(db: Database, from: Date, to: Date, stripe: Stripe | null = null) {
  if (!(from < to)) throw new AppError('validation-failed', { en: 'from must be before to', zh: 'from 须早于 to' }, { errors: [{ path: '/querystring/from', message: 'must be before to' }] });
  const inPeriod = <T extends typeof payments | typeof payouts | typeof refunds>(t: T) => and(gte(t.createdAt, from), lt(t.createdAt, to));
  const [paymentRows, payoutRows, refundRows, repaymentRows] = await Promise.all([
    db.select().from(payments).where(inPeriod(payments)),
    db.select().from(payouts).where(inPeriod(payouts)),
    db.select().from(refunds).where(inPeriod(refunds)),
    db.select().from(providerRepayments).where(and(gte(providerRepayments.createdAt, from), lt(providerRepayments.createdAt, to))),
  ]);
  const orders = [...new Set([...paymentRows, ...payoutRows, ...refundRows].map((r) => r.orderId))];
  const moves =
    orders.length === 0
      ? []
      : rowsOf<LedgerMove & { clearingMinor: string | number }>(
          await db.execute(sql`
            select t.order_id as "orderId", t.key, p.currency,
              coalesce(sum(p.amount_minor) filter (where a.kind in ('bank_clearing', 'stripe_clearing')), 0)::bigint as "clearingMinor"
            from settlement_ledger_transfers t
            join settlement_ledger_postings p on p.transfer_id = t.id
            join settlement_ledger_accounts a on a.id = p.account_id
            where t.order_id in (${sql.join(orders.map((o) => sql`${o}`), sql`, `)})
            group by t.id, p.currency`),
        ).map((m) => ({ ...m, clearingMinor: Number(m.clearingMinor) }));
  const receipts =
    paymentRows.length === 0 ? [] : await db.select().from(bankReceipts).where(inArray(bankReceipts.paymentId, paymentRows.map((p) => p.id)));
  const mismatches: Mismatch[] = [];
  const add = (m: Mismatch) => mismatches.push(m);

  for (const payment of paymentRows) {
    const base = { rail: payment.rail, record: 'payment' as const, recordId: payment.id, orderId: payment.orderId };
    const received = moves.filter((m) => m.orderId === payment.orderId && receivedKey.test(m.key));
    for (const m of received.filter((m) => m.currency !== payment.currency)) {
      add({ ...base, kind: 'currency', detail: `ledger received ${m.currency}, the payment is in ${payment.currency}`, ledgerMinor: -m.clearingMinor, railMinor: null });
    }
    const ledgerMinor = -received.filter((m) => m.currency === payment.currency).reduce((s, m) => s + m.clearingMinor, 0);
    const railMinor =
      payment.rail === 'bank_transfer' ? receipts.filter((r) => r.paymentId === payment.id).reduce((s, r) => s + r.amountMinor, 0) : payment.receivedMinor;
    if (railMinor > 0 && ledgerMinor === 0) add({ ...base, kind: 'missing_in_ledger', detail: 'the rail recorded money the ledger does not have', ledgerMinor, railMinor });
    else if (ledgerMinor > 0 && railMinor === 0) add({ ...base, kind: 'missing_on_rail', detail: 'the ledger has money the rail did not record', ledgerMinor, railMinor });
    else if (ledgerMinor !== railMinor) add({ ...base, kind: 'amount', detail: 'the ledger and the rail received different amounts', ledgerMinor, railMinor });
    const complete = ['held', 'released', 'refunded', 'partially_refunded'].includes(payment.status);
    if (complete !== ledgerMinor >= payment.amountMinor) {
      add({ ...base, kind: 'status', detail: `the payment is ${payment.status} but the ledger holds ${ledgerMinor} of ${payment.amountMinor}`, ledgerMinor, railMinor: payment.receivedMinor });
    }
  }

  const settled = (record: 'payout' | 'refund', row: { id: string; orderId: string; rail: 'stripe' | 'bank_transfer'; amountMinor: number; currency: string; status: string }, railId: string | null, done: boolean) => {
    const base = { rail: row.rail, record, recordId: row.id, orderId: row.orderId };
    const move = moves.find((m) => m.key === `${record}:${row.id}:paid`);
    const ledgerMinor = move ? move.clearingMinor : null;
    if (done && !move && row.amountMinor > 0) add({ ...base, kind: 'missing_in_ledger', detail: `the ${record} is ${row.status} but the ledger has not paid it`, ledgerMinor, railMinor: row.amountMinor });
    else if (move && !done) add({ ...base, kind: 'status', detail: `the ledger paid the ${record} but it is ${row.status}`, ledgerMinor, railMinor: null });
    else if (move && move.currency !== row.currency) add({ ...base, kind: 'currency', detail: `ledger in ${move.currency}, ${record} in ${row.currency}`, ledgerMinor, railMinor: row.amountMinor });
    else if (move && move.clearingMinor !== row.amountMinor) add({ ...base, kind: 'amount', detail: `the ledger and the ${record} differ`, ledgerMinor, railMinor: row.amountMinor });
    if (done && row.amountMinor > 0 && !railId) add({ ...base, kind: 'missing_on_rail', detail: `the ${record} is ${row.status} with no rail reference`, ledgerMinor, railMinor: null });
  };
  // Money the ledger moved in the period for an order that has no payment on any rail.
  const orphans = rowsOf<{ id: string; orderId: string; rail: 'stripe' | 'bank_transfer' | null; clearingMinor: string | number }>(
    await db.execute(sql`
      select t.id, t.order_id as "orderId", t.rail,
        coalesce(sum(p.amount_minor) filter (where a.kind in ('bank_clearing', 'stripe_clearing')), 0)::bigint as "clearingMinor"
      from settlement_ledger_transfers t
      join settlement_ledger_postings p on p.transfer_id = t.id
      join settlement_ledger_accounts a on a.id = p.account_id
      where t.created_at >= ${from.toISOString()}::timestamptz and t.created_at < ${to.toISOString()}::timestamptz and t.order_id is not null
        and not exists (select 1 from settlement_payments s where s.order_id = t.order_id)
      group by t.id`),
  );
  for (const o of orphans) {
    add({ kind: 'missing_on_rail', rail: o.rail ?? 'bank_transfer', record: 'payment', recordId: o.id, orderId: o.orderId, detail: 'the ledger moved money for an order with no payment', ledgerMinor: -Number(o.clearingMinor), railMinor: null });
  }
  for (const p of payoutRows) settled('payout', p, p.stripeTransferId ?? p.bankReference, p.status === 'paid');
  for (const r of refundRows) settled('refund', r, r.stripeRefundId ?? r.bankReference, r.status === 'refunded');
  for (const m of await repaymentMismatches(db, repaymentRows)) add(m);
  const chargebacks = stripe ? await reconcileChargebacks(db, stripe, from, to) : { checked: 0, mismatches: [] };
  for (const m of chargebacks.mismatches) add(m);

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    checked: { payments: paymentRows.length, payouts: payoutRows.length, refunds: refundRows.length, chargebacks: chargebacks.checked, repayments: repaymentRows.length },
    mismatches,
  };
}

/** Each repayment a provider sent by bank transfer is in the ledger, for the amount recorded. */
async function repaymentMismatches(db: Database, rows: (typeof providerRepayments.$inferSelect)[]): Promise<Mismatch[]> {
  if (rows.length === 0) return [];
  const moves = rowsOf<{ key: string; currency: string; clearingMinor: string | number }>(
    await db.execute(sql`
      select t.key, p.currency, coalesce(sum(p.amount_minor) filter (where a.kind = 'bank_clearing'), 0)::bigint as "clearingMinor"
      from settlement_ledger_transfers t
      join settlement_ledger_postings p on p.transfer_id = t.id
      join settlement_ledger_accounts a on a.id = p.account_id
      where t.key in (${sql.join(rows.map((r) => sql`${`repayment:${r.id}:received`}`), sql`, `)})
      group by t.id, p.currency`),
  );
  const found: Mismatch[] = [];
  for (const r of rows) {
    const base = { rail: 'bank_transfer' as const, record: 'repayment' as const, recordId: r.id, orderId: null };
    const move = moves.find((m) => m.key === `repayment:${r.id}:received`);
    const ledgerMinor = move ? -Number(move.clearingMinor) : null;
    if (!move) found.push({ ...base, kind: 'missing_in_ledger', detail: 'the repayment is recorded but the ledger has not received it', ledgerMinor, railMinor: r.amountMinor });
    else if (move.currency !== r.currency) found.push({ ...base, kind: 'currency', detail: `ledger in ${move.currency}, repayment in ${r.currency}`, ledgerMinor, railMinor: r.amountMinor });
    else if (ledgerMinor !== r.amountMinor) found.push({ ...base, kind: 'amount', detail: 'the ledger and the repayment differ', ledgerMinor, railMinor: r.amountMinor });
  }
  return found;
}
