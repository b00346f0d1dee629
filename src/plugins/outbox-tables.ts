import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../lib/columns.js';

export const outboxStatuses = ['pending', 'done', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * External effects waiting to happen (src/lib/outbox.ts). A row is written in the transaction of
 * the change that needs the effect, so the effect is wanted if and only if the change committed;
 * `idempotencyKey` goes with every attempt, so a repeated attempt cannot double it.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Order of writing: effects run first in, first out (rows of one transaction share `createdAt`). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /** Which handler carries it out, e.g. `stripe.create_payment_intent`. */
    operation: text('operation').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** What the effect is about (an order id), so its effects can be run at once after commit. */
    subjectId: uuid('subject_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: outboxStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    result: jsonb('result').$type<Record<string, unknown>>(),
    availableAt: timestamptz('available_at').notNull().defaultNow(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    doneAt: timestamptz('done_at'),
  },
  (t) => [
    index('outbox_pending_idx').on(t.seq).where(sql`${t.status} = 'pending'`),
    index('outbox_subject_idx').on(t.subjectId, t.seq),
  ],
);
