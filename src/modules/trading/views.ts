import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import { seesPeopleOf, type Viewer } from '../../lib/viewer.js';
import type { SecurityAssessment } from './cross-border.js';
import type { Delivery, DownloadGrant } from './delivery.js';
import type { Order } from './state-machine.js';
import { orders, type OrderStatus } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const orderView = (o: Order) => ({
  id: o.id,
  number: o.number,
  status: o.status,
  listingId: o.listingId,
  revisionId: o.revisionId,
  buyerPartyId: o.buyerPartyId,
  providerPartyId: o.providerPartyId,
  pricePlan: o.pricePlan,
  quantity: o.quantity,
  term: { start: o.termStart, end: o.termEnd },
  amountMinor: o.amountMinor,
  currency: o.currency,
  feeMinor: o.feeMinor,
  purpose: o.purpose,
  scenario: o.scenario,
  safeguards: o.safeguards,
  onwardTransfer: o.onwardTransfer,
  deliveryMethod: o.deliveryMethod,
  datasetVersionId: o.datasetVersionId,
  proposedTerms: o.proposedTerms,
  responseDueAt: iso(o.responseDueAt),
  agreement: o.agreementId ? { id: o.agreementId, number: o.agreementNumber ?? '' } : null,
  payment: o.paymentRail && o.paymentId ? { rail: o.paymentRail, paymentId: o.paymentId } : null,
  acceptanceDueAt: iso(o.acceptanceDueAt),
  disputeReason: o.disputeReason,
  decision: o.decision ? { outcome: o.decision.outcome, refundMinor: o.decision.refundMinor, reason: o.decision.reason, decidedBy: o.decision.decidedBy, decidedAt: o.decision.decidedAt } : null,
  refundedMinor: o.refundedMinor,
  procurement: o.procurementId ? { id: o.procurementId, number: o.procurementNumber ?? '', beneficiaryPartyIds: o.beneficiaryPartyIds ?? [] } : null,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

export const grantView = (g: DownloadGrant) => ({
  id: g.id,
  orderId: g.orderId,
  datasetVersionId: g.datasetVersionId,
  sha256: g.sha256,
  sizeBytes: g.sizeBytes,
  mediaType: g.mediaType,
  filename: g.filename,
  maxDownloads: g.maxDownloads,
  downloadsUsed: g.downloadsUsed,
  expiresAt: g.expiresAt.toISOString(),
  revokedAt: iso(g.revokedAt),
  revokeReason: g.revokeReason,
  revocationCause: g.revocationCause,
  download: `/grants/${g.id}/download`,
});

/** A delivery as the viewer may see it: which of the provider's people recorded it, only the provider and staff. */
export const deliveryView = (d: Delivery, viewer: Viewer, providerPartyId: string) => ({
  id: d.id,
  orderId: d.orderId,
  description: d.description,
  sha256: d.sha256,
  sizeBytes: d.sizeBytes,
  recordedBy: seesPeopleOf(viewer, providerPartyId) ? d.recordedBy : null,
  recordedAt: d.recordedAt.toISOString(),
  auditEventId: d.auditEventId,
  confirmedAt: iso(d.confirmedAt),
  confirmAuditEventId: d.confirmAuditEventId,
});

export const assessmentView = (a: SecurityAssessment) => ({
  id: a.id,
  buyerPartyId: a.buyerPartyId,
  listingId: a.listingId,
  reference: a.reference,
  assessedOn: a.assessedOn,
  scope: a.scope,
  expiresOn: a.expiresOn,
  recordedBy: a.recordedBy,
  createdAt: a.createdAt.toISOString(),
});

export const OrderCursor = TimeAndIdCursor('createdAt');
export type OrderCursor = Static<typeof OrderCursor>;

/** Orders newest first: a party's purchases or sales, or (operators) everyone's; by status. */
export async function listOrders(
  db: Database,
  q: { buyerPartyId?: string | undefined; providerPartyId?: string | undefined; partyId?: string | undefined; status?: OrderStatus | undefined; after?: OrderCursor | undefined; limit: number },
): Promise<Order[]> {
  const filters: (SQL | undefined)[] = [
    q.buyerPartyId ? eq(orders.buyerPartyId, q.buyerPartyId) : undefined,
    q.providerPartyId ? eq(orders.providerPartyId, q.providerPartyId) : undefined,
    q.partyId ? or(eq(orders.buyerPartyId, q.partyId), eq(orders.providerPartyId, q.partyId)) : undefined,
    q.status ? eq(orders.status, q.status) : undefined,
    q.after ? or(lt(orders.createdAt, new Date(q.after.createdAt)), and(eq(orders.createdAt, new Date(q.after.createdAt)), lt(orders.id, q.after.id))) : undefined,
  ];
  return db.select().from(orders).where(and(...filters)).orderBy(desc(orders.createdAt), desc(orders.id)).limit(q.limit);
}
