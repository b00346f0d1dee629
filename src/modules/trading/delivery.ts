import type { Readable } from 'node:stream';
import { and, eq, isNull } from 'drizzle-orm';
import { requestedRange, spanOf, type ByteRange } from '../../lib/byte-range.js';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { getDatasetVersion } from '../catalog/files.js';
import { addDays, actingParty, type Caller, type TradingConfig, type TradingContext } from './context.js';
import { findOrderFor, requireListingNotSuspended } from './orders.js';
import { lockOrder, recordStep, transition, type Order } from './state-machine.js';
import { deliveries, downloadGrants, downloads } from './tables.js';

export type DownloadGrant = typeof downloadGrants.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;

/**
 * On payment: grants for exactly the dataset version the ordered revision declared, bound to the
 * buyer's party, expiring, and counted. Listings delivered by API or offline get none. An order of
 * a central procurement (Art. 27 ¶3) gives each beneficiary department a grant of its own, and the
 * bureau, which bought for them, none.
 */
export async function issueGrants(tx: Database, order: Order, config: TradingConfig, at: Date): Promise<DownloadGrant[]> {
  if (order.deliveryMethod !== 'download' || !order.datasetVersionId) return [];
  const version = await getDatasetVersion(tx, order.datasetVersionId);
  if (!version) return [];
  const holders = order.beneficiaryPartyIds ?? [order.buyerPartyId];
  return tx
    .insert(downloadGrants)
    .values(holders.map((holder) => ({
      orderId: order.id,
      buyerPartyId: holder,
      datasetVersionId: version.id,
      sha256: version.sha256,
      sizeBytes: version.sizeBytes,
      mediaType: version.mediaType,
      filename: version.filename,
      maxDownloads: config.downloadGrantMaxDownloads,
      expiresAt: addDays(at, config.downloadGrantDays),
      createdAt: at,
    })))
    .returning();
}

/** The order's delivery is complete: the acceptance window opens. */
async function completeDelivery(ctx: Pick<TradingContext, 'config'>, tx: Database, caller: Caller, order: Order, at: Date, details: Record<string, string | number>) {
  return transition(tx, caller.audit, order, 'confirm_delivery', { set: { acceptanceDueAt: addDays(at, ctx.config.acceptanceWindowDays) }, details, at });
}

/**
 * Why a grant cannot be used now, as the problem the download answers, or undefined. A grant ended
 * by a full refund has a problem type of its own, so a client can tell "you were refunded" from a
 * grant that merely ran out.
 */
function unusable(grant: DownloadGrant, now: Date): AppError | undefined {
  if (grant.revokedAt && grant.revocationCause === 'full_refund') {
    return new AppError('access-ended-by-refund', { en: 'the order was refunded in full: its data may no longer be downloaded', zh: '该订单已全额退款，其数据不能再下载' }, { reason: 'full_refund', revokedAt: grant.revokedAt.toISOString() });
  }
  const why = grant.revokedAt ? 'revoked' : grant.expiresAt <= now ? 'expired' : grant.downloadsUsed >= grant.maxDownloads ? 'used_up' : undefined;
  return why ? new AppError('grant-unusable', { en: `the grant is ${why.replace('_', ' ')}`, zh: `该授权的状态为 ${why}` }, { reason: why }) : undefined;
}

/**
 * The grant, locked, after its order: every use case that changes a grant locks the order first
 * (a dispute decision ends access in the order's transaction), so a download racing a decision
 * waits for it and then sees the grant as the decision left it, and the two never deadlock. A grant
 * of another party is not found.
 */
async function lockGrant(tx: Database, grantId: string, buyerPartyId: string | null): Promise<{ grant: DownloadGrant; order: Order }> {
  const [seen] = await tx.select({ orderId: downloadGrants.orderId, buyerPartyId: downloadGrants.buyerPartyId }).from(downloadGrants).where(eq(downloadGrants.id, grantId));
  if (!seen || (buyerPartyId !== null && seen.buyerPartyId !== buyerPartyId)) throw notFound({ en: 'download grant', zh: '下载授权' });
  const order = await lockOrder(tx, seen.orderId);
  const [grant] = await tx.select().from(downloadGrants).where(eq(downloadGrants.id, grantId)).for('update');
  return { grant: grant!, order };
}

export interface Download {
  grant: DownloadGrant;
  range: ByteRange | undefined;
  body: Readable;
}

/**
 * The buyer's party downloads what its grant allows: counted (a resumed download, a range that does
 * not start at byte 0, does not count again), logged with user, time, byte range and hash, and
 * audited for both parties. The first download that reaches the last byte completes the delivery.
 */
export async function startDownload(ctx: TradingContext, caller: Caller, grantId: string, rangeHeader: string | undefined, ifRange: string | undefined): Promise<Download> {
  const partyId = actingParty(caller);
  const now = new Date();
  const { grant, range } = await ctx.db.transaction(async (tx) => {
    const { grant, order } = await lockGrant(tx, grantId, partyId);
    // Every request, a resumed or ranged one too: nothing is served from a grant that has ended.
    const refused = unusable(grant, now);
    if (refused) throw refused;
    await requireListingNotSuspended(tx, order.listingId);
    const range = requestedRange(grant, rangeHeader, ifRange);
    const span = range ?? { start: 0, end: grant.sizeBytes - 1 };
    const counts = span.start === 0;
    const [used] = await tx
      .update(downloadGrants)
      .set({ downloadsUsed: counts ? grant.downloadsUsed + 1 : grant.downloadsUsed })
      .where(eq(downloadGrants.id, grant.id))
      .returning();
    const { auditEventId } = await recordStep(tx, caller.audit, order, {
      action: 'downloaded',
      from: order.status,
      to: order.status,
      details: { grantId: grant.id, sha256: grant.sha256, rangeStart: span.start, rangeEnd: span.end, counted: counts },
    }, now);
    await tx.insert(downloads).values({ grantId: grant.id, orderId: order.id, userId: caller.actor.userId, partyId, rangeStart: span.start, rangeEnd: span.end, sha256: grant.sha256, auditEventId, at: now });
    if (order.status === 'delivering' && span.end === grant.sizeBytes - 1) {
      await completeDelivery(ctx, tx, caller, order, now, { grantId: grant.id, sha256: grant.sha256 });
    }
    return { grant: used!, range };
  });
  return { grant, range, body: await ctx.blobs.open(grant.sha256, spanOf(grant, range)) };
}

/** The grants of an order held by one party (a beneficiary department of a central procurement), oldest first. */
export function grantsHeldBy(db: Database, orderId: string, partyId: string): Promise<DownloadGrant[]> {
  return db.select().from(downloadGrants).where(and(eq(downloadGrants.orderId, orderId), eq(downloadGrants.buyerPartyId, partyId))).orderBy(downloadGrants.createdAt);
}

/** Every grant of an order, oldest first. */
export function grantsOfOrder(db: Database, orderId: string): Promise<DownloadGrant[]> {
  return db.select().from(downloadGrants).where(eq(downloadGrants.orderId, orderId)).orderBy(downloadGrants.createdAt);
}

export async function listGrants(ctx: TradingContext, caller: Caller, orderId: string): Promise<DownloadGrant[]> {
  await findOrderFor(ctx.db, caller, orderId, { staff: true });
  return ctx.db.select().from(downloadGrants).where(eq(downloadGrants.orderId, orderId)).orderBy(downloadGrants.createdAt);
}

/** An operator withdraws a grant (a breach, a court order); the buyer's party can no longer download. */
export async function revokeGrant(ctx: TradingContext, caller: Caller, grantId: string, reason: string): Promise<DownloadGrant> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const { grant, order } = await lockGrant(tx, grantId, null);
    if (grant.revokedAt) throw invalidState({ en: 'the grant is already revoked', zh: '该授权已被撤销' }, { revocationCause: grant.revocationCause });
    const [revoked] = await tx
      .update(downloadGrants)
      .set({ revokedAt: now, revokedBy: caller.actor.userId, revokeReason: reason, revocationCause: 'operator' })
      .where(eq(downloadGrants.id, grantId))
      .returning();
    await recordStep(tx, caller.audit, order, { action: 'grant_revoked', from: order.status, to: order.status, details: { grantId, cause: 'operator', reason } }, now);
    return revoked!;
  });
}

/**
 * A dispute decided for a full refund ends the buyer's access with the decision, in its
 * transaction: a buyer who gets the whole price back keeps no right to the data. Every grant of the
 * order still open is revoked with the cause `full_refund` and the decision's reason, each audited
 * for both parties. A partial refund leaves access as it is: the buyer keeps what it still pays for.
 */
export async function endAccessForFullRefund(tx: Database, actor: AuditActor, order: Order, reason: string, at: Date): Promise<DownloadGrant[]> {
  const ended = await tx
    .update(downloadGrants)
    .set({ revokedAt: at, revokedBy: actor.userId, revokeReason: reason, revocationCause: 'full_refund' })
    .where(and(eq(downloadGrants.orderId, order.id), isNull(downloadGrants.revokedAt)))
    .returning();
  for (const grant of ended) {
    await recordStep(tx, actor, order, { action: 'grant_revoked', from: order.status, to: order.status, details: { grantId: grant.id, cause: 'full_refund', reason } }, at);
  }
  return ended;
}

/** API or offline delivery: the provider records what it delivered and its SHA-256. */
export async function recordDelivery(ctx: TradingContext, caller: Caller, orderId: string, input: { description: string; sha256: string; sizeBytes?: number | undefined }): Promise<Delivery> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, orderId, { side: 'provider', lock: true });
    if (order.status !== 'delivering') throw invalidState({ en: `deliveries are recorded while the order is delivering; it is ${order.status.replaceAll('_', ' ')}`, zh: `交付在订单处于交付中时记录；订单状态为 ${order.status}` }, { status: order.status });
    await requireListingNotSuspended(tx, order.listingId);
    const { auditEventId } = await recordStep(tx, caller.audit, order, { action: 'delivery_recorded', from: order.status, to: order.status, details: { sha256: input.sha256, description: input.description } }, now);
    const [row] = await tx.insert(deliveries).values({ orderId, description: input.description, sha256: input.sha256, sizeBytes: input.sizeBytes ?? null, recordedBy: caller.actor.userId, recordedAt: now, auditEventId }).returning();
    return row!;
  });
}

/** The buyer confirms it received what was delivered (a recorded delivery, or a download); the acceptance window opens. */
export async function confirmReceipt(ctx: TradingContext, caller: Caller, orderId: string): Promise<Order> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    const order = await findOrderFor(tx, caller, orderId, { side: 'buyer', lock: true });
    if (order.status !== 'delivering') throw invalidState({ en: `there is no delivery to confirm; the order is ${order.status.replaceAll('_', ' ')}`, zh: `没有可确认的交付；订单状态为 ${order.status}` }, { status: order.status });
    const pending = await tx.select().from(deliveries).where(and(eq(deliveries.orderId, orderId), isNull(deliveries.confirmedAt)));
    const [downloaded] = await tx.select({ id: downloads.id }).from(downloads).where(eq(downloads.orderId, orderId)).limit(1);
    if (pending.length === 0 && !downloaded) throw invalidState({ en: 'nothing has been delivered yet', zh: '尚未交付任何数据' });
    const moved = await completeDelivery(ctx, tx, caller, order, now, { deliveries: pending.length });
    await tx
      .update(deliveries)
      .set({ confirmedBy: caller.actor.userId, confirmedAt: now, confirmAuditEventId: moved.auditEventId })
      .where(and(eq(deliveries.orderId, orderId), isNull(deliveries.confirmedAt)));
    return moved;
  });
}
