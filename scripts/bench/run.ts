// The bench itself, called by scripts/bench.ts once its arguments are read. This process seeds the
// databases, starts the processes, measures the audit log and agreement PDFs (no HTTP in either),
// and prints; every HTTP load comes from processes of its own (scripts/bench/http.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.js';
import { openDatabase, rowsOf } from '../../src/lib/database.js';
import { createLogSigner } from '../../src/modules/audit/signer.js';
import { measureAgreements, type AgreementMeasures } from './agreements.js';
import { measureAudit } from './audit.js';
import { autocannonCli, drive, startProcess, stopAllChildren, type LoadResult } from './http.js';
import type { LoadAnswer } from './load.js';
import { printDatabase, printSummary, type DatabaseKind, type DatabaseRun } from './report.js';
import { PASSWORD, searchMix, seed } from './seed.js';
import { soak } from './soak.js';
import { measureTrades, seedTradeAccounts, type TradeAccounts } from './trades.js';

export const measureNames = ['health', 'me', 'listing', 'search', 'uncached', 'trades', 'agreement', 'appends', 'verify', 'soak'] as const;
export type Measure = (typeof measureNames)[number];

export interface BenchOptions {
  databases: DatabaseKind[];
  databaseUrl: string;
  seconds: number;
  connections: number;
  listings: number;
  /** Distinct search queries (the mix draws from them, the uncached measure asks each once). */
  searches: number;
  buyers: number;
  /** How long the buyers keep trading: a trade takes seconds, so longer than the other measures. */
  tradeSeconds: number;
  signing: 'step-up' | 'password';
  /** Events in the log `audit:verify` checks on the server; 0: not measured. */
  logEvents: number;
  warmUpRounds: number;
  measures: ReadonlySet<Measure>;
  workers: number | undefined;
  /** Minutes of the memory soak (measure `soak`), after the other measures, on a service of its own. */
  soakMinutes: number;
  /** Buyers trading at once during the soak, beside the reads. */
  soakBuyers: number;
  profile: boolean;
  strict: boolean;
  progress: (line: string) => void;
}

async function serverReachable(url: string): Promise<boolean> {
  const admin = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await admin`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await admin.end();
  }
}

/** Work to undo if the bench is interrupted: the scratch database, the temporary directory. */
const cleanups = new Set<() => Promise<void>>();
process.once('SIGINT', () => {
  stopAllChildren();
  void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
});

const bar = (done: number, total: number) => `[${'#'.repeat(Math.round((done / total) * 30)).padEnd(30, '.')}] ${done} of ${total}`;

async function benchDatabase(kind: DatabaseKind, o: BenchOptions): Promise<DatabaseRun> {
  const has = (m: Measure) => o.measures.has(m);
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-'));
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    IDENTITY_KEY: randomBytes(32).toString('base64'),
    AUDIT_LOG_KEY: randomBytes(32).toString('base64'),
    // The test seal: a server database needs a configured one.
    AGREEMENT_SEAL_P12: fileURLToPath(new URL('../../test/fixtures/agreement-seal.p12', import.meta.url)),
    AGREEMENT_SEAL_PASSPHRASE: 'test-seal-passphrase',
  };
  const scratch = `dx_bench_${process.pid}`;
  let admin: postgres.Sql | undefined;
  let dbUrl: string | undefined;
  const cleanup = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (admin) await admin.unsafe(`drop database if exists "${scratch}" with (force)`);
    await admin?.end();
  };
  cleanups.add(cleanup);
  if (kind === 'postgres') {
    admin = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${scratch}" with (force)`);
    await admin.unsafe(`create database "${scratch}"`);
    const u = new URL(o.databaseUrl);
    u.pathname = `/${scratch}`;
    dbUrl = u.toString();
  }
  // The login limit counts per client address, and every buyer of the bench comes from 127.0.0.1.
  const serviceEnv: Record<string, string> = { ...secrets, LOG_LEVEL: 'warn', DATA_DIR: dataDir, AUTH_RATE_LIMIT_MAX: '100000', ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...(o.workers && dbUrl ? { WEB_CONCURRENCY: String(o.workers) } : {}) };
  const config = loadConfig(serviceEnv, () => {});
  const run: DatabaseRun = { kind, listings: o.listings, hello: undefined, helloCli: undefined, loads: {}, uncached: undefined, trades: undefined, audit: undefined, soak: undefined, profiles: [] };
  try {
    // Seeded before the service starts (the embedded database belongs to one process at a time).
    const database = await openDatabase({ url: dbUrl, dataDir: dbUrl ? undefined : dataDir, poolSize: 4 });
    await database.migrate();
    const started = Date.now();
    const seeded = await seed(database.db, config, o.listings, (done) => process.stderr.write(`\r  seeding listings ${bar(done, o.listings)}`));
    process.stderr.write(`\n`);
    o.progress(`  seeded ${o.listings} listings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const tradeAccounts = has('trades') ? await seedTradeAccounts(database.db, config, o.buyers) : undefined;
    const soakTraders = has('soak') ? await seedTradeAccounts(database.db, config, o.soakBuyers) : undefined;
    await database.close();

    const http = ['health', 'me', 'listing', 'search', 'uncached', 'trades'].some((m) => has(m as Measure));
    if (http) await measureHttp(kind, o, run, serviceEnv, seeded, tradeAccounts);
    if (soakTraders) run.soak = await measureSoak(o, serviceEnv, seeded, soakTraders);

    // The audit log, with the service stopped (the embedded database is one process's).
    if (has('appends') || has('verify') || run.trades) {
      const handle = await openDatabase({ url: dbUrl, dataDir: dbUrl ? undefined : dataDir, poolSize: 64 });
      try {
        // Every trade's money: each ledger transfer sums to zero in each currency.
        if (run.trades) run.trades.ledgerBalanced = rowsOf(await handle.db.execute(sql`select transfer_id from settlement_ledger_postings group by transfer_id, currency having sum(amount_minor) <> 0`)).length === 0;
        if (has('appends') || has('verify')) {
          o.progress('  audit log: plain inserts, audited appends' + (kind === 'postgres' && has('verify') && o.logEvents ? `, then audit:verify of ${o.logEvents} events` : ''));
          run.audit = await measureAudit(handle.db, createLogSigner(config.auditLogOrigin, config.auditLogKey), {
            writers: 64,
            seconds: o.seconds,
            // issue 20 sets audit:verify's target on the server only.
            verifyEvents: kind === 'postgres' && has('verify') ? o.logEvents : 0,
            log: o.progress,
          });
        }
      } finally {
        await handle.close();
      }
    }
    return run;
  } finally {
    cleanups.delete(cleanup);
    await cleanup();
  }
}

async function measureHttp(kind: DatabaseKind, o: BenchOptions, run: DatabaseRun, serviceEnv: Record<string, string>, seeded: Awaited<ReturnType<typeof seed>>, tradeAccounts: Awaited<ReturnType<typeof seedTradeAccounts>> | undefined) {
  const has = (m: Measure) => o.measures.has(m);
  const profileDir = resolve('bench', 'profiles', `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  // `npm start`: build, then serve from dist.
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const hello = await startProcess('scripts/bench/hello.ts', {}, '/hello');
  try {
    // The ceiling, by the bench's load process and by autocannon's own CLI in turn, three times each:
    // the median run of each, so a burst of other work on the machine weighs on neither alone.
    o.progress('  hello-world: the bench\'s load process and autocannon\'s CLI, in turn, three times');
    await drive('warm-up', hello.url, ['/hello'], { connections: o.connections, seconds: 1 });
    const ours: LoadResult[] = [];
    const theirs: LoadAnswer[] = [];
    for (let round = 0; round < 3; round++) {
      ours.push(await drive('hello', hello.url, ['/hello'], { connections: o.connections, seconds: o.seconds }));
      theirs.push(await autocannonCli(`${hello.url}/hello`, { connections: o.connections, seconds: o.seconds }));
      o.progress(`    ${ours.at(-1)!.requestsPerSecond.toFixed(0)} and ${theirs.at(-1)!.requestsPerSecond.toFixed(0)} req/s`);
    }
    const median = <T extends LoadAnswer>(runs: T[]) => runs.sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[1]!;
    run.hello = median(ours);
    run.helloCli = median(theirs);
  } finally {
    await hello.stop();
  }
  const service = await startProcess('dist/server.js', serviceEnv, '/ready', o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  try {
    const login = await fetch(`${service.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: seeded.buyerEmail, password: PASSWORD }) });
    const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const listing = seeded.listingIds[Math.floor(seeded.listingIds.length / 2)]!;
    const pid = service.child.pid;
    const load = { connections: o.connections, seconds: o.seconds };
    // Warm-up: JIT, connection pools, and the caches a running service has.
    o.progress('  warming up the service');
    for (const path of ['/me', `/catalog/listings/${listing}`]) await drive('warm-up', service.url, [path], { connections: o.connections, seconds: 1, headers });
    if (has('health')) run.loads.health = await drive('health', service.url, ['/health'], { ...load, pid });
    if (has('me')) run.loads.me = await drive('me', service.url, ['/me'], { ...load, headers, pid });
    if (has('listing')) run.loads.listing = await drive('listing', service.url, [`/catalog/listings/${listing}`], { ...load, headers, pid });
    const mix = searchMix(o.searches, 50_000);
    // Every distinct query once, uncached: its first answer. Then the mix, in rounds, until the
    // rate stops rising: every worker's page cache then holds what a running service's holds.
    if (has('uncached')) {
      o.progress(`  uncached search: ${new Set(mix).size} queries once each`);
      run.uncached = await drive('uncached', service.url, [...new Set(mix)], { ...load, headers, once: true });
    }
    if (has('search')) {
      let rate = 0;
      for (let round = 1; round <= o.warmUpRounds; round++) {
        const warm = await drive('warm-up', service.url, mix, { ...load, headers });
        o.progress(`  search warm-up round ${round}: ${warm.requestsPerSecond.toFixed(0)} req/s, p99 ${warm.p99} ms`);
        if (warm.requestsPerSecond < rate * 1.1) break;
        rate = warm.requestsPerSecond;
      }
      run.loads.search = await drive('search', service.url, mix, { ...load, headers, pid });
    }
    if (has('trades') && tradeAccounts) {
      o.progress(`  whole trades: ${o.buyers} buyers for ${o.tradeSeconds} s, signing with ${o.signing === 'step-up' ? 'a step-up token' : 'the password'}`);
      run.trades = { ...(await measureTrades(service.url, tradeAccounts, { seconds: o.tradeSeconds, signing: o.signing })), buyers: o.buyers, ledgerBalanced: true };
    }
  } finally {
    await service.stop();
  }
  if (o.profile) run.profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profileDir, f));
}

/**
 * The memory soak, on a service started afresh (so its RSS is followed from the start): reads by a
 * buyer (one request in ten /me, three a listing page, six from the search mix) on a few connections,
 * and whole trades by `soakBuyers` buyers, at once for `soakMinutes`.
 */
async function measureSoak(o: BenchOptions, serviceEnv: Record<string, string>, seeded: Awaited<ReturnType<typeof seed>>, traders: TradeAccounts) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const service = await startProcess('dist/server.js', serviceEnv, '/ready');
  try {
    const mix = searchMix(o.searches, 6_000);
    const readPaths = Array.from({ length: 10_000 }, (_, i) =>
      i % 10 === 0 ? '/me' : i % 10 <= 3 ? `/catalog/listings/${seeded.listingIds[(i * 7919) % seeded.listingIds.length]}` : mix[i % mix.length]!,
    );
    o.progress(`  memory soak: ${o.soakMinutes} min of reads and whole trades (${o.soakBuyers} buyers), RSS read every 5 s`);
    return await soak({ url: service.url, pid: service.child.pid!, minutes: o.soakMinutes, reader: { email: seeded.buyerEmail, password: PASSWORD }, readPaths, readConnections: 4, traders, log: o.progress });
  } finally {
    await service.stop();
  }
}

/** Where the service's CPU profiles are (a whole process's life: start-up, warm-up and every load), and their top self-time entries. */
function printProfile(kind: DatabaseKind, files: string[]) {
  if (files.length === 0) console.log(`\n${kind}: no CPU profile was written (did the service exit cleanly?)`);
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const self = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const f = byId.get(id)!;
      const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '')}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    console.log(`\n${kind}: CPU profile of the service: ${file}\n(open it in Chrome DevTools, Performance, or VS Code); top self time:`);
    for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
}

export async function runBench(o: BenchOptions): Promise<void> {
  const startedAt = Date.now();
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`);
  const runs: DatabaseRun[] = [];
  for (const kind of o.databases) {
    if (kind === 'postgres' && !(await serverReachable(o.databaseUrl))) {
      console.log(`postgres: ${o.databaseUrl} does not answer; skipped`);
      continue;
    }
    o.progress(`\n== ${kind}: ${o.listings} listings, ${o.connections} connections, ${o.seconds} s each`);
    runs.push(await benchDatabase(kind, o));
  }
  // Agreements: no database in the measure, so once, whatever the databases; shown under each.
  let agreements: AgreementMeasures | undefined;
  if (o.measures.has('agreement')) {
    o.progress('agreements: a three-page Chinese agreement rendered and sealed');
    agreements = await measureAgreements({ seconds: Math.min(o.seconds, 5) });
  }
  const rows = new Map(runs.map((run) => [run.kind, printDatabase(run, agreements)] as const));
  printSummary(rows);
  if (o.profile) for (const run of runs) printProfile(run.kind, run.profiles);
  console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; the bench took ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  mkdirSync('bench', { recursive: true });
  const { progress: _progress, measures, ...settings } = o;
  writeFileSync(
    join('bench', 'results.json'),
    JSON.stringify({ at: new Date().toISOString(), machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version, loadavg: loadavg() }, settings: { ...settings, measures: [...measures] }, databases: runs, agreements, targets: Object.fromEntries(rows) }, null, 2) + '\n',
  );
  console.log('written to bench/results.json');
  if (o.strict && [...rows.values()].flat().some((r) => r.mark === 'MISSED')) process.exitCode = 1;
}
