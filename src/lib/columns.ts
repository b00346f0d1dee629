import { bigint, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every time the service stores: UTC instants to the millisecond, as JavaScript dates hold them, so
 * a cursor carrying a Date compares exactly.
 */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Money in integer minor units (fen); bigint in the database, a safe integer in JavaScript. */
export const minorUnits = (name: string) => bigint(name, { mode: 'number' });
