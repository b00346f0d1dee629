// What `npm run bench` prints: per database, each measure with req/s (or its own unit), the ratio
// to the hello-world of the same run, p50 and p99, and issue 20's target beside it, marked met or
// missed; then the targets of both databases side by side, as the issue's table has them.
import type { AgreementMeasures } from './agreements.js';
import type { AuditMeasures } from './audit.js';
import type { LoadAnswer } from './load.js';
import type { LoadResult } from './http.js';
import type { SoakProcess, SoakResult } from './soak.js';
import type { TradeAnswer } from './trade-load.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseRun {
  kind: DatabaseKind;
  listings: number;
  /** The hello-world by the bench's load process, and by autocannon's own CLI, in the same run: the median of three runs each. */
  hello: LoadResult | undefined;
  helloCli: LoadAnswer | undefined;
  loads: Partial<Record<'health' | 'me' | 'listing' | 'search', LoadResult>>;
  uncached: LoadResult | undefined;
  trades: (TradeAnswer & { buyers: number; ledgerBalanced: boolean }) | undefined;
  audit: AuditMeasures | undefined;
  soak: SoakResult | undefined;
  profiles: string[];
}

/** met, missed, or not measured here (another size, not asked for, no target on this database). */
export type Mark = 'met' | 'MISSED' | '';

interface Row {
  measure: string;
  value: string;
  ratio: string;
  p50: string;
  p99: string;
  rss: string;
  target: string;
  mark: Mark;
  /** The figure the target is about, for the side-by-side table. */
  summary: string;
}

/** Issue 20's targets, per database (null: none on that one). */
const goals = {
  listingRatio: { postgres: 0.4, pglite: 0.25 },
  meRatio: { postgres: 0.4, pglite: 0.25 },
  searchRatio: { postgres: 0.3, pglite: 0.2 },
  searchP99: { postgres: 50, pglite: 50 },
  uncachedP99: { postgres: 50, pglite: 100 },
  tradesPerSecond: { postgres: 20, pglite: 5 },
  tradeStepP99: { postgres: 150, pglite: null },
  agreementMedian: { postgres: 15, pglite: 15 },
  verifySeconds: { postgres: 8, pglite: null },
  appendsRatio: { postgres: 0.8, pglite: 0.5 },
  integrationP99: { postgres: 500, pglite: 500 },
  soakGrowthPercent: { postgres: 5, pglite: 5 },
} satisfies Record<string, Record<DatabaseKind, number | null>>;

export const VERIFY_TARGET_EVENTS = 1_000_000;
export const SOAK_TARGET_MINUTES = 30;

const mark = (ok: boolean): Mark => (ok ? 'met' : 'MISSED');
const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const empty: Omit<Row, 'measure'> = { value: '', ratio: '', p50: '', p99: '', rss: '', target: '', mark: '', summary: '' };

/** The per-database rows, in the order of the issue's table, extra measures after. */
export function rowsOf(run: DatabaseRun, agreements: AgreementMeasures | undefined): Row[] {
  const k = run.kind;
  const ceiling = run.hello?.requestsPerSecond ?? 0;
  const ratio = (r: LoadResult) => (ceiling ? r.requestsPerSecond / ceiling : 0);
  const load = (measure: string, r: LoadResult): Row => ({
    ...empty,
    measure,
    value: `${int(r.requestsPerSecond)}/s`,
    ratio: ceiling ? ratio(r).toFixed(3) : '',
    p50: ms(r.p50),
    p99: ms(r.p99),
    rss: r.rssMb === null ? '' : String(r.rssMb),
    ...(r.errors ? { value: `${int(r.requestsPerSecond)}/s, ${r.errors} failed` } : {}),
  });
  const rows: Row[] = [];
  if (run.hello) rows.push({ ...load('bare Fastify hello-world (the ceiling)', run.hello), ratio: '1.000' });
  if (run.loads.health) rows.push(load('GET /health (the whole app stack)', run.loads.health));
  const { listing, me, search } = run.loads;
  if (listing) {
    const goal = goals.listingRatio[k];
    rows.push({ ...load('listing detail, GET /catalog/listings/{id}', listing), target: `ratio >= ${goal}`, mark: mark(ratio(listing) >= goal && !listing.errors), summary: ratio(listing).toFixed(3) });
  }
  if (me) {
    const goal = goals.meRatio[k];
    rows.push({ ...load('GET /me', me), target: `ratio >= ${goal}`, mark: mark(ratio(me) >= goal && !me.errors), summary: ratio(me).toFixed(3) });
  }
  if (search) {
    const [goal, p99] = [goals.searchRatio[k], goals.searchP99[k]];
    const full = run.listings >= 100_000;
    rows.push({
      ...load(`search mix over ${int(run.listings)} listings`, search),
      target: `ratio >= ${goal}, p99 <= ${p99} ms${full ? '' : ' (over 100,000)'}`,
      mark: full ? mark(ratio(search) >= goal && search.p99 <= p99 && !search.errors) : '',
      summary: `${ratio(search).toFixed(3)}, p99 ${ms(search.p99)} ms`,
    });
  }
  if (run.uncached) {
    const goal = goals.uncachedP99[k];
    const u = run.uncached;
    rows.push({ ...empty, measure: `uncached search, ${int(u.requests)} queries once each`, value: `max ${ms(u.max)} ms`, p50: ms(u.p50), p99: ms(u.p99), target: `p99 <= ${goal} ms`, mark: mark(u.p99 <= goal && !u.errors), summary: `p99 ${ms(u.p99)} ms` });
  }
  if (run.trades) {
    const t = run.trades;
    const [goal, stepGoal] = [goals.tradesPerSecond[k], goals.tradeStepP99[k]];
    const worst = [...t.steps].filter((s) => s.step !== 'login' && s.step !== 'setup').sort((a, b) => b.p99 - a.p99)[0];
    const ok = t.perSecond >= goal && t.errors === 0 && t.ledgerBalanced && (stepGoal === null || (worst?.p99 ?? 0) <= stepGoal);
    rows.push({
      ...empty,
      measure: `whole trades, ${t.buyers} buyers at once`,
      value: `${t.perSecond.toFixed(1)}/s${t.errors ? `, ${t.errors} failed` : ''}${t.ledgerBalanced ? '' : ', LEDGER UNBALANCED'}`,
      p50: ms(t.p50),
      p99: ms(t.p99),
      target: `>= ${goal}/s${stepGoal === null ? '' : `, every step p99 <= ${stepGoal} ms`}`,
      mark: mark(ok),
      summary: `${t.perSecond.toFixed(1)}/s${worst ? `, worst step p99 ${ms(worst.p99)} ms (${worst.step})` : ''}`,
    });
  }
  if (agreements) {
    const goal = goals.agreementMedian[k];
    rows.push({ ...empty, measure: 'sealed agreement (3 pages, rendered and sealed)', value: `${agreements.pdfsPerSecond.toFixed(1)}/s, ${(agreements.bytes / 1024).toFixed(0)} KB`, p50: ms(agreements.medianMs), p99: ms(agreements.p99Ms), target: `median <= ${goal} ms, <= 150 KB`, mark: mark(agreements.medianMs <= goal && agreements.bytes <= 150 * 1024), summary: `median ${ms(agreements.medianMs)} ms, ${(agreements.bytes / 1024).toFixed(0)} KB` });
  }
  const audit = run.audit;
  if (audit?.verify) {
    const goal = goals.verifySeconds[k];
    const v = audit.verify;
    const atSize = v.events >= VERIFY_TARGET_EVENTS;
    const perMillion = (v.seconds * VERIFY_TARGET_EVENTS) / Math.max(1, v.events);
    rows.push({
      ...empty,
      measure: 'audit:verify of the whole log, from scratch',
      value: `${int(v.events)} events: ${v.seconds.toFixed(1)} s${atSize ? '' : ` (~${perMillion.toFixed(1)} s per 1,000,000)`}${v.ok ? '' : ', FAILED'}`,
      target: goal === null ? '' : `<= ${goal} s for 1,000,000${atSize ? '' : ' (not measured at that size)'}`,
      mark: goal === null || !atSize ? (v.ok ? '' : 'MISSED') : mark(v.ok && v.seconds <= goal),
      summary: atSize ? `${v.seconds.toFixed(1)} s` : `~${perMillion.toFixed(1)} s per 1,000,000 (${int(v.events)} measured)`,
    });
  }
  if (audit) {
    const goal = goals.appendsRatio[k];
    const r = audit.appends.perSecond / audit.plainInsert.perSecond;
    rows.push({ ...empty, measure: 'audited appends / plain one-row insert, 64 writers', value: `${int(audit.appends.perSecond)}/s vs ${int(audit.plainInsert.perSecond)}/s`, ratio: r.toFixed(3), p50: ms(audit.appends.p50), p99: ms(audit.appends.p99), target: `ratio >= ${goal}`, mark: mark(r >= goal), summary: r.toFixed(3) });
    const delayGoal = goals.integrationP99[k];
    rows.push({ ...empty, measure: 'integration delay (append to signed checkpoint)', p50: ms(audit.integrationDelay.p50), p99: ms(audit.integrationDelay.p99), target: `p99 <= ${delayGoal} ms`, mark: mark(audit.integrationDelay.p99 <= delayGoal && audit.logVerifies), summary: `p99 ${ms(audit.integrationDelay.p99)} ms` });
  }
  if (run.soak) {
    const soak = run.soak;
    const goal = goals.soakGrowthPercent[k];
    const serving = soak.processes.filter((p) => p.role !== 'primary');
    const worst = [...serving].sort((a, b) => b.growthPercent - a.growthPercent)[0];
    const full = soak.minutes >= SOAK_TARGET_MINUTES;
    const failed = soak.reads.errors + soak.trades.errors;
    const growth = (p: SoakProcess) => `${p.afterWarmUpMb.toFixed(0)} -> ${p.endMb.toFixed(0)} MB (${p.growthPercent >= 0 ? '+' : ''}${p.growthPercent.toFixed(1)} %)`;
    rows.push({
      ...empty,
      measure: `memory: ${soak.minutes}-minute soak, RSS after warm-up to end`,
      value: `${serving.map(growth).join('; ')}${failed ? `, ${failed} requests or trades failed` : ''}`,
      target: `worker growth < ${goal} %${full ? '' : ` over ${SOAK_TARGET_MINUTES} minutes`}`,
      mark: full && worst ? mark(worst.growthPercent < goal && failed === 0) : '',
      summary: worst ? `worst worker ${growth(worst)} over ${soak.minutes} min` : 'no sample',
    });
  }
  return rows;
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The per-database table, after a line comparing the two hello-world figures. */
export function printDatabase(run: DatabaseRun, agreements: AgreementMeasures | undefined): Row[] {
  console.log(`\n${run.kind === 'postgres' ? 'server (PostgreSQL)' : 'PGlite (the embedded default)'}`);
  if (run.hello && run.helloCli) {
    const apart = (run.hello.requestsPerSecond / run.helloCli.requestsPerSecond - 1) * 100;
    const within = Math.abs(apart) <= 10;
    console.log(
      `hello-world (the median of three runs each): ${int(run.hello.requestsPerSecond)} req/s from the bench's load process, ${int(run.helloCli.requestsPerSecond)} req/s from autocannon's own CLI ` +
        `(${apart >= 0 ? '+' : ''}${apart.toFixed(1)} %: ${within ? 'within 10 %' : 'NOT within 10 %: the generator may be the limit, the ratios are suspect'})`,
    );
  }
  const rows = rowsOf(run, agreements);
  console.log(table(['measure', 'value', 'ratio', 'p50 ms', 'p99 ms', 'RSS MB', 'target (issue 20)', ''], rows.map((r) => [r.measure, r.value, r.ratio, r.p50, r.p99, r.rss, r.target, r.mark]), new Set([1, 2, 3, 4, 5])));
  if (run.trades) console.log(`trade steps, p50/p99 ms: ${run.trades.steps.filter((s) => s.step !== 'login' && s.step !== 'setup').map((s) => `${s.step} ${ms(s.p50)}/${ms(s.p99)}`).join(', ')}`);
  if (run.trades?.firstError) console.log(`first failed trade: ${run.trades.firstError}`);
  if (run.soak) {
    const { reads, trades, warmUpMinutes } = run.soak;
    console.log(
      `soak: ${int(reads.requests)} reads (p50 ${ms(reads.p50)} ms, worst p99 ${ms(reads.p99)} ms${reads.errors ? `, ${reads.errors} failed` : ''}) and ${int(trades.trades)} whole trades ` +
        `(${trades.perSecond.toFixed(1)}/s${trades.errors ? `, ${trades.errors} failed` : ''}); growth counted from the end of the first ${warmUpMinutes.toFixed(1)} min`,
    );
    if (trades.firstError) console.log(`first failed soak trade: ${trades.firstError}`);
    for (const p of run.soak.processes) {
      console.log(`  RSS of ${p.role} ${p.pid}, MB per minute: ${p.perMinuteMb.map((mb) => mb.toFixed(0)).join(' ')}`);
      console.log(`    from its lowest minute after the warm-up, ${p.floorMb.toFixed(0)} MB, to the end: ${p.growthFromFloorPercent >= 0 ? '+' : ''}${p.growthFromFloorPercent.toFixed(1)} %`);
    }
  }
  return rows;
}

/** Both databases side by side, one line per target of the issue's table. */
export function printSummary(byKind: Map<DatabaseKind, Row[]>): void {
  const measures = [...new Set([...byKind.values()].flatMap((rows) => rows.filter((r) => r.target).map((r) => r.measure)))];
  const kinds = (['postgres', 'pglite'] as const).filter((k) => byKind.has(k));
  const cell = (kind: DatabaseKind, measure: string) => {
    const row = byKind.get(kind)?.find((r) => r.measure === measure);
    if (!row) return '–';
    return `${row.summary}  ${row.mark || 'n/a'} (${row.target})`;
  };
  console.log('\ntargets, side by side');
  console.log(table(['measure', ...kinds.map((k) => (k === 'postgres' ? 'server' : 'PGlite'))], measures.map((m) => [m, ...kinds.map((k) => cell(k, m))]), new Set()));
}
