import { eq, sql } from 'drizzle-orm';
import { assertCanAccess } from '../../lib/authz.js';
import { rowsOf, type Database } from '../../lib/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import { requestTransaction } from '../../lib/request-transaction.js';
import { getDatasetVersion } from '../catalog/files.js';
import { getListingOnSale, getRevision, isListingSuspended, type Revision } from '../catalog/listings.js';
import { requireVerifiedParty } from '../identity/service.js';
import { actingParty, addHours, invalidInput, type Caller, type TradingContext } from './context.js';
import { assertCrossBorderAllowed } from './cross-border.js';
import type { AgreementOrder } from './ports.js';
import { lockOrder, recordStep, transition, type Order } from './state-machine.js';
import { orders, type OrderPricePlan } from './tables.js';
import type { AuditActor } from '../audit/events.js';

export interface PlaceOrderInput {
  listingId: string;
  pricePlan: string;
  quantity: number;
  termStart?: string | undefined;
  purpose: string;
  scenario: string;
  safeguards: string;
}

/**
 * Art. 27 ¶3: the bureau orders as buyer of record for a central procurement. `onPlaced` runs in
 * the placing transaction, so the procurement's own records commit with the order or not at all.
 */
export interface ProcurementOrderOptions {
  procurementId: string;
  number: string;
  beneficiaryPartyIds: string[];
  onPlaced(tx: Database, order: Order): Promise<void>;
}

/** The exchange's fee: basis points of the amount, rounded half up, at least the minimum, never above the amount. */
export function feeFor(amountMinor: number, config: TradingContext['config']): number {
  const proportional = Number((BigInt(amountMinor) * BigInt(config.feeBasisPoints) + 5000n) / 10000n);
  return Math.min(amountMinor, Math.max(config.feeMinimumMinor, proportional));
}

const months = { month: 1, quarter: 3, year: 12 } as const;

/** The term of use: one-off plans run the licence's term; subscriptions `quantity` periods. */
export function termOf(plan: OrderPricePlan, quantity: number, licenceMonths: number, start: string): { termStart: string; termEnd: string } {
  const span = plan.kind === 'subscription' ? months[plan.period ?? 'year'] * quantity : licenceMonths;
  const end = new Date(`${start}T00:00:00Z`);
  end.setUTCMonth(end.getUTCMonth() + span);
  end.setUTCDate(end.getUTCDate() - 1);
  return { termStart: start, termEnd: end.toISOString().slice(0, 10) };
}

/** Years whose number sequence this database is known to have, per database (the app owns the database). */
const knownYears = new WeakMap<Database, Set<number>>();

/**
 * Makes sure the year's order-number sequence exists, before the transaction that takes a number
 * from it. A PostgreSQL sequence hands out numbers without a lock, so concurrent placements never
 * wait for each other; a placement that rolls back leaves a gap, never a duplicate.
 */
async function ensureNumberSequence(db: Database, year: number): Promise<void> {
  const known = knownYears.get(db) ?? new Set<number>();
  knownYears.set(db, known);
  if (known.has(year)) return;
  try {
    // Its own transaction, or a savepoint when the request runs in one: a failure here spoils nothing else.
    await db.transaction((tx) => tx.execute(sql.raw(`create sequence if not exists trading_order_number_${year} as integer minvalue 1 maxvalue 999999999`)));
  } catch (err) {
    // Another process created it at the same moment.
    if (!['23505', '42P07'].includes((err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code ?? '')) throw err;
  }
  // Inside a request's transaction the sequence exists only once that commits: known only then.
  if (!requestTransaction()) known.add(year);
}

/** `ORD-2026-000123`: one sequence per year. */
async function nextOrderNumber(tx: Database, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  const [row] = rowsOf<{ n: number | string }>(await tx.execute(sql.raw(`select nextval('trading_order_number_${year}') as n`)));
  return `ORD-${year}-${String(row!.n).padStart(6, '0')}`;
}

/**
 * A buyer's party orders a listing on sale. "No scenario, no trading": purpose, scenario and
 * safeguards are required, and the purpose must be one the licence allows. Art. 28(2): both parties
 * verified and unsuspended. Art. 39: the cross-border guard. The order waits for the provider when
 * the licence asks for approval; otherwise it is accepted and its agreement drafted at once.
 */
export async function placeOrder(ctx: TradingContext, caller: Caller, input: PlaceOrderInput, procurement?: ProcurementOrderOptions): Promise<Order> {
  const buyerPartyId = actingParty(caller);
  const now = new Date();
  await ensureNumberSequence(ctx.db, now.getUTCFullYear());
  return ctx.db.transaction(async (tx) => {
    const buyer = await requireVerifiedParty(tx, buyerPartyId);
    const onSale = await getListingOnSale(tx, input.listingId);
    // The listing is named in the body, not the path: an unknown one is bad input, not a missing resource.
    if (!onSale) throw invalidInput('/body/listingId', { en: 'no listing on sale has this id', zh: '没有使用该 id 的在售数据产品' });
    const { listing, revision } = onSale;
    if (listing.ownerPartyId === buyerPartyId) throw new AppError('own-listing', { en: 'your party provides this listing; a party cannot trade with itself', zh: '本主体是该数据产品的提供方，主体不能与自己交易' });
    await requireProviderMayTrade(tx, listing.ownerPartyId);
    const licence = revision.content.licence;
    if (!licence.allowedPurposes.includes(input.purpose)) {
      throw new AppError('purpose-not-allowed', { en: 'state one of the purposes the licence allows', zh: '请说明许可允许的用途之一' }, {
        allowedPurposes: licence.allowedPurposes,
        errors: [{ path: '/body/purpose', message: 'not a purpose the licence allows' }],
      });
    }
    await assertCrossBorderAllowed(tx, buyer, listing.id, revision);
    const matching = revision.content.pricePlans.filter((p) => p.name === input.pricePlan);
    if (matching.length !== 1) throw invalidInput('/body/pricePlan', { en: `name one of the listing's price plans: ${revision.content.pricePlans.map((p) => p.name).join(', ')}`, zh: `请指明该数据产品的价格方案之一：${revision.content.pricePlans.map((p) => p.name).join('、')}` });
    const plan = matching[0]! as OrderPricePlan;
    const amountMinor = plan.amountMinor * input.quantity;
    if (!Number.isSafeInteger(amountMinor)) throw invalidInput('/body/quantity', { en: 'the amount is too large', zh: '金额过大' });
    const term = termOf(plan, input.quantity, licence.termMonths, input.termStart ?? now.toISOString().slice(0, 10));
    const [placed] = await tx
      .insert(orders)
      .values({
        number: await nextOrderNumber(tx, now),
        listingId: listing.id,
        revisionId: revision.id,
        buyerPartyId,
        providerPartyId: listing.ownerPartyId,
        placedBy: caller.actor.userId,
        status: 'requested',
        pricePlan: plan,
        quantity: input.quantity,
        ...term,
        amountMinor,
        currency: plan.currency,
        feeMinor: feeFor(amountMinor, ctx.config),
        purpose: input.purpose,
        scenario: input.scenario,
        safeguards: input.safeguards,
        onwardTransfer: licence.onwardTransfer,
        deliveryMethod: revision.deliveryMethod,
        datasetVersionId: revision.datasetVersionId,
        procurementId: procurement?.procurementId ?? null,
        procurementNumber: procurement?.number ?? null,
        beneficiaryPartyIds: procurement?.beneficiaryPartyIds ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const order = placed!;
    const forProcurement: Record<string, string | string[]> = procurement ? { procurementId: procurement.procurementId, beneficiaryPartyIds: procurement.beneficiaryPartyIds } : {};
    await recordStep(tx, caller.audit, order, { action: 'placed', from: null, to: 'requested', details: { listingId: listing.id, revisionId: revision.id, amountMinor, feeMinor: order.feeMinor, currency: order.currency, ...forProcurement } }, now);
    await procurement?.onPlaced(tx, order);
    if (licence.approvalRequired) {
      return transition(tx, caller.audit, order, 'await_provider', { set: { responseDueAt: addHours(now, ctx.config.orderResponseHours) }, at: now });
    }
    return acceptOrder(ctx, tx, caller.audit, order, revision, now);
  });
}

/** What the trade agreement states, from the order and the revision it was ordered from. */
export async function agreementOrderOf(tx: Database, order: Order, revision: Revision): Promise<AgreementOrder> {
  const version = order.datasetVersionId ? await getDatasetVersion(tx, order.datasetVersionId) : undefined;
  const content = revision.content;
  return {
    id: order.id,
    number: order.number,
    providerPartyId: order.providerPartyId,
    buyerPartyId: order.buyerPartyId,
    listingId: order.listingId,
    revisionId: order.revisionId,
    listingTitle: { zh: content.title.zh, en: content.title.en },
    dataset: version ? { versionId: version.id, sha256: version.sha256, sizeBytes: version.sizeBytes, mediaType: version.mediaType } : null,
    pricePlan: { name: order.pricePlan.name, kind: order.pricePlan.kind, period: order.pricePlan.period },
    amountMinor: order.amountMinor,
    currency: order.currency,
    feeMinor: order.feeMinor,
    purpose: order.purpose,
    scenario: order.scenario,
    safeguards: order.safeguards,
    term: { start: order.termStart, end: order.termEnd },
    onwardTransfer: order.onwardTransfer,
    territory: content.licence.territory,
  };
}

/** The order is accepted (by the provider, or at once), and its agreement is drafted in the same transaction. */
export async function acceptOrder(ctx: TradingContext, tx: Database, actor: AuditActor, order: Order, revision: Revision | undefined, at: Date): Promise<Order> {
  await requireBothMayTrade(tx, order);
  const accepted = await transition(tx, actor, order, 'accept', { set: { responseDueAt: null }, at });
  return draftAgreement(ctx, tx, actor, accepted, revision, at);
}

/**
 * An accepted order asks agreements to draft its trade agreement, in the transaction that accepted
 * it. The parties have `agreementSigningHours` to sign it; then the sweep expires the order.
 */
export async function draftAgreement(ctx: TradingContext, tx: Database, actor: AuditActor, accepted: Order, revision: Revision | undefined, at: Date): Promise<Order> {
  const stated = await agreementOrderOf(tx, accepted, revision ?? (await getRevision(tx, accepted.revisionId)));
  // Art. 27 ¶3: a central procurement's order gets the procurement agreement, naming every beneficiary.
  const drafted =
    accepted.procurementId && accepted.procurementNumber && accepted.beneficiaryPartyIds
      ? await ctx.agreements.draftProcurementOrderAgreement(tx, stated, { number: accepted.procurementNumber, beneficiaryPartyIds: accepted.beneficiaryPartyIds })
      : await ctx.agreements.draftTradeAgreement(tx, stated);
  return transition(tx, actor, accepted, 'draft_agreement', {
    set: { agreementId: drafted.agreementId, agreementNumber: drafted.number, responseDueAt: addHours(at, ctx.config.agreementSigningHours) },
    details: { agreementId: drafted.agreementId, agreementNumber: drafted.number },
    at,
  });
}

/** Art. 28(2): the provider's party too must be verified and unsuspended, at every step that commits it. */
export async function requireProviderMayTrade(tx: Database, providerPartyId: string): Promise<void> {
  await requireVerifiedParty(tx, providerPartyId).catch((err: unknown) => {
    // The buyer learns that the provider may not trade, not why: its suspension is its own business.
    if (err instanceof AppError && (err.code === 'party-not-verified' || err.code === 'party-suspended')) {
      throw new AppError('party-not-verified', { en: 'the provider’s party may not trade at the moment', zh: '提供方主体目前不得交易' }, { side: 'provider' });
    }
    throw err;
  });
}

/**
 * Art. 28(4): while the exchange has suspended the listing pending an investigation, no step moves
 * its data or commits anyone to it (accepting, paying, delivering, downloading); reinstatement
 * resumes them. Steps that settle what was already delivered (acceptance, disputes) go on.
 */
export async function requireListingNotSuspended(tx: Database, listingId: string): Promise<void> {
  if (await isListingSuspended(tx, listingId)) {
    throw new AppError('listing-suspended', { en: 'the exchange suspended this listing pending an investigation; the trade waits until it is reinstated', zh: '交易所已暂停该数据产品以待调查，交易须待其恢复后进行' }, { listingId });
  }
}

/** Both sides of an order may still trade, and its listing is not suspended: checked again when it is accepted and when it is paid. */
export async function requireBothMayTrade(tx: Database, order: Pick<Order, 'buyerPartyId' | 'providerPartyId' | 'listingId'>): Promise<void> {
  await requireVerifiedParty(tx, order.buyerPartyId);
  await requireProviderMayTrade(tx, order.providerPartyId);
  await requireListingNotSuspended(tx, order.listingId);
}

export type OrderSide = 'buyer' | 'provider';

/**
 * An order the caller may see: its party is the buyer or the provider (or, with `staff`, any order
 * for operators). `side` narrows it to one side. Others get 404. `lock` takes the row lock.
 */
export async function findOrderFor(db: Database, caller: Caller, id: string, opts: { side?: OrderSide; staff?: boolean; lock?: boolean } = {}): Promise<Order> {
  const order = opts.lock ? await lockOrder(db, id) : (await db.select().from(orders).where(eq(orders.id, id)))[0];
  if (!order) throw notFound({ en: 'order', zh: '订单' });
  const staff = opts.staff ? (['operator'] as const) : [];
  if (opts.side === 'buyer') assertCanAccess(caller.actor, { partyId: order.buyerPartyId }, { en: 'order', zh: '订单' }, staff);
  else if (opts.side === 'provider') assertCanAccess(caller.actor, { partyId: order.providerPartyId }, { en: 'order', zh: '订单' }, staff);
  else if (caller.actor.partyId !== order.buyerPartyId) assertCanAccess(caller.actor, { partyId: order.providerPartyId }, { en: 'order', zh: '订单' }, staff);
  return order;
}
