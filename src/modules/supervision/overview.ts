import { and, asc, count, eq, gt, inArray, isNotNull, isNull, lt, lte, or, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../../lib/database.js';
import { listingRevisions, listings } from '../catalog/tables.js';
import { parties } from '../identity/tables.js';
import { entryRevisions } from '../public-data/tables.js';
import { publicDataRequests } from '../public-data/request-tables.js';
import { usageOrders } from '../public-data/usage-tables.js';
import { usageDutiesOf } from '../public-data/usage-views.js';
import { procurementReportsOverdue } from '../procurement/usage.js';
import { payouts } from '../settlement/tables.js';
import { orders, orderStatuses } from '../trading/tables.js';
import { outbox } from '../../plugins/outbox-tables.js';

/** How many of each list the overview shows; the counts are always whole. */
export const LIST_LIMIT = 20;
/** A verification that ends within this many days is listed as expiring. */
export const EXPIRY_WARNING_DAYS = 30;
/** A payout due for longer than this is overdue (the exchange pays within two days of release). */
export const PAYOUT_OVERDUE_MS = 2 * 86_400_000;

const DAY_MS = 86_400_000;

async function countWhere(db: Database, table: PgTable, where: SQL | undefined): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table).where(where);
  return Number(row!.n);
}

/** A count of what matches and its first `LIST_LIMIT` rows (`rows` is that query). */
async function listed<Row>(db: Database, table: PgTable, where: SQL | undefined, rows: (where: SQL | undefined) => Promise<Row[]>) {
  const [n, items] = await Promise.all([countWhere(db, table, where), rows(where)]);
  return { count: n, items };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Art. 28(4): the exchange supervises trading, settlement and delivery. One answer with what waits
 * on someone and what went wrong, each a count and its oldest items: orders per state, responses,
 * acceptances and payouts overdue, open disputes, listings and public-data entries awaiting review,
 * parties awaiting verification or expiring, suspended parties and listings, public-data requests
 * and usage reports overdue, open orders to correct, usage reports of procured data overdue,
 * effects on the outbox that keep failing.
 */
export async function supervisionOverview(db: Database, now = new Date()) {
  const byStatus = await db.select({ status: orders.status, n: count() }).from(orders).groupBy(orders.status);
  const ordersByStatus = Object.fromEntries(orderStatuses.map((s) => [s, 0])) as Record<(typeof orderStatuses)[number], number>;
  for (const row of byStatus) ordersByStatus[row.status] = Number(row.n);

  const orderColumns = { id: orders.id, number: orders.number, status: orders.status, buyerPartyId: orders.buyerPartyId, providerPartyId: orders.providerPartyId };
  const [responsesOverdue, acceptancesOverdue, disputes, payoutsOverdue] = await Promise.all([
    listed(db, orders, and(inArray(orders.status, ['awaiting_provider', 'terms_proposed']), lt(orders.responseDueAt, now)), (w) => db.select({ ...orderColumns, dueAt: orders.responseDueAt }).from(orders).where(w).orderBy(asc(orders.responseDueAt)).limit(LIST_LIMIT)),
    listed(db, orders, and(inArray(orders.status, ['delivering', 'delivered']), lt(orders.acceptanceDueAt, now)), (w) => db.select({ ...orderColumns, dueAt: orders.acceptanceDueAt }).from(orders).where(w).orderBy(asc(orders.acceptanceDueAt)).limit(LIST_LIMIT)),
    listed(db, orders, eq(orders.status, 'disputed'), (w) => db.select({ ...orderColumns, since: orders.updatedAt }).from(orders).where(w).orderBy(asc(orders.updatedAt)).limit(LIST_LIMIT)),
    listed(db, payouts, and(eq(payouts.status, 'due'), lt(payouts.createdAt, new Date(now.getTime() - PAYOUT_OVERDUE_MS))), (w) => db.select({ id: payouts.id, orderId: payouts.orderId, status: payouts.status, amountMinor: payouts.amountMinor, currency: payouts.currency, since: payouts.createdAt }).from(payouts).where(w).orderBy(asc(payouts.createdAt)).limit(LIST_LIMIT)),
  ]);

  const partyColumns = { id: parties.id, legalName: parties.legalName, kind: parties.kind, verifiedUntil: parties.verifiedUntil };
  const [listingsAwaitingReview, entriesAwaitingReview, awaitingVerification, expiring, suspendedParties, suspendedListings] = await Promise.all([
    listed(db, listingRevisions, eq(listingRevisions.reviewStatus, 'submitted'), (w) => db.select({ listingId: listingRevisions.listingId, revisionId: listingRevisions.id, submittedAt: listingRevisions.submittedAt }).from(listingRevisions).where(w).orderBy(asc(listingRevisions.submittedAt)).limit(LIST_LIMIT)),
    listed(db, entryRevisions, eq(entryRevisions.reviewStatus, 'submitted'), (w) => db.select({ entryId: entryRevisions.entryId, revisionId: entryRevisions.id, submittedAt: entryRevisions.submittedAt }).from(entryRevisions).where(w).orderBy(asc(entryRevisions.submittedAt)).limit(LIST_LIMIT)),
    listed(db, parties, eq(parties.verificationStatus, 'submitted'), (w) => db.select({ ...partyColumns, since: parties.createdAt }).from(parties).where(w).orderBy(asc(parties.createdAt)).limit(LIST_LIMIT)),
    listed(db, parties, and(eq(parties.verificationStatus, 'verified'), isNull(parties.suspendedAt), gt(parties.verifiedUntil, now), lte(parties.verifiedUntil, new Date(now.getTime() + EXPIRY_WARNING_DAYS * DAY_MS))), (w) => db.select(partyColumns).from(parties).where(w).orderBy(asc(parties.verifiedUntil)).limit(LIST_LIMIT)),
    listed(db, parties, isNotNull(parties.suspendedAt), (w) => db.select({ ...partyColumns, suspendedAt: parties.suspendedAt }).from(parties).where(w).orderBy(asc(parties.suspendedAt)).limit(LIST_LIMIT)),
    listed(db, listings, eq(listings.status, 'suspended'), (w) => db.select({ id: listings.id, ownerPartyId: listings.ownerPartyId, since: listings.updatedAt }).from(listings).where(w).orderBy(asc(listings.updatedAt)).limit(LIST_LIMIT)),
  ]);

  const unanswered = inArray(publicDataRequests.state, ['received', 'extended']);
  const [requestsOverdue, openOrders, failingEffects, usage, procuredUsage] = await Promise.all([
    listed(db, publicDataRequests, and(unanswered, lt(publicDataRequests.dueAt, now)), (w) => db.select({ id: publicDataRequests.id, kind: publicDataRequests.kind, departmentPartyId: publicDataRequests.departmentPartyId, dueAt: publicDataRequests.dueAt }).from(publicDataRequests).where(w).orderBy(asc(publicDataRequests.dueAt)).limit(LIST_LIMIT)),
    listed(db, usageOrders, eq(usageOrders.state, 'open'), (w) => db.select({ id: usageOrders.id, requestId: usageOrders.requestId, ground: usageOrders.ground, correctBy: usageOrders.correctBy }).from(usageOrders).where(w).orderBy(asc(usageOrders.issuedAt)).limit(LIST_LIMIT)),
    listed(db, outbox, or(eq(outbox.status, 'failed'), and(eq(outbox.status, 'pending'), gt(outbox.attempts, 0))), (w) => db.select({ id: outbox.id, operation: outbox.operation, subjectId: outbox.subjectId, status: outbox.status, attempts: outbox.attempts, lastError: outbox.lastError, since: outbox.createdAt }).from(outbox).where(w).orderBy(asc(outbox.createdAt)).limit(LIST_LIMIT)),
    usageDutiesOf(db, undefined, now),
    procurementReportsOverdue(db, undefined, now),
  ]);

  return {
    at: now.toISOString(),
    orders: { byStatus: ordersByStatus },
    trading: {
      responsesOverdue: { count: responsesOverdue.count, items: responsesOverdue.items.map((o) => ({ ...o, dueAt: iso(o.dueAt) })) },
      acceptancesOverdue: { count: acceptancesOverdue.count, items: acceptancesOverdue.items.map((o) => ({ ...o, dueAt: iso(o.dueAt) })) },
      disputesOpen: { count: disputes.count, items: disputes.items.map((o) => ({ ...o, since: o.since.toISOString() })) },
    },
    settlement: { payoutsOverdue: { count: payoutsOverdue.count, items: payoutsOverdue.items.map((p) => ({ ...p, since: p.since.toISOString() })) } },
    review: {
      listingsAwaitingReview: { count: listingsAwaitingReview.count, items: listingsAwaitingReview.items.map((r) => ({ ...r, submittedAt: iso(r.submittedAt) })) },
      publicDataEntriesAwaitingReview: { count: entriesAwaitingReview.count, items: entriesAwaitingReview.items.map((r) => ({ ...r, submittedAt: iso(r.submittedAt) })) },
    },
    parties: {
      awaitingVerification: { count: awaitingVerification.count, items: awaitingVerification.items.map((p) => ({ ...p, verifiedUntil: iso(p.verifiedUntil), since: p.since.toISOString() })) },
      verificationExpiring: { count: expiring.count, items: expiring.items.map((p) => ({ ...p, verifiedUntil: iso(p.verifiedUntil) })) },
      suspended: { count: suspendedParties.count, items: suspendedParties.items.map((p) => ({ ...p, verifiedUntil: iso(p.verifiedUntil), suspendedAt: iso(p.suspendedAt) })) },
    },
    listings: { suspended: { count: suspendedListings.count, items: suspendedListings.items.map((l) => ({ ...l, since: l.since.toISOString() })) } },
    publicData: {
      requestsOverdue: { count: requestsOverdue.count, items: requestsOverdue.items.map((r) => ({ ...r, dueAt: r.dueAt.toISOString() })) },
      usageReportsOverdue: { count: usage.overdueReports.length, items: usage.overdueReports.slice(0, LIST_LIMIT) },
      outcomesUncited: { count: usage.uncitedOutcomes.length, items: usage.uncitedOutcomes.slice(0, LIST_LIMIT).map((o) => ({ id: o.id, requestId: o.requestId, title: o.title })) },
      ordersToCorrectOpen: { count: openOrders.count, items: openOrders.items },
    },
    procurement: { usageReportsOverdue: { count: procuredUsage.length, items: procuredUsage.slice(0, LIST_LIMIT) } },
    outbox: { failing: { count: failingEffects.count, items: failingEffects.items.map((e) => ({ ...e, since: e.since.toISOString() })) } },
  };
}
