import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PageQuery, StringEnum, Timestamp, TimeAndIdCursor, Uuid, decodeCursor, encodeCursor, problemResponses } from '../../lib/http.js';
import { actorOf } from '../../plugins/auth.js';
import { createMailer } from './email.js';
import { listNotifications, markRead, runNotifier, unreadCount } from './notifier.js';
import { notificationKinds } from './rules.js';
import type { Notification } from './tables.js';

const tags = ['notifications'];
const CreatedCursor = TimeAndIdCursor('createdAt');

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

const view = (n: Notification & { readAt: Date | null }) => ({
  id: n.id,
  kind: n.kind,
  partyId: n.partyId,
  title: n.title,
  link: n.link,
  dueAt: n.dueAt?.toISOString() ?? null,
  subject: { type: n.subjectType, id: n.subjectId },
  receipt: `/audit/events/${n.eventId}/receipt`,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});

/** What waits for the signed-in user: the notifications of every party it is a member of. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mailer = createMailer(app.config);
  if (mailer) app.addHook('onClose', async () => mailer.transport.close());
  runNotifier(app, app.config.notifierIntervalMs, mailer);

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
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(view), next: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null, unread: await unreadCount(app.db, userId) };
  });

  app.post('/me/notifications/read', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Mark your notifications read (for you; each member of a party has its own read state)',
      body: Type.Object({ ids: Type.Array(Uuid, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ marked: Type.Integer() }), ...problemResponses(400) },
    },
  }, async (request) => ({ marked: await markRead(app.db, actorOf(request).userId, request.body.ids) }));
};

export default notificationRoutes;
