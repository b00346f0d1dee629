import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../lib/columns.js';
import { users } from '../accounts/tables.js';
import { parties } from '../identity/tables.js';

/**
 * What tells someone that something waits for them. Each notification comes from one audit event
 * (rules.ts says which events, and to whom) and is addressed to a party: every member of it sees
 * it, and each member's read state is their own.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    /** The audit event it comes from: its receipt proves what happened. */
    eventId: uuid('event_id').notNull(),
    eventSeq: bigint('event_seq', { mode: 'number' }).notNull(),
    /** The rule that made it, e.g. `order.awaiting_provider`. */
    kind: text('kind').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    /** Chinese first, English second. */
    title: jsonb('title').$type<{ zh: string; en: string }>().notNull(),
    /** The API path of what waits. */
    link: text('link').notNull(),
    /** The instant by which it should be done, when there is one. */
    dueAt: timestamptz('due_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('notifications_event_party_kind_idx').on(t.eventSeq, t.partyId, t.kind), index('notifications_party_idx').on(t.partyId, t.createdAt, t.id)],
);

/** Who read what, when: one row per member and notification. */
export const notificationReads = pgTable(
  'notification_reads',
  {
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    readAt: timestamptz('read_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.userId] })],
);

/**
 * Audit events waiting to be turned into notifications. The database queues every event here in
 * the transaction that records it (a trigger, as for the sequencer's queue), so an event is queued
 * if and only if it committed; the notifier takes rows with SKIP LOCKED, so any number of processes
 * share the work and each event is handled once.
 */
export const notificationPending = pgTable('notification_pending', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
});

export type Notification = typeof notifications.$inferSelect;

/**
 * A party's own endpoint for its notifications: each delivery is POSTed there, signed with the
 * endpoint's secret (HMAC-SHA-256 over a timestamp and the body). The secret is shown once and kept
 * encrypted, as it must be read back to sign.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partyId: uuid('party_id')
      .notNull()
      .references(() => parties.id),
    url: text('url').notNull(),
    secretSealed: text('secret_sealed').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    secretRotatedAt: timestamptz('secret_rotated_at'),
    removedAt: timestamptz('removed_at'),
  },
  (t) => [index('webhook_endpoints_party_idx').on(t.partyId, t.createdAt)],
);

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;

/**
 * One notification for one endpoint, tried until the endpoint answers 2xx, with back-off, at most
 * `MAX_WEBHOOK_ATTEMPTS` times. A worker leases a delivery (`leasedUntil`) and calls the endpoint
 * outside any transaction, so a slow endpoint holds no database connection; a worker that dies
 * mid-call leaves the lease to run out, and the delivery is tried again (at least once).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    leasedUntil: timestamptz('leased_until'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    deliveredAt: timestamptz('delivered_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_endpoint_notification_idx').on(t.endpointId, t.notificationId),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
  ],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
