import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Art. 28(3): the exchange keeps the records of its reviews and of every trade.
 * Append-only: a trigger in the database refuses UPDATE, DELETE and TRUNCATE (see the migration).
 * Each row's hash covers its content and the previous row's hash, so any change breaks the chain.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    actorUserId: uuid('actor_user_id'),
    actorPartyId: uuid('actor_party_id'),
    actorRole: text('actor_role'),
    ip: text('ip'),
    requestId: text('request_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    payload: jsonb('payload').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_events_subject_idx').on(t.subjectType, t.subjectId, t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
    index('audit_events_actor_idx').on(t.actorUserId, t.seq),
  ],
);
