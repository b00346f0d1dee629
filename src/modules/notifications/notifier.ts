import { and, asc, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import { repeatEvery, yieldBetweenBatches } from '../../lib/repeat.js';
import { auditEvents } from '../audit/tables.js';
import { partyMembers } from '../identity/tables.js';
import { enqueueEmail, sendEmails, type Mailer } from './email.js';
import { sweepReminders } from './reminders.js';
import { deliverWebhooks, enqueueWebhooks, type WebhookSettings } from './webhooks.js';
import { notificationsFor } from './rules.js';
import { notificationPending, notificationReads, notifications, type Notification } from './tables.js';

/**
 * Turns queued audit events into notifications, a batch per transaction, until the queue is empty
 * or `stopping` is aborted. Each process runs it on a timer; rows are claimed with SKIP LOCKED and
 * deleted in the transaction that writes their notifications, so each event is handled once,
 * whichever process takes it.
 */
export async function deliverNotifications(db: Database, options: { email?: boolean; batch?: number; stopping?: AbortSignal } = {}): Promise<number> {
  const batch = options.batch ?? 200;
  let made = 0;
  for (;;) {
    const { claimed, written } = await db.transaction(async (tx) => {
      const queued = await tx.select({ seq: notificationPending.seq }).from(notificationPending).orderBy(asc(notificationPending.seq)).limit(batch).for('update', { skipLocked: true });
      if (queued.length === 0) return { claimed: 0, written: 0 };
      const seqs = queued.map((q) => q.seq);
      await tx.delete(notificationPending).where(inArray(notificationPending.seq, seqs));
      const events = await tx.select().from(auditEvents).where(inArray(auditEvents.seq, seqs)).orderBy(asc(auditEvents.seq));
      let n = 0;
      for (const event of events) {
        for (const note of await notificationsFor(tx, event)) {
          const inserted = await tx
            .insert(notifications)
            .values({ ...note, eventId: event.id, eventSeq: event.seq, subjectType: event.subjectType, subjectId: event.subjectId, createdAt: event.occurredAt })
            .onConflictDoNothing()
            .returning({ id: notifications.id });
          for (const written of inserted) {
            if (options.email) await enqueueEmail(tx, written);
            await enqueueWebhooks(tx, { id: written.id, partyId: note.partyId });
          }
          n += inserted.length;
        }
      }
      return { claimed: queued.length, written: n };
    });
    made += written;
    if (claimed < batch || options.stopping?.aborted) return made;
    await yieldBetweenBatches();
  }
}

/** Every process: new events into notifications, then the e-mails they wait to send. */
export function runNotifier(app: FastifyInstance, intervalMs: number, mailer: Mailer | null, webhooks: WebhookSettings) {
  if (!mailer) app.log.info('notifications: no SMTP_URL, so they are kept in the service (GET /me/notifications) and not e-mailed');
  repeatEvery(app, intervalMs, 'the notifier', async (stopping) => {
    const n = await deliverNotifications(app.db, { email: mailer !== null, stopping });
    if (n > 0) app.log.info({ notifications: n }, 'notifications written');
    if (stopping.aborted) return;
    if (mailer) await sendEmails(app.db, mailer, (err) => app.log.warn({ err }, 'a notification e-mail was not sent; it is retried'));
    const sent = await deliverWebhooks(app.db, webhooks, notificationView);
    if (sent.failed > 0) app.log.warn(sent, 'webhook deliveries given up');
  });
  // Deadlines coming near and reports gone overdue are looked for less often: they move by the day.
  repeatEvery(app, intervalMs * REMINDERS_EVERY_NOTIFIER_TICKS, 'the reminder sweep', async () => {
    const n = await sweepReminders(app.db);
    if (n.requestsDueSoon + n.reportsOverdue + n.verificationsExpiring > 0) app.log.info(n, 'reminders recorded');
  });
}

/** The reminder sweep runs once every so many notifier ticks (every minute by default). */
const REMINDERS_EVERY_NOTIFIER_TICKS = 30;

/** A notification as its readers (and the party's webhooks) get it. */
export const notificationView = (n: Notification & { readAt?: Date | null }) => ({
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

/** The parties a user is a member of: their notifications are the user's. */
const partiesOf = (db: Database, userId: string) => db.select({ partyId: partyMembers.partyId }).from(partyMembers).where(eq(partyMembers.userId, userId));

export interface NotificationQuery {
  unread?: boolean | undefined;
  kind?: string | undefined;
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** The user's notifications (every party it is a member of), newest first, with its own read state. */
export async function listNotifications(db: Database, userId: string, q: NotificationQuery): Promise<(Notification & { readAt: Date | null })[]> {
  const mine = (await partiesOf(db, userId)).map((p) => p.partyId);
  if (mine.length === 0) return [];
  const n = notifications;
  const after: SQL | undefined = q.after ? or(lt(n.createdAt, new Date(q.after.createdAt)), and(eq(n.createdAt, new Date(q.after.createdAt)), lt(n.id, q.after.id))) : undefined;
  const rows = await db
    .select({ notification: n, readAt: notificationReads.readAt })
    .from(n)
    .leftJoin(notificationReads, and(eq(notificationReads.notificationId, n.id), eq(notificationReads.userId, userId)))
    .where(and(inArray(n.partyId, mine), q.kind ? eq(n.kind, q.kind) : undefined, q.unread ? isNull(notificationReads.readAt) : undefined, after))
    .orderBy(desc(n.createdAt), desc(n.id))
    .limit(q.limit);
  return rows.map((r) => ({ ...r.notification, readAt: r.readAt }));
}

/** Marks the user's notifications read (those it can see; others are not found). */
export async function markRead(db: Database, userId: string, ids: string[]): Promise<number> {
  const mine = (await partiesOf(db, userId)).map((p) => p.partyId);
  const visible = mine.length === 0 ? [] : await db.select({ id: notifications.id }).from(notifications).where(and(inArray(notifications.id, ids), inArray(notifications.partyId, mine)));
  // Ids in a body are input: one that is not the user's is invalid, named, as the other routes answer.
  const known = new Set(visible.map((v) => v.id));
  const unknown = ids.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
  if (unknown.length > 0) {
    throw new AppError('validation-failed', { en: 'name notifications of yours', zh: '请指明您自己的通知' }, { errors: unknown.map(({ i }) => ({ path: `/body/ids/${i}`, message: 'not one of your notifications' })) });
  }
  const marked = await db.insert(notificationReads).values(visible.map((v) => ({ notificationId: v.id, userId }))).onConflictDoNothing().returning();
  return marked.length;
}

/** How many of the user's notifications are unread. */
export async function unreadCount(db: Database, userId: string): Promise<number> {
  const mine = (await partiesOf(db, userId)).map((p) => p.partyId);
  if (mine.length === 0) return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .leftJoin(notificationReads, and(eq(notificationReads.notificationId, notifications.id), eq(notificationReads.userId, userId)))
    .where(and(inArray(notifications.partyId, mine), isNull(notificationReads.readAt)));
  return Number(row!.n);
}
