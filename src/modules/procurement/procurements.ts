import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound } from '../../lib/errors.js';
import { TimeAndIdCursor, decodeCursor } from '../../lib/http.js';
import { getListingOnSale } from '../catalog/listings.js';
import { DEFAULT_REPORT_EVERY_MONTHS } from '../public-data/usage-schedule.js';
import type { PlaceOrderInput } from '../trading/orders.js';
import type { Order } from '../trading/state-machine.js';
import { BUDGET_CURRENCY } from './budgets.js';
import { actingPublicBody, hasRole, invalidInput, type Caller, type ProcurementContext } from './context.js';
import { lockProcurement, moveProcurement, recordProcurementStep } from './states.js';
import { procurementNeeds, procurementNumberCounters, procurementShares, procurements, type Need, type Procurement, type ProcurementStatus } from './tables.js';

/** The order the bureau will place (as trading takes it), with the needs it serves and their shares. */
export interface ProcurementInput extends PlaceOrderInput {
  needIds: string[];
  shares?: { departmentPartyId: string; amountMinor: number }[] | undefined;
  reportEveryMonths?: number | undefined;
}

async function nextNumber(tx: Database, at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  const [row] = await tx
    .insert(procurementNumberCounters)
    .values({ year, last: 1 })
    .onConflictDoUpdate({ target: procurementNumberCounters.year, set: { last: sql`${procurementNumberCounters.last} + 1` } })
    .returning({ last: procurementNumberCounters.last });
  return `PRC-${year}-${String(row!.last).padStart(6, '0')}`;
}

/**
 * Each beneficiary's share: as the bureau gave them (every beneficiary once, nobody else, summing to
 * the amount), or by default in proportion to the budgets of its needs, the remainder of the
 * rounding to the first.
 */
export function sharesOf(needs: Need[], amountMinor: number, given: ProcurementInput['shares']): { departmentPartyId: string; amountMinor: number }[] {
  const departments = [...new Set(needs.map((n) => n.departmentPartyId))];
  if (given) {
    const named = given.map((s) => s.departmentPartyId);
    const sum = given.reduce((total, s) => total + s.amountMinor, 0);
    if (new Set(named).size !== named.length || named.length !== departments.length || !departments.every((d) => named.includes(d))) {
      throw new AppError('shares-mismatch', { en: 'give one share for each department whose needs the procurement consolidates, and no other', zh: '请为采购项目所归并需求的每个部门各列一项分摊，不得列入其他部门' }, { departments });
    }
    if (sum !== amountMinor) throw new AppError('shares-mismatch', { en: `the shares sum to ${sum}; the order's amount is ${amountMinor}`, zh: `分摊合计为 ${sum}；订单金额为 ${amountMinor}` }, { amountMinor, sharesMinor: sum });
    return departments.map((d) => given.find((s) => s.departmentPartyId === d)!);
  }
  const budgets = departments.map((d) => needs.filter((n) => n.departmentPartyId === d).reduce((total, n) => total + BigInt(n.budgetMinor), 0n));
  const total = budgets.reduce((a, b) => a + b, 0n);
  const shares = budgets.map((b) => Number((BigInt(amountMinor) * b) / total));
  shares[0]! += amountMinor - shares.reduce((a, b) => a + b, 0);
  return departments.map((d, i) => ({ departmentPartyId: d, amountMinor: shares[i]! }));
}

/**
 * The bureau consolidates needs of several departments into one procurement: a listing on sale, its
 * price plan, and purpose, scenario and safeguards (the purpose one the licence allows). A need can
 * be consolidated once (409); its department's share is fixed here and committed when ordered.
 */
export async function createProcurement(db: Database, caller: Caller, input: ProcurementInput): Promise<Procurement> {
  const bureauPartyId = await actingPublicBody(db, caller, 'bureau');
  const now = new Date();
  return db.transaction(async (tx) => {
    const needs = await tx.select().from(procurementNeeds).where(inArray(procurementNeeds.id, input.needIds)).orderBy(asc(procurementNeeds.createdAt)).for('update');
    const missing = input.needIds.filter((id) => !needs.some((n) => n.id === id));
    if (missing.length) throw invalidInput('/body/needIds', { en: `no purchase need has the id ${missing[0]}`, zh: `没有 id 为 ${missing[0]} 的采购需求` });
    // In the order the bureau named them: the first need's department is the first beneficiary.
    needs.sort((a, b) => input.needIds.indexOf(a.id) - input.needIds.indexOf(b.id));
    const taken = needs.find((n) => n.status === 'consolidated');
    if (taken) throw new AppError('need-already-consolidated', { en: `the need “${taken.title}” is already part of a procurement`, zh: `需求“${taken.title}”已归入一个采购项目` }, { needId: taken.id, procurementId: taken.procurementId });
    const withdrawn = needs.find((n) => n.status !== 'filed');
    if (withdrawn) throw invalidState({ en: `the need “${withdrawn.title}” is ${withdrawn.status}`, zh: `需求“${withdrawn.title}”的状态为 ${withdrawn.status}` }, { needId: withdrawn.id, status: withdrawn.status });
    const years = new Set(needs.map((n) => n.budgetYear));
    if (years.size > 1) throw invalidInput('/body/needIds', { en: 'consolidate needs of one budget year', zh: '请归并同一预算年度的需求' });

    const onSale = await getListingOnSale(tx, input.listingId);
    if (!onSale) throw invalidInput('/body/listingId', { en: 'no listing on sale has this id', zh: '没有使用该 id 的在售数据产品' });
    const { revision } = onSale;
    if (!revision.content.licence.allowedPurposes.includes(input.purpose)) {
      throw new AppError('purpose-not-allowed', { en: 'state one of the purposes the licence allows', zh: '请说明许可允许的用途之一' }, {
        allowedPurposes: revision.content.licence.allowedPurposes,
        errors: [{ path: '/body/purpose', message: 'not a purpose the licence allows' }],
      });
    }
    const plan = revision.content.pricePlans.find((p) => p.name === input.pricePlan);
    if (!plan) throw invalidInput('/body/pricePlan', { en: `name one of the listing's price plans: ${revision.content.pricePlans.map((p) => p.name).join(', ')}`, zh: `请指明该数据产品的价格方案之一：${revision.content.pricePlans.map((p) => p.name).join('、')}` });
    if (plan.currency !== BUDGET_CURRENCY) throw invalidInput('/body/pricePlan', { en: `departments' budgets are in ${BUDGET_CURRENCY}; this plan is priced in ${plan.currency}`, zh: `部门预算以 ${BUDGET_CURRENCY} 计；该方案以 ${plan.currency} 定价` });
    const amountMinor = plan.amountMinor * input.quantity;
    if (!Number.isSafeInteger(amountMinor)) throw invalidInput('/body/quantity', { en: 'the amount is too large', zh: '金额过大' });
    const shares = sharesOf(needs, amountMinor, input.shares);

    const [created] = await tx
      .insert(procurements)
      .values({
        number: await nextNumber(tx, now),
        bureauPartyId,
        createdBy: caller.actor.userId,
        status: 'draft',
        budgetYear: needs[0]!.budgetYear,
        listingId: input.listingId,
        pricePlan: input.pricePlan,
        quantity: input.quantity,
        termStart: input.termStart ?? null,
        amountMinor,
        currency: plan.currency,
        purpose: input.purpose,
        scenario: input.scenario,
        safeguards: input.safeguards,
        reportEveryMonths: input.reportEveryMonths ?? DEFAULT_REPORT_EVERY_MONTHS,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const procurement = created!;
    await tx.insert(procurementShares).values(shares.map((s, position) => ({ procurementId: procurement.id, departmentPartyId: s.departmentPartyId, position, amountMinor: s.amountMinor })));
    const consolidated = await tx
      .update(procurementNeeds)
      .set({ status: 'consolidated', procurementId: procurement.id, updatedAt: now })
      .where(and(inArray(procurementNeeds.id, input.needIds), eq(procurementNeeds.status, 'filed')))
      .returning({ id: procurementNeeds.id });
    if (consolidated.length !== input.needIds.length) throw conflict({ en: 'a need changed meanwhile; read it again', zh: '有需求已被同时修改，请重新读取' });
    await recordProcurementStep(tx, caller.audit, procurement, {
      action: 'created',
      from: null,
      to: 'draft',
      details: { needIds: input.needIds, listingId: input.listingId, amountMinor, shares: shares.map((s) => `${s.departmentPartyId}:${s.amountMinor}`), reportEveryMonths: procurement.reportEveryMonths },
    }, now);
    return procurement;
  });
}

/**
 * A procurement the caller may see: the bureau's party that made it, its beneficiary departments,
 * and (with `staff`) the bureau and operators. `ownerOnly`: the bureau's party alone, for changes.
 */
export async function findProcurementFor(db: Database, caller: Caller, id: string, opts: { ownerOnly?: boolean } = {}): Promise<Procurement> {
  const [row] = await db.select().from(procurements).where(eq(procurements.id, id));
  if (!row) throw notFound({ en: 'procurement', zh: '采购项目' });
  const partyId = caller.actor.partyId;
  if (partyId === row.bureauPartyId) return row;
  if (!opts.ownerOnly) {
    if (hasRole(caller, 'bureau') || hasRole(caller, 'operator')) return row;
    if (partyId) {
      const [share] = await db.select().from(procurementShares).where(and(eq(procurementShares.procurementId, id), eq(procurementShares.departmentPartyId, partyId)));
      if (share) return row;
    }
  }
  throw notFound({ en: 'procurement', zh: '采购项目' });
}

/**
 * The bureau places the procurement's order on the exchange as buyer of record (Art. 27 ¶3). Trading
 * checks what any order needs (both parties verified, the licence's purpose, Art. 39) and drafts the
 * central procurement agreement; in the same transaction the procurement is ordered and each
 * department's share committed against its budget year.
 */
export async function orderProcurement(ctx: ProcurementContext, caller: Caller, id: string): Promise<Procurement> {
  const seen = await findProcurementFor(ctx.db, caller, id, { ownerOnly: true });
  if (seen.status !== 'draft') throw invalidState({ en: `the procurement is ${seen.status}; it is ordered once`, zh: `采购项目状态为 ${seen.status}；只能下单一次` }, { status: seen.status });
  await actingPublicBody(ctx.db, caller, 'bureau');
  const beneficiaryPartyIds = (await ctx.db.select().from(procurementShares).where(eq(procurementShares.procurementId, id)).orderBy(procurementShares.position)).map((s) => s.departmentPartyId);
  let ordered: Procurement | undefined;
  await ctx.placeOrder(
    caller,
    { listingId: seen.listingId, pricePlan: seen.pricePlan, quantity: seen.quantity, termStart: seen.termStart ?? undefined, purpose: seen.purpose, scenario: seen.scenario, safeguards: seen.safeguards },
    {
      procurementId: seen.id,
      number: seen.number,
      beneficiaryPartyIds,
      onPlaced: async (tx: Database, order: Order) => {
        const procurement = await lockProcurement(tx, id);
        if (order.amountMinor !== procurement.amountMinor || order.currency !== procurement.currency) {
          throw conflict({ en: `the listing's price changed: the order would cost ${order.amountMinor} ${order.currency}, the shares were made for ${procurement.amountMinor}; cancel and consolidate again`, zh: `数据产品价格已变更：订单金额将为 ${order.amountMinor} ${order.currency}，而分摊按 ${procurement.amountMinor} 确定；请取消并重新归并` });
        }
        const at = order.createdAt;
        ordered = await moveProcurement(tx, caller.audit, procurement, 'order', { set: { orderId: order.id }, details: { orderId: order.id, orderNumber: order.number }, at });
        // Each department's share now counts against its year's budget.
        await tx.update(procurementShares).set({ committedAt: at }).where(eq(procurementShares.procurementId, id));
      },
    },
  );
  return ordered!;
}

/** The bureau cancels a procurement it has not ordered; its needs can be consolidated again. */
export async function cancelProcurement(db: Database, caller: Caller, id: string, reason: string): Promise<Procurement> {
  await findProcurementFor(db, caller, id, { ownerOnly: true });
  return db.transaction(async (tx) => {
    const procurement = await lockProcurement(tx, id);
    const cancelled = await moveProcurement(tx, caller.audit, procurement, 'cancel', { set: { cancelReason: reason }, details: { reason } });
    await tx.update(procurementNeeds).set({ status: 'filed', procurementId: null, updatedAt: new Date() }).where(eq(procurementNeeds.procurementId, id));
    return cancelled;
  });
}

const ProcurementCursor = TimeAndIdCursor('createdAt');

/** The bureau's and operators' view of every procurement; a department's of those it benefits from. */
export async function listProcurements(db: Database, caller: Caller, q: { status?: ProcurementStatus | undefined; cursor?: string | undefined; limit: number }): Promise<Procurement[]> {
  const after = decodeCursor(q.cursor, ProcurementCursor);
  const staff = hasRole(caller, 'bureau') || hasRole(caller, 'operator');
  const partyId = caller.actor.partyId;
  if (!staff && !partyId) return [];
  return db
    .select()
    .from(procurements)
    .where(
      and(
        staff ? undefined : sql`exists (select 1 from ${procurementShares} where ${procurementShares.procurementId} = ${procurements.id} and ${procurementShares.departmentPartyId} = ${partyId})`,
        q.status ? eq(procurements.status, q.status) : undefined,
        after ? sql`(${procurements.createdAt}, ${procurements.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(procurements.createdAt), desc(procurements.id))
    .limit(q.limit + 1);
}
