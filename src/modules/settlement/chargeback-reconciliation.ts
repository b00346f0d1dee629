import { and, gte, inArray, lt, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { rowsOf, type Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import { chargebackKey, disputeMovements, type ChargebackDirection } from './chargebacks.js';
import type { ReconciliationMismatch as Mismatch } from './schema.js';
import { payments, stripeDisputes } from './tables.js';
import { isStripeError } from './stripe-sdk.js';

/**
 * Chargebacks in the ledger compared with Stripe's own record: the disputes Stripe opened in the
 * period, those the exchange recorded in it, and those whose money the ledger moved in it, each
 * read back from Stripe with its balance transactions. Per dispute and direction (taken, given
 * back), what the ledger moved through Stripe clearing must be what Stripe's balance moved (the
 * balance transaction's net: the amount and the dispute fee).
 */

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function railFailed(err: unknown): never {
  if (isStripeError(err)) throw new AppError('payment-provider-failed', { en: `Stripe answered: ${err.message}`, zh: `Stripe 答复：${err.message}` }, { stripeCode: err.code ?? err.type });
  throw new AppError('payment-provider-failed', { en: 'Stripe could not be reached to compare its disputes', zh: '无法连接 Stripe 以核对其争议' });
}

const isMissing = (err: unknown) => isStripeError(err) && (err.statusCode === 404 || err.code === 'resource_missing');

export async function reconcileChargebacks(db: Database, stripe: Stripe, from: Date, to: Date): Promise<{ checked: number; mismatches: Mismatch[] }> {
  const recorded = await db.select({ id: stripeDisputes.stripeDisputeId }).from(stripeDisputes).where(and(gte(stripeDisputes.createdAt, from), lt(stripeDisputes.createdAt, to)));
  const posted = rowsOf<{ key: string }>(
    await db.execute(sql`select key from settlement_ledger_transfers
      where key like 'dispute:%' and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz`),
  );
  const theirs = new Map<string, Stripe.Dispute>();
  try {
    for await (const dispute of stripe.disputes.list({ created: { gte: seconds(from), lt: seconds(to) }, limit: 100 })) theirs.set(dispute.id, dispute);
  } catch (err) {
    railFailed(err);
  }
  const ids = new Set([...recorded.map((r) => r.id), ...posted.map((p) => p.key.split(':')[1]!), ...theirs.keys()]);
  if (ids.size === 0) return { checked: 0, mismatches: [] };
  for (const id of ids) {
    if (theirs.has(id)) continue;
    try {
      theirs.set(id, await stripe.disputes.retrieve(id));
    } catch (err) {
      if (!isMissing(err)) railFailed(err);
    }
  }

  const keys = [...ids].flatMap((id) => [chargebackKey(id, 'withdrawn'), chargebackKey(id, 'reinstated')]);
  const moves = rowsOf<{ key: string; currency: string; clearingMinor: string | number }>(
    await db.execute(sql`
      select t.key, p.currency, coalesce(sum(p.amount_minor) filter (where a.kind = 'stripe_clearing'), 0)::bigint as "clearingMinor"
      from settlement_ledger_transfers t
      join settlement_ledger_postings p on p.transfer_id = t.id
      join settlement_ledger_accounts a on a.id = p.account_id
      where t.key in (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})
      group by t.id, p.currency`),
  );
  const local = new Map((await db.select().from(stripeDisputes).where(inArray(stripeDisputes.stripeDisputeId, [...ids]))).map((d) => [d.stripeDisputeId, d]));
  const charges = [...theirs.values()].map((d) => (typeof d.charge === 'string' ? d.charge : d.charge.id));
  const byCharge = new Map(
    (charges.length === 0 ? [] : await db.select().from(payments).where(inArray(payments.stripeChargeId, charges))).map((p) => [p.stripeChargeId!, p]),
  );

  let checked = 0;
  const mismatches: Mismatch[] = [];
  for (const id of ids) {
    const rail = theirs.get(id);
    const mine = local.get(id);
    const payment = rail ? byCharge.get(typeof rail.charge === 'string' ? rail.charge : rail.charge.id) : undefined;
    // A dispute on a charge that is none of this exchange's payments is not the ledger's business.
    if (!mine && !payment) continue;
    checked += 1;
    const base = { rail: 'stripe' as const, record: 'chargeback' as const, recordId: mine?.id ?? payment!.id, orderId: mine?.orderId ?? payment!.orderId };
    const railMoves = disputeMovements(rail ?? { balance_transactions: [] });
    for (const direction of ['withdrawn', 'reinstated'] as ChargebackDirection[]) {
      const move = moves.find((m) => m.key === chargebackKey(id, direction));
      // Taken: clearing credited (money left); given back: clearing debited.
      const ledgerMinor = move ? (direction === 'withdrawn' ? 1 : -1) * Number(move.clearingMinor) : null;
      const railMove = railMoves.get(direction);
      const railMinor = railMove ? Math.abs(railMove.amount - railMove.fee) : null;
      const what = direction === 'withdrawn' ? 'taken by the dispute' : 'given back for the won dispute';
      if (railMinor !== null && ledgerMinor === null) mismatches.push({ ...base, kind: 'missing_in_ledger', detail: `Stripe's balance shows money ${what} ${id}; the ledger does not`, ledgerMinor, railMinor });
      else if (ledgerMinor !== null && railMinor === null) mismatches.push({ ...base, kind: 'missing_on_rail', detail: `the ledger has money ${what} ${id}; Stripe${rail ? "'s balance does not" : ' knows no such dispute'}`, ledgerMinor, railMinor });
      else if (move && railMove && move.currency !== railMove.currency) mismatches.push({ ...base, kind: 'currency', detail: `ledger in ${move.currency}, Stripe in ${railMove.currency} (${id})`, ledgerMinor, railMinor });
      else if (ledgerMinor !== railMinor) mismatches.push({ ...base, kind: 'amount', detail: `the ledger and Stripe differ on money ${what} ${id}`, ledgerMinor, railMinor });
    }
  }
  return { checked, mismatches };
}
