import { asc, eq } from 'drizzle-orm';
import { getRevision } from '../catalog/listings.js';
import { partyNames } from '../identity/service.js';
import { seesPeopleOf, viewerOf } from '../../lib/viewer.js';
import type { Caller, TradingContext } from './context.js';
import { findOrderFor } from './orders.js';
import { deliveries, downloadGrants, downloads, orderSteps } from './tables.js';
import { deliveryView, grantView, orderView } from './views.js';

const receiptOf = (auditEventId: string) => `/audit/events/${auditEventId}/receipt`;

/**
 * The whole trade in one answer (Art. 28(3), 28(4)): parties, revision, terms, agreement, money,
 * deliveries, downloads, acceptance and dispute, each step with its audit event and the link to
 * its receipt. Operators see everything; each party sees the trade with the other side's people
 * left out (which user acted, downloaded).
 */
export async function transactionRecord(ctx: TradingContext, caller: Caller, orderId: string) {
  const order = await findOrderFor(ctx.db, caller, orderId, { staff: true });
  const viewer = viewerOf(caller.actor);
  const [names, revision, steps, grants, delivered, downloaded, agreement, money] = await Promise.all([
    partyNames(ctx.db, [order.buyerPartyId, order.providerPartyId]),
    getRevision(ctx.db, order.revisionId),
    ctx.db.select().from(orderSteps).where(eq(orderSteps.orderId, order.id)).orderBy(asc(orderSteps.seq)),
    ctx.db.select().from(downloadGrants).where(eq(downloadGrants.orderId, order.id)).orderBy(asc(downloadGrants.createdAt)),
    ctx.db.select().from(deliveries).where(eq(deliveries.orderId, order.id)).orderBy(asc(deliveries.recordedAt)),
    ctx.db.select().from(downloads).where(eq(downloads.orderId, order.id)).orderBy(asc(downloads.at)),
    order.agreementId ? ctx.agreements.summary(ctx.db, order.agreementId, viewer) : Promise.resolve(null),
    ctx.settlement.summary(ctx.db, order.id),
  ]);
  // A party sees which of its own people acted; the other side's people stay private. A step's
  // actor acted for the side its role names; operators and the system act for the exchange.
  const partyActingAs = (role: string | null) =>
    role === 'provider' ? order.providerPartyId : role === 'buyer' || role === 'department' ? order.buyerPartyId : null;
  const accepted = steps.find((s) => s.action === 'accept_delivery');
  return {
    order: orderView(order),
    parties: {
      buyer: { id: order.buyerPartyId, legalName: names.get(order.buyerPartyId) ?? '' },
      provider: { id: order.providerPartyId, legalName: names.get(order.providerPartyId) ?? '' },
    },
    revision: { id: revision.id, number: revision.number, title: revision.content.title, licence: revision.content.licence },
    agreement,
    money,
    steps: steps.map((s) => ({
      action: s.action,
      from: s.fromStatus,
      to: s.toStatus,
      at: s.at.toISOString(),
      actor: { role: s.actorRole, userId: seesPeopleOf(viewer, partyActingAs(s.actorRole)) ? s.actorUserId : null },
      auditEventId: s.auditEventId,
      receipt: receiptOf(s.auditEventId),
    })),
    grants: grants.map(grantView),
    deliveries: delivered.map((d) => ({ ...deliveryView(d, viewer, order.providerPartyId), receipt: receiptOf(d.auditEventId) })),
    downloads: downloaded.map((d) => ({
      id: d.id,
      grantId: d.grantId,
      userId: seesPeopleOf(viewer, d.partyId) ? d.userId : null,
      rangeStart: d.rangeStart,
      rangeEnd: d.rangeEnd,
      sha256: d.sha256,
      at: d.at.toISOString(),
      auditEventId: d.auditEventId,
      receipt: receiptOf(d.auditEventId),
    })),
    acceptance: {
      dueAt: order.acceptanceDueAt?.toISOString() ?? null,
      acceptedAt: accepted?.at.toISOString() ?? null,
      automatic: accepted ? accepted.actorRole === 'system' : null,
      auditEventId: accepted?.auditEventId ?? null,
    },
    dispute: order.disputeReason ? { reason: order.disputeReason, decision: orderView(order).decision } : null,
  };
}
