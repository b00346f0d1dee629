import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { rowsOf } from '../../src/lib/database.js';

/**
 * A fingerprint of every table of the database, read in one query: per table, how many rows it
 * has and the newest transaction that wrote one of them (`xmin`). PostgreSQL never changes a row in
 * place: an insert or an update writes a row version stamped with its transaction, whose id is above
 * every earlier one, and a delete lowers the count; so two fingerprints differ exactly when some row
 * was added, removed or rewritten (even with equal values), without reading the rows' contents.
 * Left out on purpose: rate limit counters, and the audit events of failed logins and failed
 * step-ups (a wrong password), which a refused request records by design (Art. 28(3)).
 */
/**
 * The audit log's sequencer integrates events in the background, whatever requests come: its queue,
 * the leaf index it gives an event and its tree (nodes, checkpoints) are not a request's change.
 */
const excluded = new Set(['rate_limit_counters', 'audit_pending', 'audit_log_leaves', 'audit_log_nodes', 'audit_checkpoints']);
const rowFilter: Record<string, string> = { audit_events: `where action not in ('account.login_failed', 'account.step_up_failed')` };

export async function fingerprinter(app: FastifyInstance): Promise<() => Promise<Record<string, string>>> {
  const tables = rowsOf<{ name: string }>(
    await app.db.execute(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`),
  )
    .map((r) => r.name)
    .filter((name) => !excluded.has(name));
  if (tables.length === 0) throw new Error('no tables to fingerprint');
  const columns = tables
    .map((name) => {
      return `(select count(*) || ':' || coalesce(max(xmin::text::bigint), 0) from "${name}" ${rowFilter[name] ?? ''}) as "${name}"`;
    })
    .join(', ');
  // Read under one snapshot with the counts, so the two agree.
  const query = sql.raw(`select pg_current_snapshot()::text as "(snapshot)", ${columns}`);
  const snapshotOnly = sql.raw(`select pg_current_snapshot()::text as snapshot`);
  // Which transactions a snapshot sees is fixed by its text (lowest running, next to be assigned,
  // those running between): while it reads the same, no transaction has committed a change, so the
  // fingerprint taken under it still holds and the tables need no counting. Most refused requests
  // write nothing, and a count of every table costs far more than this one function call.
  let snapshot = '';
  let last: Record<string, string> = {};
  return async () => {
    const now = rowsOf<{ snapshot: string }>(await app.db.execute(snapshotOnly))[0]!.snapshot;
    if (now === snapshot) return last;
    const { '(snapshot)': taken, ...fingerprint } = rowsOf<Record<string, string>>(await app.db.execute(query))[0]!;
    snapshot = taken!;
    last = fingerprint;
    return fingerprint;
  };
}

/** The tables whose fingerprints differ. */
export const changedTables = (before: Record<string, string>, after: Record<string, string>) => Object.keys(before).filter((k) => before[k] !== after[k]);
