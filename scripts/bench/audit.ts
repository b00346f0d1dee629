// The audit log's measures (issue 9): appends have no HTTP route of their own, so these run in the
// bench process against the database (no HTTP load, so no load process), with the sequencer
// integrating alongside as a server would; then `audit:verify` of a large log, when asked for.
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../src/lib/database.js';
import { systemActor } from '../../src/modules/audit/events.js';
import { integrateAll } from '../../src/modules/audit/sequencer.js';
import { appendAudit } from '../../src/modules/audit/service.js';
import type { LogSigner } from '../../src/modules/audit/signer.js';
import { verifyAuditLog } from '../../src/modules/audit/verify.js';

declare module '../../src/modules/audit/events.js' {
  interface AuditPayloads {
    'bench.event': { n: number; writer: number };
  }
}

export interface Rate {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `task` from `writers` concurrent loops for `seconds`. */
async function repeat(writers: number, seconds: number, task: (n: number, writer: number) => Promise<unknown>): Promise<Rate> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (Date.now() < end) {
        const started = performance.now();
        await task(n++, writer);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

export interface AuditMeasures {
  plainInsert: Rate;
  appends: Rate;
  integrationDelay: { p50: number; p99: number };
  logVerifies: boolean;
  /** `audit:verify` from scratch of a log grown to `verifyEvents`; absent when none was asked for. */
  verify: { events: number; seconds: number; ok: boolean } | undefined;
}

export async function measureAudit(db: Database, signer: LogSigner, opts: { writers: number; seconds: number; verifyEvents: number; log: (line: string) => void }): Promise<AuditMeasures> {
  await db.execute(sql`create table if not exists bench_plain (n int, payload jsonb)`);
  const plainInsert = await repeat(opts.writers, opts.seconds, (n) =>
    db.transaction((tx) => tx.execute(sql`insert into bench_plain values (${n}, ${JSON.stringify({ n })}::jsonb)`)),
  );
  await db.execute(sql`drop table bench_plain`);

  // The sequencer integrates while the writers append, every 200 ms as a server's would.
  const since = new Date();
  let writing = true;
  const sequencer = (async () => {
    while (writing) {
      await integrateAll(db, signer);
      await new Promise((r) => setTimeout(r, 200));
    }
    await integrateAll(db, signer);
  })();
  const appends = await repeat(opts.writers, opts.seconds, (n, writer) =>
    db.transaction((tx) => appendAudit(tx, systemActor(), { action: 'bench.event', subject: { type: 'bench', id: String(n) }, payload: { n, writer } })),
  );
  writing = false;
  await sequencer;
  // From an event's writing to the first signed checkpoint that holds it.
  const [delay] = rowsOf<{ p50: number; p99: number }>(
    await db.execute(sql`select percentile_cont(0.5) within group (order by d) * 1000 as p50, percentile_cont(0.99) within group (order by d) * 1000 as p99
      from (select extract(epoch from (c.created_at - e.occurred_at)) as d from audit_events e join audit_log_leaves l on l.event_seq = e.seq
        cross join lateral (select created_at from audit_checkpoints where tree_size > l.leaf_index order by tree_size limit 1) c
        where e.occurred_at >= ${since.toISOString()}::timestamptz) delays`),
  );
  const logVerifies = (await verifyAuditLog(db, signer)).ok;
  const measured = { plainInsert, appends, integrationDelay: { p50: Number(delay?.p50 ?? 0), p99: Number(delay?.p99 ?? 0) }, logVerifies };
  if (opts.verifyEvents === 0) return { ...measured, verify: undefined };

  // A large log: synthetic events written in bulk, integrated, then verified from scratch.
  const [{ n: existing } = { n: 0 }] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from audit_events`));
  for (let done = existing; done < opts.verifyEvents; done += 100_000) {
    const rows = Math.min(100_000, opts.verifyEvents - done);
    await db.execute(sql`insert into audit_events (occurred_at, action, subject_type, subject_id, payload, party_ids)
      select now(), 'bench.event', 'bench', g::text, jsonb_build_object('n', g, 'writer', 0), '{}'::uuid[] from generate_series(1, ${rows}) g`);
    await integrateAll(db, signer);
    opts.log(`  log: ${Math.min(done + rows, opts.verifyEvents)} of ${opts.verifyEvents} events written and integrated`);
  }
  const started = performance.now();
  const verified = await verifyAuditLog(db, signer);
  const seconds = (performance.now() - started) / 1000;
  return { ...measured, verify: { events: verified.leaves, seconds, ok: verified.ok } };
}
