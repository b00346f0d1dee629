import { bigint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Every time the service stores: UTC instants to the millisecond, as JavaScript dates hold them, so
 * a cursor carrying a Date compares exactly.
 */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Money in integer minor units (fen); bigint in the database, a safe integer in JavaScript. */
export const minorUnits = (name: string) => bigint(name, { mode: 'number' });

/** Columns of a file kept in the blob store under its SHA-256: what the store kept, what the client said of it. */
export const storedFileColumns = () => ({
  sha256: text('sha256').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  mediaType: text('media_type').notNull(),
  filename: text('filename'),
  uploadedBy: uuid('uploaded_by').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});
