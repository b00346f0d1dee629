import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound, type Localized } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import type { IdentityCipher } from '../identity/crypto.js';
import { requirePartyRole } from '../identity/members.js';
import { notifications, webhookDeliveries, webhookEndpoints, type Notification, type WebhookDelivery, type WebhookEndpoint } from './tables.js';

/**
 * A party's own endpoints for its notifications. Each delivery is a POST of the notification as
 * JSON, signed as Stripe signs its events: `X-Exchange-Signature: t=<unix seconds>,v1=<hex>`, the
 * HMAC-SHA-256 of `<t>.<body>` under the endpoint's secret. The receiver checks the signature and
 * that `t` is recent; `X-Exchange-Delivery` names the delivery, the same on every retry, so a
 * receiver can drop a repeat. A delivery is tried until the endpoint answers 2xx, with back-off,
 * at most MAX_WEBHOOK_ATTEMPTS times; every attempt is listed.
 */

declare module '../audit/events.js' {
  interface AuditPayloads {
    'notification.webhook_endpoint_added': { endpointId: string; url: string };
    'notification.webhook_endpoint_removed': { endpointId: string; url: string };
    'notification.webhook_secret_rotated': { endpointId: string };
  }
}

export const MAX_WEBHOOK_ATTEMPTS = 8;
export const WEBHOOK_TIMEOUT_MS = 5000;
export const MAX_ENDPOINTS_PER_PARTY = 5;
const LEASE_MS = 30_000;
/** 30 s, 1 min, 2 min ... up to an hour between attempts. */
const backoffMs = (attempts: number) => Math.min(3_600_000, 15_000 * 2 ** attempts);

export interface WebhookSettings {
  cipher: IdentityCipher;
  /** How long an endpoint has to answer (WEBHOOK_TIMEOUT_MS when absent). */
  timeoutMs?: number;
  /** Loopback and private addresses allowed (tests and closed networks only). */
  allowPrivate: boolean;
}

/** Whether an IP address is loopback, private, link-local or unspecified: no webhook goes there. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe8') || v6.startsWith('fe9') || v6.startsWith('fea') || v6.startsWith('feb');
}

const notAllowed = (detail: Localized) => new AppError('webhook-url-not-allowed', detail, { errors: [{ path: '/body/url', message: detail.en }] });

/** An https address of a public host; with `allowPrivate`, also http and private hosts. */
function checkUrl(raw: string, allowPrivate: boolean): string {
  const url = new URL(raw);
  if (url.username || url.password) throw notAllowed({ en: 'a webhook address carries no credentials: sign-ins go in no URL', zh: 'Webhook 地址不得包含凭据：登录信息不得写入 URL' });
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) throw notAllowed({ en: 'a webhook address is https', zh: 'Webhook 地址须为 https' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || (isIP(host) !== 0 && isPrivateAddress(host)))) throw notAllowed({ en: 'a webhook goes to a public address, not a loopback or private one', zh: 'Webhook 须发送到公网地址，而非环回地址或私有地址' });
  return url.toString();
}

/** At delivery, the host's addresses are checked again: a public name may resolve to a private address. */
async function resolvesPublic(url: string): Promise<boolean> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [{ address: host }] : await lookup(host, { all: true });
  return addresses.every((a) => !isPrivateAddress(a.address));
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

const auditEndpoint = <A extends 'notification.webhook_endpoint_added' | 'notification.webhook_endpoint_removed' | 'notification.webhook_secret_rotated'>(tx: Database, actor: AuditActor, action: A, endpoint: WebhookEndpoint) =>
  appendAudit(tx, actor, {
    action,
    subject: { type: 'party', id: endpoint.partyId },
    payload: (action === 'notification.webhook_secret_rotated' ? { endpointId: endpoint.id } : { endpointId: endpoint.id, url: endpoint.url }) as never,
  } as never);

/** A party admin adds an endpoint; the secret is in this answer only. */
export async function addEndpoint(db: Database, settings: WebhookSettings, actor: AuditActor & { userId: string }, partyId: string, rawUrl: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  return db.transaction(async (tx) => {
    await requirePartyRole(tx, partyId, actor.userId, 'admin');
    const url = checkUrl(rawUrl, settings.allowPrivate);
    const active = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(and(eq(webhookEndpoints.partyId, partyId), isNull(webhookEndpoints.removedAt)));
    if (active.length >= MAX_ENDPOINTS_PER_PARTY) throw new AppError('conflict', { en: `a party has at most ${MAX_ENDPOINTS_PER_PARTY} endpoints; remove one first`, zh: `每个主体最多设置 ${MAX_ENDPOINTS_PER_PARTY} 个端点，请先删除一个` });
    const id = randomUUID();
    const secret = newSecret();
    const [endpoint] = await tx.insert(webhookEndpoints).values({ id, partyId, url, secretSealed: settings.cipher.encrypt(secret, id) }).returning();
    await auditEndpoint(tx, actor, 'notification.webhook_endpoint_added', endpoint!);
    return { endpoint: endpoint!, secret };
  });
}

async function endpointOf(tx: Database, partyId: string, endpointId: string, lock = false): Promise<WebhookEndpoint> {
  const query = tx.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.partyId, partyId), isNull(webhookEndpoints.removedAt)));
  const [endpoint] = lock ? await query.for('update') : await query;
  if (!endpoint) throw notFound({ en: 'webhook endpoint', zh: 'Webhook 端点' });
  return endpoint;
}

export async function listEndpoints(db: Database, userId: string, partyId: string): Promise<WebhookEndpoint[]> {
  await requirePartyRole(db, partyId, userId, 'any');
  return db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.partyId, partyId), isNull(webhookEndpoints.removedAt))).orderBy(asc(webhookEndpoints.createdAt));
}

/** Removed: nothing more is sent there; deliveries still waiting fail, saying so. */
export async function removeEndpoint(db: Database, actor: AuditActor & { userId: string }, partyId: string, endpointId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await requirePartyRole(tx, partyId, actor.userId, 'admin');
    const endpoint = await endpointOf(tx, partyId, endpointId, true);
    const now = new Date();
    await tx.update(webhookEndpoints).set({ removedAt: now }).where(eq(webhookEndpoints.id, endpoint.id));
    await tx.update(webhookDeliveries).set({ status: 'failed', lastError: 'the endpoint was removed', leasedUntil: null }).where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.status, 'pending')));
    await auditEndpoint(tx, actor, 'notification.webhook_endpoint_removed', endpoint);
  });
}

/** A new secret, shown once; the old one stops signing at once. */
export async function rotateSecret(db: Database, settings: WebhookSettings, actor: AuditActor & { userId: string }, partyId: string, endpointId: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  return db.transaction(async (tx) => {
    await requirePartyRole(tx, partyId, actor.userId, 'admin');
    const endpoint = await endpointOf(tx, partyId, endpointId, true);
    const secret = newSecret();
    const [rotated] = await tx.update(webhookEndpoints).set({ secretSealed: settings.cipher.encrypt(secret, endpoint.id), secretRotatedAt: new Date() }).where(eq(webhookEndpoints.id, endpoint.id)).returning();
    await auditEndpoint(tx, actor, 'notification.webhook_secret_rotated', rotated!);
    return { endpoint: rotated!, secret };
  });
}

export async function listDeliveries(db: Database, userId: string, partyId: string, endpointId: string, limit: number, before?: { createdAt: string; id: string }): Promise<WebhookDelivery[]> {
  await requirePartyRole(db, partyId, userId, 'any');
  const [endpoint] = await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.partyId, partyId)));
  if (!endpoint) throw notFound({ en: 'webhook endpoint', zh: 'Webhook 端点' });
  const d = webhookDeliveries;
  const after: SQL | undefined = before ? or(lt(d.createdAt, new Date(before.createdAt)), and(eq(d.createdAt, new Date(before.createdAt)), lt(d.id, before.id))) : undefined;
  return db.select().from(d).where(and(eq(d.endpointId, endpointId), after)).orderBy(desc(d.createdAt), desc(d.id)).limit(limit);
}

/** Called by the notifier for each notification it writes, in its transaction: one delivery per endpoint of the party. */
export async function enqueueWebhooks(tx: Database, notification: Pick<Notification, 'id' | 'partyId'>): Promise<void> {
  const endpoints = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(and(eq(webhookEndpoints.partyId, notification.partyId), isNull(webhookEndpoints.removedAt)));
  if (endpoints.length === 0) return;
  await tx.insert(webhookDeliveries).values(endpoints.map((e) => ({ endpointId: e.id, notificationId: notification.id }))).onConflictDoNothing();
}

/** The signature header of `body` sent at `t` (unix seconds). */
export const signature = (secret: string, t: number, body: string) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

/** Leases due deliveries (at most `batch`) for this worker; the call happens after commit. */
async function lease(db: Database, batch: number, now: Date): Promise<WebhookDelivery[]> {
  return db.transaction(async (tx) => {
    const d = webhookDeliveries;
    const due = await tx
      .select()
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, now), or(isNull(d.leasedUntil), lt(d.leasedUntil, now))))
      .orderBy(asc(d.nextAttemptAt), asc(d.id))
      .limit(batch)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    await tx.update(d).set({ leasedUntil: new Date(now.getTime() + LEASE_MS) }).where(inArray(d.id, due.map((x) => x.id)));
    return due;
  });
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string; permanent?: boolean };

async function attempt(settings: WebhookSettings, endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: string, kind: string): Promise<Outcome> {
  if (!settings.allowPrivate && !(await resolvesPublic(endpoint.url).catch(() => false))) return { ok: false, status: null, error: 'the address resolves to a private or unknown host', permanent: true };
  const t = Math.floor(Date.now() / 1000);
  const timeoutMs = settings.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  try {
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'data-exchange-webhooks/1',
        'x-exchange-delivery': delivery.id,
        'x-exchange-event': kind,
        'x-exchange-signature': signature(settings.cipher.decrypt(endpoint.secretSealed, endpoint.id), t, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `the endpoint answered ${res.status}` };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { ok: false, status: null, error: timedOut ? `no answer within ${timeoutMs} ms` : `the endpoint could not be reached (${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)})` };
  }
}

/**
 * Delivers what is due, leasing a batch at a time, until nothing is due. The calls happen outside
 * any transaction; each result is recorded in its own.
 */
export async function deliverWebhooks(db: Database, settings: WebhookSettings, view: (n: Notification) => unknown, now = () => new Date()): Promise<{ delivered: number; retried: number; failed: number }> {
  const run = { delivered: 0, retried: 0, failed: 0 };
  for (;;) {
    const leased = await lease(db, 10, now());
    if (leased.length === 0) return run;
    for (const delivery of leased) {
      const [row] = await db
        .select({ endpoint: webhookEndpoints, notification: notifications })
        .from(webhookEndpoints)
        .innerJoin(notifications, eq(notifications.id, delivery.notificationId))
        .where(eq(webhookEndpoints.id, delivery.endpointId));
      const d = webhookDeliveries;
      if (!row || row.endpoint.removedAt) {
        await db.update(d).set({ status: 'failed', lastError: 'the endpoint was removed', leasedUntil: null }).where(and(eq(d.id, delivery.id), eq(d.status, 'pending')));
        run.failed++;
        continue;
      }
      const body = JSON.stringify({ id: delivery.id, notification: view({ ...row.notification }) });
      const outcome = await attempt(settings, row.endpoint, delivery, body, row.notification.kind);
      const attempts = delivery.attempts + 1;
      if (outcome.ok) {
        await db.update(d).set({ status: 'delivered', attempts, lastStatus: outcome.status, lastError: null, deliveredAt: now(), leasedUntil: null }).where(and(eq(d.id, delivery.id), eq(d.status, 'pending')));
        run.delivered++;
      } else {
        const giveUp = outcome.permanent === true || attempts >= MAX_WEBHOOK_ATTEMPTS;
        await db
          .update(d)
          .set({ status: giveUp ? 'failed' : 'pending', attempts, lastStatus: outcome.status, lastError: outcome.error, leasedUntil: null, nextAttemptAt: new Date(now().getTime() + backoffMs(attempts)) })
          // A delivery failed meanwhile (its endpoint removed) stays failed.
          .where(and(eq(d.id, delivery.id), eq(d.status, 'pending')));
        run[giveUp ? 'failed' : 'retried']++;
      }
    }
  }
}
