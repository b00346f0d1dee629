import { and, eq } from 'drizzle-orm';
import { createRequire } from 'node:module';
import type * as nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import { enqueueEffect, runOutbox, type EffectHandler, type OutboxRun } from '../../lib/outbox.js';
import { users } from '../accounts/tables.js';
import { partyMembers } from '../identity/tables.js';
import { notifications, type Notification } from './tables.js';

/**
 * Notifications by e-mail, through the outbox: the notifier writes the intent in the transaction
 * that writes the notification, and the mail goes out after commit, retried with back-off while the
 * server is unreachable or answers a temporary refusal (4xx); a permanent refusal (5xx) marks the
 * effect failed, for an operator to see in supervision. Each active member of the party gets its
 * own message, Chinese first, English second, with a Message-ID made from the notification and the
 * member, so a message sent again after a crash is recognisably the same.
 */
export const EMAIL_OPERATION = 'notification.email';

export interface Mailer {
  transport: Transporter;
  from: string;
  /** Where the links in a message point: the service's public address (PUBLIC_BASE_URL), or none. */
  baseUrl: string;
}

export function createMailer(config: Pick<Config, 'mail' | 'publicBaseUrl'>): Mailer | null {
  if (!config.mail.smtpUrl) return null;
  // Required here, not imported: a service with no SMTP server configured never loads nodemailer.
  const { createTransport } = createRequire(import.meta.url)('nodemailer') as typeof nodemailer;
  const transport = createTransport({ url: config.mail.smtpUrl, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000 });
  return { transport, from: config.mail.from, baseUrl: config.publicBaseUrl ?? '' };
}

/** Called by the notifier for each notification it writes, in its transaction. */
export const enqueueEmail = (tx: Database, notification: Pick<Notification, 'id'>) =>
  enqueueEffect(tx, { operation: EMAIL_OPERATION, idempotencyKey: `notification:${notification.id}:email`, subjectId: notification.id, payload: { notificationId: notification.id } });

const messageOf = (mailer: Mailer, n: Notification) => ({
  subject: `${n.title.zh} | ${n.title.en}`,
  text: [
    n.title.zh,
    n.dueAt ? `截止时间：${n.dueAt.toISOString()}` : null,
    `${mailer.baseUrl}${n.link}`,
    '',
    n.title.en,
    n.dueAt ? `Due by ${n.dueAt.toISOString()}` : null,
    '',
    '本邮件由数据交易所自动发送。This message was sent by the data exchange.',
  ]
    .filter((line): line is string => line !== null)
    .join('\n'),
});

/** An SMTP reply of 5xx is a permanent refusal; anything else (no connection, 4xx) is worth another try. */
const permanent = (err: unknown) => {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
};

export function emailHandlers(mailer: Mailer): Record<string, EffectHandler> {
  return {
    [EMAIL_OPERATION]: {
      async perform(tx, row) {
        const [n] = await tx.select().from(notifications).where(eq(notifications.id, String(row.payload.notificationId)));
        if (!n) return { sent: 0 };
        const members = await tx
          .select({ id: users.id, email: users.email })
          .from(partyMembers)
          .innerJoin(users, eq(users.id, partyMembers.userId))
          .where(and(eq(partyMembers.partyId, n.partyId), eq(users.status, 'active')));
        const message = messageOf(mailer, n);
        const domain = /@([^>]+)>?$/.exec(mailer.from)?.[1] ?? 'exchange.example';
        for (const member of members) {
          await mailer.transport.sendMail({ from: mailer.from, to: member.email, ...message, messageId: `<${n.id}.${member.id}@${domain}>` });
        }
        return { sent: members.length };
      },
      async record() {},
      retryable: (err) => !permanent(err),
    },
  };
}

/** Sends the e-mails waiting in the outbox now. */
export const sendEmails = (db: Database, mailer: Mailer, onError?: (err: unknown) => void): Promise<OutboxRun> =>
  runOutbox(db, emailHandlers(mailer), { onError: (_row, err) => onError?.(err) });
