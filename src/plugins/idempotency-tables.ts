import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../lib/columns.js';

/**
 * The answer given under each Idempotency-Key, shared by every process of the service
 * (plugins/idempotency.ts). A row is written in the transaction of the change it answers, so it
 * exists exactly when that change committed; a request still running holds a lock, not a row.
 * A key belongs to one caller: the user and the party it acts for.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** `user id/party id` of the caller (`-` when it acts for no party). */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 over method, route, path and body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseType: text('response_type').notNull(),
    responseBody: text('response_body').notNull(),
    responseLocation: text('response_location'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expiry_idx').on(t.expiresAt)],
);
