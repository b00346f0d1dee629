import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, PageQuery, StringEnum, Timestamp, TimeAndIdCursor, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { actorOf, auditActorOf } from '../../plugins/auth.js';
import { createMailer } from './email.js';
import { IdentityCipher } from '../identity/crypto.js';
import { addEndpoint, listDeliveries, listEndpoints, removeEndpoint, rotateSecret, type WebhookSettings } from './webhooks.js';
import { listNotifications, markRead, notificationView, runNotifier, unreadCount } from './notifier.js';
import { notificationKinds } from './rules.js';
import type { WebhookDelivery, WebhookEndpoint } from './tables.js';

const tags = ['notifications'];
const CreatedCursor = TimeAndIdCursor('createdAt');
const byCreation = (r: { createdAt: Date; id: string }) => ({ createdAt: r.createdAt.toISOString(), id: r.id });

const NotificationView = Type.Object({
  id: Uuid,
  kind: Type.String({ description: `One of: ${notificationKinds.join(', ')}` }),
  partyId: Uuid,
  title: Type.Object({ zh: Type.String(), en: Type.String() }),
  link: Type.String({ description: 'The API path of what waits' }),
  dueAt: Type.Union([Timestamp, Type.Null()]),
  subject: Type.Object({ type: Type.String(), id: Type.String() }),
  receipt: Type.String({ description: 'The receipt of the audit event it comes from' }),
  createdAt: Timestamp,
  readAt: Type.Union([Timestamp, Type.Null()]),
});

/** What waits for the signed-in user: the notifications of every party it is a member of. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mailer = createMailer(app.config);
  if (mailer) app.addHook('onClose', async () => mailer.transport.close());
  const webhooks: WebhookSettings = { cipher: new IdentityCipher(app.config.identityKey, 'webhook-secret'), allowPrivate: app.config.webhookAllowPrivateAddresses };
  runNotifier(app, app.config.notifierIntervalMs, mailer, webhooks);

  app.get('/me/notifications', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Your notifications, newest first: every step that waits for your parties, with what it links to and when it is due',
      querystring: Type.Object({ ...PageQuery, unread: Type.Optional(Type.Boolean()), kind: Type.Optional(StringEnum(notificationKinds as [string, ...string[]])) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(NotificationView), next: Type.Union([Type.String(), Type.Null()]), unread: Type.Integer() }), ...problemResponses(400) },
    },
  }, async (request) => {
    const { userId } = actorOf(request);
    const { limit, cursor, unread, kind } = request.query;
    const rows = await listNotifications(app.db, userId, { unread, kind, after: decodeCursor(cursor, CreatedCursor), limit: limit + 1 });
    return { ...pageOf(rows, limit, notificationView, byCreation), unread: await unreadCount(app.db, userId) };
  });

  app.post('/me/notifications/read', {
    config: { auth: 'authenticated', access: 'none', whileSuspended: 'notifications' },
    schema: {
      tags,
      summary: 'Mark your notifications read (for you; each member of a party has its own read state)',
      body: Type.Object({ ids: Type.Array(Uuid, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ marked: Type.Integer() }), ...problemResponses(400) },
    },
  }, async (request) => ({ marked: await markRead(app.db, actorOf(request).userId, request.body.ids) }));

  // A party's webhooks: its members read them, its admins change them (identity's party roles).
  const partyAccess = { resource: 'party' } as const;
  const endpointParams = Type.Object({ id: Uuid, endpointId: Uuid }, { additionalProperties: false });
  const withSecret = (e: WebhookEndpoint, secret: string) => ({ ...endpointView(e), secret });

  app.post('/parties/:id/webhook-endpoints', {
    config: { auth: 'authenticated', access: partyAccess, whileSuspended: 'notifications' },
    schema: {
      tags,
      summary: 'Add an endpoint that receives the party’s notifications, signed; the secret is shown in this answer only (party admins)',
      description: 'An https address of a public host. Each delivery is signed: X-Exchange-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<body>">.',
      params: IdParams,
      body: Type.Object({ url: Type.String({ format: 'uri', maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 201: EndpointWithSecret, ...problemResponses(400, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const { endpoint, secret } = await addEndpoint(app.db, webhooks, { ...auditActorOf(request), userId: actorOf(request).userId }, request.params.id, request.body.url);
    return reply.code(201).send(withSecret(endpoint, secret));
  });

  app.get('/parties/:id/webhook-endpoints', {
    config: { auth: 'authenticated', access: partyAccess },
    schema: { tags, summary: 'The party’s webhook endpoints (never their secrets)', params: IdParams, response: { 200: Type.Array(EndpointView), ...problemResponses(400, 404) } },
  }, async (request) => (await listEndpoints(app.db, actorOf(request).userId, request.params.id)).map(endpointView));

  app.delete('/parties/:id/webhook-endpoints/:endpointId', {
    config: { auth: 'authenticated', access: partyAccess, whileSuspended: 'notifications' },
    schema: { tags, summary: 'Remove an endpoint: nothing more is sent there, and deliveries waiting for it fail (party admins)', params: endpointParams, response: { 204: Type.Null(), ...problemResponses(400, 403, 404) } },
  }, async (request, reply) => {
    await removeEndpoint(app.db, { ...auditActorOf(request), userId: actorOf(request).userId }, request.params.id, request.params.endpointId);
    return reply.code(204).send(null);
  });

  app.post('/parties/:id/webhook-endpoints/:endpointId/secret', {
    config: { auth: 'authenticated', access: partyAccess, whileSuspended: 'notifications' },
    schema: { tags, summary: 'Rotate the endpoint’s secret: the new one signs from now on and is shown in this answer only (party admins)', params: endpointParams, response: { 200: EndpointWithSecret, ...problemResponses(400, 403, 404) } },
  }, async (request) => {
    const { endpoint, secret } = await rotateSecret(app.db, webhooks, { ...auditActorOf(request), userId: actorOf(request).userId }, request.params.id, request.params.endpointId);
    return withSecret(endpoint, secret);
  });

  app.get('/parties/:id/webhook-endpoints/:endpointId/deliveries', {
    config: { auth: 'authenticated', access: partyAccess },
    schema: {
      tags,
      summary: 'The endpoint’s deliveries, newest first, each with its attempts, last answer and error',
      params: endpointParams,
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(DeliveryView), next: Type.Union([Type.String(), Type.Null()]) }), ...problemResponses(400, 404) },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const rows = await listDeliveries(app.db, actorOf(request).userId, request.params.id, request.params.endpointId, limit + 1, decodeCursor(cursor, CreatedCursor));
    return pageOf(rows, limit, deliveryView, byCreation);
  });
};

const EndpointView = Type.Object({ id: Uuid, partyId: Uuid, url: Type.String(), createdAt: Timestamp, secretRotatedAt: Type.Union([Timestamp, Type.Null()]) });
const EndpointWithSecret = Type.Object({ ...EndpointView.properties, secret: Type.String({ description: 'Shown once: keep it to check the signatures' }) });
const DeliveryView = Type.Object({
  id: Uuid,
  notificationId: Uuid,
  status: StringEnum(['pending', 'delivered', 'failed']),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
});
const endpointView = (e: WebhookEndpoint) => ({ id: e.id, partyId: e.partyId, url: e.url, createdAt: e.createdAt.toISOString(), secretRotatedAt: e.secretRotatedAt?.toISOString() ?? null });
const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  notificationId: d.notificationId,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
});

export default notificationRoutes;
