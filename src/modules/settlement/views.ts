import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import type { SettlementConfig } from '../../config.js';
import { rowsOf, type Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { Text, TimeAndIdCursor, decodeCursor, pageOf } from '../../lib/http.js';
import type { Actor } from '../../plugins/auth.js';
import { findPartyStanding, isPartyMember, suspendedParties } from '../identity/service.js';
import type { Payment } from './payment-state.js';
import type { Payout } from './payouts.js';
import { chargebackKey } from './chargebacks.js';
import type { Refund } from './refunds.js';
import type { refundKinds} from './tables.js';
import { connectedAccounts, payments, payouts, refunds, stripeDisputes, type PaymentStatus, type PayoutStatus, type RefundStatus } from './tables.js';

export const CreatedCursor = TimeAndIdCursor('createdAt');
export const AccountCursor = Type.Object({ key: Text({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

const at = (d: Date | null) => (d ? d.toISOString() : null);

export const paymentItem = (p: Payment) => ({
  id: p.id,
  orderId: p.orderId,
  orderNumber: p.orderNumber,
  buyerPartyId: p.buyerPartyId,
  providerPartyId: p.providerPartyId,
  rail: p.rail,
  status: p.status,
  amountMinor: p.amountMinor,
  feeMinor: p.feeMinor,
  receivedMinor: p.receivedMinor,
  outstandingMinor: Math.max(0, p.amountMinor - p.receivedMinor),
  currency: p.currency,
  reference: p.reference,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

type HeldReason = 'provider_suspended' | 'no_connected_account' | 'payouts_not_enabled' | 'charge_unknown' | null;

export const payoutView = (p: Payout, heldReason: HeldReason = null) => ({
  id: p.id,
  orderId: p.orderId,
  paymentId: p.paymentId,
  providerPartyId: p.providerPartyId,
  rail: p.rail,
  status: p.status,
  heldReason: p.status === 'held' ? heldReason : null,
  amountMinor: p.amountMinor,
  feeMinor: p.feeMinor,
  currency: p.currency,
  nettedMinor: p.nettedMinor,
  bankReference: p.bankReference,
  stripeTransferId: p.stripeTransferId,
  paidAt: at(p.paidAt),
  createdAt: p.createdAt.toISOString(),
});

export const refundView = (r: Refund) => ({
  id: r.id,
  orderId: r.orderId,
  paymentId: r.paymentId,
  kind: r.kind,
  rail: r.rail,
  status: r.status,
  amountMinor: r.amountMinor,
  currency: r.currency,
  reason: r.reason,
  bankReference: r.bankReference,
  stripeRefundId: r.stripeRefundId,
  refundedAt: at(r.refundedAt),
  createdAt: r.createdAt.toISOString(),
});

/** A refund as it stands now (after its Stripe call, when it went out at once). */
export async function refundViewById(db: Database, id: string) {
  const [refund] = await db.select().from(refunds).where(eq(refunds.id, id));
  if (!refund) throw notFound({ en: 'refund', zh: '退款' });
  return refundView(refund);
}

/** Why held payouts wait: the operator's view flags each. */
async function heldReasons(db: Database, rows: Payout[]): Promise<Map<string, HeldReason>> {
  const held = rows.filter((p) => p.status === 'held');
  if (held.length === 0) return new Map();
  const providers = [...new Set(held.map((p) => p.providerPartyId))];
  const accounts = await db.select().from(connectedAccounts).where(inArray(connectedAccounts.partyId, providers));
  const suspended = await suspendedParties(db, providers);
  const byParty = new Map(accounts.map((a) => [a.partyId, a]));
  return new Map(
    held.map((p) => {
      const account = byParty.get(p.providerPartyId);
      if (suspended.has(p.providerPartyId)) return [p.id, 'provider_suspended'] as const;
      return [p.id, !account ? 'no_connected_account' : !account.payoutsEnabled ? 'payouts_not_enabled' : 'charge_unknown'] as const;
    }),
  );
}

/**
 * A payment as the caller may see it: its buyer's and provider's members, and operators; anyone
 * else is told it does not exist. With payee details for a bank transfer, payout and refunds.
 */
export async function paymentFor(db: Database, config: SettlementConfig, actor: Actor, paymentId: string) {
  const [payment] = await db.select().from(payments).where(eq(payments.id, paymentId));
  if (!payment) throw notFound({ en: 'payment', zh: '付款' });
  const staff = actor.roles.includes('operator');
  if (!staff && !(await isPartyMember(db, payment.buyerPartyId, actor.userId)) && !(await isPartyMember(db, payment.providerPartyId, actor.userId))) {
    throw notFound({ en: 'payment', zh: '付款' });
  }
  const [payout] = await db.select().from(payouts).where(eq(payouts.paymentId, payment.id));
  const refundRows = await db.select().from(refunds).where(eq(refunds.paymentId, payment.id)).orderBy(refunds.createdAt);
  const reasons = payout ? await heldReasons(db, [payout]) : new Map<string, HeldReason>();
  return {
    ...paymentItem(payment),
    payee: payment.rail === 'bank_transfer' ? { name: config.bank.payee, bank: config.bank.name, account: config.bank.account } : null,
    payout: payout ? payoutView(payout, reasons.get(payout.id) ?? null) : null,
    refunds: refundRows.map(refundView),
  };
}

type Keyset = { createdAt: string; id: string } | undefined;

const before = (table: typeof payments | typeof payouts | typeof refunds | typeof stripeDisputes, cursor: Keyset): SQL | undefined =>
  cursor ? or(lt(table.createdAt, new Date(cursor.createdAt)), and(eq(table.createdAt, new Date(cursor.createdAt)), lt(table.id, cursor.id))) : undefined;

const cursorOf = (r: { createdAt: Date; id: string }) => ({ createdAt: r.createdAt.toISOString(), id: r.id });

/** Operators: payments by status (e.g. awaiting funds), newest first. */
export async function listPayments(db: Database, q: { status?: PaymentStatus | undefined; cursor?: string | undefined; limit: number }) {
  const rows = await db
    .select()
    .from(payments)
    .where(and(q.status ? eq(payments.status, q.status) : undefined, before(payments, decodeCursor(q.cursor, CreatedCursor))))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(q.limit + 1);
  return pageOf(rows, q.limit, paymentItem, cursorOf);
}

type PayoutQuery = { status?: PayoutStatus | undefined; cursor?: string | undefined; limit: number };

/** Operators: payouts by status (due, held with the reason, paid), newest first; one provider's when named. */
export async function listPayouts(db: Database, q: PayoutQuery, providerPartyId?: string) {
  const rows = await db
    .select()
    .from(payouts)
    .where(
      and(
        providerPartyId ? eq(payouts.providerPartyId, providerPartyId) : undefined,
        q.status ? eq(payouts.status, q.status) : undefined,
        before(payouts, decodeCursor(q.cursor, CreatedCursor)),
      ),
    )
    .orderBy(desc(payouts.createdAt), desc(payouts.id))
    .limit(q.limit + 1);
  const reasons = await heldReasons(db, rows);
  return pageOf(rows, q.limit, (p) => payoutView(p, reasons.get(p.id) ?? null), cursorOf);
}

/**
 * A provider's payouts across its orders, for its members (an API client reconciling what it was
 * paid) and operators; anyone else is told the party does not exist.
 */
export async function listPartyPayouts(db: Database, actor: Actor, partyId: string, q: PayoutQuery) {
  const staff = actor.roles.includes('operator');
  if (staff ? !(await findPartyStanding(db, partyId)) : !(await isPartyMember(db, partyId, actor.userId))) throw notFound({ en: 'party', zh: '主体' });
  return listPayouts(db, q, partyId);
}

/** Operators: refunds by status and kind (disputes decided for the buyer, over-payments), newest first. */
export async function listRefunds(
  db: Database,
  q: { status?: RefundStatus | undefined; kind?: (typeof refundKinds)[number] | undefined; cursor?: string | undefined; limit: number },
) {
  const rows = await db
    .select()
    .from(refunds)
    .where(and(q.status ? eq(refunds.status, q.status) : undefined, q.kind ? eq(refunds.kind, q.kind) : undefined, before(refunds, decodeCursor(q.cursor, CreatedCursor))))
    .orderBy(desc(refunds.createdAt), desc(refunds.id))
    .limit(q.limit + 1);
  return pageOf(rows, q.limit, refundView, cursorOf);
}

/** Per dispute, from the ledger: what its chargeback has cost the exchange by now, and who bore it. */
async function chargebacksOf(db: Database, disputeIds: string[]): Promise<Map<string, { chargedBackMinor: number; borneBy: 'exchange' | 'provider' | null }>> {
  if (disputeIds.length === 0) return new Map();
  const keys = disputeIds.flatMap((id) => [chargebackKey(id, 'withdrawn'), chargebackKey(id, 'reinstated')]);
  const rows = rowsOf<{ key: string; kind: string; amount: string | number }>(
    await db.execute(sql`
      select t.key, a.kind, p.amount_minor as amount from settlement_ledger_transfers t
      join settlement_ledger_postings p on p.transfer_id = t.id join settlement_ledger_accounts a on a.id = p.account_id
      where t.key in (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})`),
  );
  return new Map(
    disputeIds.map((id) => {
      const mine = rows.filter((r) => r.key.startsWith(`dispute:${id}:`));
      const withdrawal = mine.filter((r) => r.key === chargebackKey(id, 'withdrawn'));
      const borneBy = withdrawal.length === 0 ? null : withdrawal.some((r) => r.kind === 'provider_receivable') ? 'provider' : 'exchange';
      const chargedBackMinor = mine.filter((r) => r.kind === 'stripe_clearing').reduce((s, r) => s + Number(r.amount), 0);
      return [id, { chargedBackMinor, borneBy }] as const;
    }),
  );
}

/** Operators: card disputes (chargebacks) on orders' charges, open ones or all, newest first, with their money in the ledger. */
export async function listDisputes(db: Database, q: { open?: boolean | undefined; cursor?: string | undefined; limit: number }) {
  const rows = await db
    .select()
    .from(stripeDisputes)
    .where(and(q.open ? sql`${stripeDisputes.status} not in ('won', 'lost', 'warning_closed')` : undefined, before(stripeDisputes, decodeCursor(q.cursor, CreatedCursor))))
    .orderBy(desc(stripeDisputes.createdAt), desc(stripeDisputes.id))
    .limit(q.limit + 1);
  const money = await chargebacksOf(db, rows.slice(0, q.limit).map((d) => d.stripeDisputeId));
  return pageOf(
    rows,
    q.limit,
    (d) => ({
      id: d.id,
      stripeDisputeId: d.stripeDisputeId,
      paymentId: d.paymentId,
      orderId: d.orderId,
      amountMinor: d.amountMinor,
      currency: d.currency,
      reason: d.reason,
      status: d.status,
      chargedBackMinor: money.get(d.stripeDisputeId)?.chargedBackMinor ?? 0,
      borneBy: money.get(d.stripeDisputeId)?.borneBy ?? null,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    }),
    cursorOf,
  );
}

/**
 * Operators: what each provider is owed and has been paid, and what it owes the exchange back, from
 * the ledger, per party and currency.
 */
export async function listProviderBalances(db: Database, q: { cursor?: string | undefined; limit: number }) {
  const after = decodeCursor(q.cursor, AccountCursor);
  const rows = rowsOf<{ key: string; partyId: string; currency: string; payable: string | number; paidOut: string | number; receivable: string | number }>(
    await db.execute(sql`
      select a.party_id::text || ':' || a.currency as key, a.party_id as "partyId", a.currency,
        coalesce(sum(p.amount_minor) filter (where a.kind = 'provider_payable'), 0)::bigint as payable,
        coalesce(-sum(p.amount_minor) filter (where a.kind = 'provider_payable' and t.key like 'payout:%:paid'), 0)::bigint as "paidOut",
        coalesce(sum(p.amount_minor) filter (where a.kind = 'provider_receivable'), 0)::bigint as receivable
      from settlement_ledger_accounts a join settlement_ledger_postings p on p.account_id = a.id
      join settlement_ledger_transfers t on t.id = p.transfer_id
      where a.kind in ('provider_payable', 'provider_receivable') ${after ? sql`and a.party_id::text || ':' || a.currency > ${after.key}` : sql``}
      group by a.party_id, a.currency order by 1 limit ${q.limit + 1}`),
  );
  return pageOf(
    rows,
    q.limit,
    (r) => ({ partyId: r.partyId, currency: r.currency, payableMinor: Number(r.payable), paidOutMinor: Number(r.paidOut), owedByProviderMinor: -Number(r.receivable) }),
    (r) => ({ key: r.key }),
  );
}
