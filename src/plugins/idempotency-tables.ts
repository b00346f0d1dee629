import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../lib/columns.js';

/**
 * Idempotency keys and the first response given under each, shared by every process of the
 * service (plugins/idempotency.ts). A key belongs to one caller: the user and the party it acts for.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** `user id/party id` of the caller (`-` when it acts for no party). */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 over method, route, path and body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['in_progress', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseType: text('response_type'),
    responseBody: text('response_body'),
    responseLocation: text('response_location'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    /** When an `in_progress` claim is considered abandoned (its process died) and may be taken over. */
    claimedUntil: timestamptz('claimed_until').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expiry_idx').on(t.expiresAt)],
);
