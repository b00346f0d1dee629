import { inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import { getRevisionProvenance } from '../catalog/listings.js';
import { revisionsById } from '../catalog/views.js';
import { orders } from './tables.js';

/** What a listing shows of a trade its data came from: no price, no purpose, no terms. */
export interface LineageEntry {
  /** 1: cited by the declaring listing; 2: cited by the listing a depth-1 trade bought; and so on. */
  depth: number;
  orderId: string;
  listingId: string;
  /**
   * The trade's buyer and provider, kept so the listing can show the ids above to them alone (and
   * to staff); every other reader gets the title and dates (catalog/lineage-view.ts).
   */
  parties: string[];
  title: { zh?: string | undefined; en?: string | undefined };
  orderedAt: string;
  completedAt: string;
}

type Problem = 'not_your_purchase' | 'not_completed' | 'licence_forbids_onward_transfer';

/**
 * Lineage: a provider's provenance declaration may cite orders its party bought on this exchange.
 * Each must exist and be the party's own purchase (another party's order gets the same answer as
 * none, so nothing is learnt about it), be completed, and have been bought under a licence that
 * allows onward processing and resale. Answers what the listing may show of each.
 */
export async function checkLineageCitations(db: Database, partyId: string, orderIds: readonly string[]): Promise<LineageEntry[]> {
  const wanted = [...new Set(orderIds)];
  if (wanted.length === 0) return [];
  const found = new Map((await db.select().from(orders).where(inArray(orders.id, wanted))).map((o) => [o.id, o]));
  const problems: { orderId: string; problem: Problem }[] = [];
  for (const id of wanted) {
    const order = found.get(id);
    if (!order || order.buyerPartyId !== partyId) problems.push({ orderId: id, problem: 'not_your_purchase' });
    else if (order.status !== 'completed') problems.push({ orderId: id, problem: 'not_completed' });
    else if (order.onwardTransfer !== 'allowed') problems.push({ orderId: id, problem: 'licence_forbids_onward_transfer' });
  }
  if (problems.length > 0) {
    throw new AppError('lineage-citation-invalid', { en: 'cite only completed orders your party bought under a licence that allows onward processing and resale', zh: '只能引用本主体在允许再加工和转售的许可下购买并已完成的订单' }, {
      citations: problems,
      errors: problems.map((p) => ({ path: `/body/citedOrders/${wanted.indexOf(p.orderId)}`, message: p.problem.replaceAll('_', ' ') })),
    });
  }
  const revisions = await revisionsById(db, [...found.values()].map((o) => o.revisionId));
  const chain: LineageEntry[] = [];
  for (const id of wanted) {
    const order = found.get(id)!;
    const title = revisions.get(order.revisionId)?.content.title ?? {};
    chain.push({
      depth: 1,
      orderId: id,
      listingId: order.listingId,
      parties: [order.buyerPartyId, order.providerPartyId],
      title: { zh: title.zh, en: title.en },
      orderedAt: order.createdAt.toISOString(),
      completedAt: order.updatedAt.toISOString(),
    });
    // The bought revision's own declaration carries its chain, checked when it was declared and never
    // changed since: the whole chain, one level deeper.
    const upstream = (await getRevisionProvenance(db, order.revisionId))?.lineage ?? [];
    // An upstream entry kept before its parties were: its depth-1 trades were bought by the party
    // that sold this one; of deeper ones nothing is known, so only staff see their ids.
    chain.push(...upstream.map((e) => ({ ...e, parties: e.parties ?? ((e.depth ?? 1) === 1 ? [order.providerPartyId] : []), depth: (e.depth ?? 1) + 1 })));
  }
  return chain.slice(0, MAX_CHAIN);
}

/** A chain longer than this is cut: a listing shows its nearest trades. */
const MAX_CHAIN = 200;
