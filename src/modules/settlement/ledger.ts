import { and, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../lib/database.js';
import { invalidState } from '../../lib/errors.js';
import { ledgerAccounts, ledgerPostings, ledgerTransfers, type AccountKind, type TransferKind } from './tables.js';
import type { PaymentRail } from '../trading/ports.js';

/**
 * The double-entry ledger, modelled on TigerBeetle's transfers: accounts hold no balance, only
 * postings do; a transfer is immutable and balances to zero in each currency; money in escrow is a
 * `pending` transfer later posted (wholly or in part) or voided, at most once; corrections are new
 * transfers. Credits are positive, debits negative.
 */

export interface AccountRef {
  kind: AccountKind;
  currency: string;
  /** The party of a party's account (buyer funds, provider payable, refunds payable). */
  partyId?: string;
  /** The order of an order's account (escrow). */
  orderId?: string;
}

export interface PostingInput {
  account: AccountRef;
  amountMinor: number;
}

export interface TransferInput {
  /** The step's one name (`order:<id>:escrow`): the same step recorded twice is recorded once. */
  key: string;
  kind: TransferKind;
  pendingId?: string;
  orderId: string | null;
  rail: PaymentRail | null;
  description: string;
  postings: PostingInput[];
}

export const accountKey = (ref: AccountRef) => `${ref.kind}:${ref.partyId ?? ref.orderId ?? 'exchange'}:${ref.currency}`;

async function accountIds(tx: Database, refs: AccountRef[]): Promise<Map<string, string>> {
  const unique = new Map(refs.map((r) => [accountKey(r), r]));
  await tx
    .insert(ledgerAccounts)
    .values([...unique.entries()].map(([key, r]) => ({ key, kind: r.kind, currency: r.currency, partyId: r.partyId ?? null, orderId: r.orderId ?? null })))
    .onConflictDoNothing({ target: ledgerAccounts.key });
  const rows = await tx.select({ id: ledgerAccounts.id, key: ledgerAccounts.key }).from(ledgerAccounts).where(inArray(ledgerAccounts.key, [...unique.keys()]));
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** Sums per currency; every one must be zero. Checked here and again by the database at commit. */
export function assertBalanced(postings: PostingInput[], what: string): void {
  const sums = new Map<string, number>();
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor === 0) throw new Error(`${what}: a posting of ${p.amountMinor} is not a non-zero integer`);
    sums.set(p.account.currency, (sums.get(p.account.currency) ?? 0) + p.amountMinor);
  }
  for (const [currency, sum] of sums) if (sum !== 0) throw new Error(`${what}: postings sum to ${sum} ${currency}, not zero`);
}

/**
 * Records one transfer, or finds it when its key was recorded before. A `post_pending` or
 * `void_pending` resolves its pending transfer once: a second attempt with another key is refused.
 */
export async function recordTransfer(tx: Database, input: TransferInput): Promise<{ id: string; created: boolean }> {
  const [existing] = await tx.select({ id: ledgerTransfers.id }).from(ledgerTransfers).where(eq(ledgerTransfers.key, input.key));
  if (existing) return { id: existing.id, created: false };
  assertBalanced(input.postings, input.key);
  if (input.kind === 'void_pending' && input.postings.length > 0) throw new Error(`${input.key}: a void moves nothing`);
  if (input.pendingId) {
    const [pending] = await tx.select().from(ledgerTransfers).where(eq(ledgerTransfers.id, input.pendingId));
    if (pending?.kind !== 'pending') throw new Error(`${input.key}: ${input.pendingId} is not a pending transfer`);
    const [resolved] = await tx.select({ id: ledgerTransfers.id }).from(ledgerTransfers).where(eq(ledgerTransfers.pendingId, input.pendingId));
    if (resolved) throw invalidState({ en: 'the escrow was already released or returned', zh: '托管资金已经释放或退回' });
    if (input.kind === 'post_pending') await assertWithinPending(tx, input.pendingId, input.postings);
  }
  const [transfer] = await tx
    .insert(ledgerTransfers)
    .values({ key: input.key, kind: input.kind, pendingId: input.pendingId ?? null, orderId: input.orderId, rail: input.rail, description: input.description })
    .returning({ id: ledgerTransfers.id });
  if (input.postings.length > 0) {
    const ids = await accountIds(tx, input.postings.map((p) => p.account));
    await tx.insert(ledgerPostings).values(
      input.postings.map((p) => ({ transferId: transfer!.id, accountId: ids.get(accountKey(p.account))!, amountMinor: p.amountMinor, currency: p.account.currency })),
    );
  }
  return { id: transfer!.id, created: true };
}

/**
 * The posted balance of one account, its row locked for the rest of the transaction: two steps
 * that each act on the balance (netting a provider's debt into two payouts at once) run one after
 * the other, and the second sees what the first posted. (`no key update`: postings that only name
 * the account meanwhile are not held up.) An account not made yet holds nothing.
 */
export async function lockedBalance(tx: Database, ref: AccountRef): Promise<number> {
  const [account] = await tx.select({ id: ledgerAccounts.id }).from(ledgerAccounts).where(eq(ledgerAccounts.key, accountKey(ref))).for('no key update');
  if (!account) return 0;
  const [row] = await tx
    .select({ balance: sql<string>`coalesce(sum(${ledgerPostings.amountMinor}), 0)::bigint` })
    .from(ledgerPostings)
    .innerJoin(ledgerTransfers, eq(ledgerTransfers.id, ledgerPostings.transferId))
    .where(and(eq(ledgerPostings.accountId, account.id), inArray(ledgerTransfers.kind, ['posted', 'post_pending'])));
  return Number(row?.balance ?? 0);
}

/** A posting of a pending transfer moves at most what was held, between the same accounts. */
async function assertWithinPending(tx: Database, pendingId: string, postings: PostingInput[]) {
  const held = await tx
    .select({ key: ledgerAccounts.key, amount: ledgerPostings.amountMinor })
    .from(ledgerPostings)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerPostings.accountId))
    .where(eq(ledgerPostings.transferId, pendingId));
  const heldBy = new Map(held.map((h) => [h.key, h.amount]));
  for (const p of postings) {
    const was = heldBy.get(accountKey(p.account));
    if (was === undefined || Math.sign(was) !== Math.sign(p.amountMinor) || Math.abs(p.amountMinor) > Math.abs(was)) {
      throw new Error(`posting ${p.amountMinor} on ${accountKey(p.account)} exceeds what transfer ${pendingId} holds`);
    }
  }
}

export interface AccountBalance {
  accountId: string;
  key: string;
  kind: AccountKind;
  currency: string;
  partyId: string | null;
  orderId: string | null;
  /** Credits minus debits of posted transfers. */
  postedMinor: number;
  /** Held by pending transfers not yet posted or voided. */
  pendingMinor: number;
}

/**
 * Balances derived from postings: posted (`posted` and `post_pending` transfers) and pending
 * (`pending` transfers nobody has resolved yet). Never stored.
 */
export async function accountBalances(db: Database, filter: { orderId?: string; partyId?: string; kind?: AccountKind } = {}): Promise<AccountBalance[]> {
  const conditions = [sql`true`];
  if (filter.orderId) conditions.push(sql`(a.order_id = ${filter.orderId} or t.order_id = ${filter.orderId})`);
  if (filter.partyId) conditions.push(sql`a.party_id = ${filter.partyId}`);
  if (filter.kind) conditions.push(sql`a.kind = ${filter.kind}`);
  const where = sql.join(conditions, sql` and `);
  const result = await db.execute(sql`
    select a.id as "accountId", a.key, a.kind, a.currency, a.party_id as "partyId", a.order_id as "orderId",
      coalesce(sum(p.amount_minor) filter (where t.kind in ('posted', 'post_pending')), 0)::bigint as "postedMinor",
      coalesce(sum(p.amount_minor) filter (where t.kind = 'pending' and not exists
        (select 1 from settlement_ledger_transfers r where r.pending_id = t.id)), 0)::bigint as "pendingMinor"
    from settlement_ledger_postings p
    join settlement_ledger_accounts a on a.id = p.account_id
    join settlement_ledger_transfers t on t.id = p.transfer_id
    where ${where}
    group by a.id order by a.key`);
  return rowsOf<AccountBalance & { postedMinor: string | number; pendingMinor: string | number }>(result).map((r) => ({
    ...r,
    postedMinor: Number(r.postedMinor),
    pendingMinor: Number(r.pendingMinor),
  }));
}

/** The transfers of an order, oldest first (reconciliation and the order's record). */
export async function orderTransfers(db: Database, orderId: string) {
  return db.select().from(ledgerTransfers).where(and(eq(ledgerTransfers.orderId, orderId))).orderBy(ledgerTransfers.createdAt);
}
