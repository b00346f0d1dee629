// The bench itself, loaded by scripts/bench.ts once its arguments are read.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.js';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf } from '../../src/lib/database.js';
import { createLogSigner } from '../../src/modules/audit/signer.js';
import { measureAgreements } from './agreements.js';
import { measureTrades, seedTradeAccounts, type TradeMeasures } from './trades.js';
import { measureAudit, type AuditMeasures } from './audit.js';
import { coldLatencies, drive, startProcess, type ColdLatencies, type LoadResult } from './http.js';
import { PASSWORD, searchMix, seed } from './seed.js';


const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
/** Buyers trading at once, each one order after another. */
const TRADE_BUYERS = Number(env.BENCH_TRADE_BUYERS ?? 16);
const LISTINGS = Number(env.BENCH_LISTINGS ?? 100_000);
/** At most this many 5-second rounds of the search mix before its measured run. */
const SEARCH_WARM_UP_ROUNDS = Number(env.BENCH_SEARCH_WARM_UP_ROUNDS ?? 20);
const SERVER_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Target {
  name: string;
  value: number;
  target: string;
  met: boolean;
}

async function serverReachable(): Promise<boolean> {
  const admin = postgres(SERVER_URL, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await admin`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await admin.end();
  }
}

const bar = (done: number, total: number) => `[${'#'.repeat(Math.round((done / total) * 30)).padEnd(30, '.')}] ${done} of ${total}`;

async function benchDatabase(kind: 'pglite' | 'postgres') {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-'));
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    IDENTITY_KEY: randomBytes(32).toString('base64'),
    AUDIT_LOG_KEY: randomBytes(32).toString('base64'),
    // The test seal: a server database needs a configured one.
    AGREEMENT_SEAL_P12: fileURLToPath(new URL('../../test/fixtures/agreement-seal.p12', import.meta.url)),
    AGREEMENT_SEAL_PASSPHRASE: 'test-seal-passphrase',
  };
  let dbUrl: string | undefined;
  let admin: postgres.Sql | undefined;
  if (kind === 'postgres') {
    admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
    const name = `dx_bench_${process.pid}`;
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
    const u = new URL(SERVER_URL);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
  }
  const serviceEnv: Record<string, string> = { ...secrets, LOG_LEVEL: 'warn', DATA_DIR: dataDir, ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...(env.WEB_CONCURRENCY ? { WEB_CONCURRENCY: env.WEB_CONCURRENCY } : {}) };
  const config = loadConfig(serviceEnv, () => {});
  try {
    // Seed before the service starts (the embedded database belongs to one process at a time).
    const database = await openDatabase({ url: dbUrl, dataDir: dbUrl ? undefined : dataDir, poolSize: 4 });
    await database.migrate();
    const started = Date.now();
    const seeded = await seed(database.db, config, LISTINGS, (done) => process.stderr.write(`\r  seeding listings ${bar(done, LISTINGS)}`));
    process.stderr.write(`\n  seeded ${LISTINGS} listings in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const tradeAccounts = await seedTradeAccounts(database.db, config, TRADE_BUYERS);
    await database.close();

    const profileDir = join('bench', 'profiles', kind);
    if (env.BENCH_PROFILE) mkdirSync(profileDir, { recursive: true });
    const hello = await startProcess('scripts/bench/hello.ts', {}, '/hello');
    // `npm start`: build, then serve from dist.
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    const service = await startProcess('dist/server.js', serviceEnv, '/ready', env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
    const results: LoadResult[] = [];
    let trades: TradeMeasures;
    let cold: ColdLatencies;
    try {
      const login = await fetch(`${service.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: seeded.buyerEmail, password: PASSWORD }) });
      const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
      const listing = seeded.listingIds[Math.floor(seeded.listingIds.length / 2)]!;
      const mix = searchMix(1000, 50_000);
      const run = (name: string, base: string, paths: string[], withAuth: boolean, pid?: number) =>
        drive(name, base, paths, { connections: CONNECTIONS, seconds: SECONDS, headers: withAuth ? headers : {}, ...(pid ? { pid } : {}) });
      // Warm-up: JIT, connection pools, and the caches a running service has.
      for (const [base, path, auth] of [[hello.url, '/hello', false], [service.url, '/me', true], [service.url, `/catalog/listings/${listing}`, true]] as const) {
        await drive('warm-up', base, [path], { connections: CONNECTIONS, seconds: 1, headers: auth ? headers : {} });
      }
      // Every distinct query once, uncached: its first answer. Then the mix, in rounds, until the
      // rate stops rising: every worker's page cache then holds what a running service's holds
      // (each worker computes each page once; pages live ten minutes, or until a catalog change
      // empties them). Only then the measured run.
      cold = await coldLatencies(service.url, [...new Set(mix)], headers);
      let rate = 0;
      for (let round = 1; round <= SEARCH_WARM_UP_ROUNDS; round++) {
        const warm = await drive('warm-up', service.url, mix, { connections: CONNECTIONS, seconds: 5, headers });
        process.stderr.write(`  search warm-up round ${round}: ${warm.requestsPerSecond.toFixed(0)} req/s, p99 ${warm.p99} ms\n`);
        if (warm.requestsPerSecond < rate * 1.1) break;
        rate = warm.requestsPerSecond;
      }
      results.push(await run('bare Fastify GET /hello (ceiling)', hello.url, ['/hello'], false));
      results.push(await run('GET /health (full app stack)', service.url, ['/health'], false, service.child.pid));
      results.push(await run('GET /me', service.url, ['/me'], true, service.child.pid));
      results.push(await run('GET /catalog/listings/{id} (live, buyer)', service.url, [`/catalog/listings/${listing}`], true, service.child.pid));
      results.push(await run(`GET /catalog/search, Zipf mix of 1000 over ${LISTINGS}`, service.url, mix, true, service.child.pid));
      // Whole trades, each about a dozen requests from several parties (scripts/bench/trades.ts).
      trades = await measureTrades(service.url, tradeAccounts, { seconds: SECONDS });
    } finally {
      await service.stop();
      await hello.stop();
    }
    if (env.BENCH_PROFILE) printProfile(profileDir);

    // The audit log, with the service stopped (the embedded database is one process's).
    const handle = await openDatabase({ url: dbUrl, dataDir: dbUrl ? undefined : dataDir, poolSize: 64 });
    let audit: AuditMeasures;
    let ledgerBalanced: boolean;
    try {
      // Every trade's money: each ledger transfer sums to zero in each currency.
      ledgerBalanced = rowsOf(await handle.db.execute(sql`select transfer_id from settlement_ledger_postings group by transfer_id, currency having sum(amount_minor) <> 0`)).length === 0;
      audit = await measureAudit(handle.db, createLogSigner(config.auditLogOrigin, config.auditLogKey), {
        writers: 64,
        seconds: SECONDS,
        verifyEvents: Number(env.BENCH_LOG_EVENTS ?? (kind === 'postgres' ? 1_000_000 : 100_000)),
        log: (line) => process.stderr.write(line + '\n'),
      });
    } finally {
      await handle.close();
    }
    return { kind, results, cold, audit, trades: { ...trades, ledgerBalanced } };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (admin) {
      await admin.unsafe(`drop database if exists "dx_bench_${process.pid}" with (force)`);
      await admin.end();
    }
  }
}

/** The top self-time entries of the service's CPU profile. */
function printProfile(dir: string) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const self = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const f = byId.get(id)!;
      const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '')}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    console.log(`\nprofile ${file}: top self time`);
    for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
}

const kinds = (env.BENCH_DATABASES ?? 'pglite,postgres').split(',').map((k) => k.trim()) as ('pglite' | 'postgres')[];
const all = [];
for (const kind of kinds) {
  if (kind === 'postgres' && !(await serverReachable())) {
    console.log(`postgres: ${SERVER_URL} does not answer; skipped`);
    continue;
  }
  console.log(`\n== ${kind}: ${LISTINGS} listings, ${CONNECTIONS} connections, ${SECONDS} s each`);
  all.push(await benchDatabase(kind));
}

const targets: Record<string, Target[]> = {};
for (const { kind, results, cold, audit, trades } of all) {
  const ceiling = results[0]!.requestsPerSecond;
  console.log(`\n${kind}`);
  console.log(`${'request'.padEnd(52)} ${'req/s'.padStart(8)} ${'ratio'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'RSS MB'.padStart(7)} errors`);
  for (const r of results) {
    console.log(`${r.name.padEnd(52)} ${r.requestsPerSecond.toFixed(0).padStart(8)} ${(r.requestsPerSecond / ceiling).toFixed(3).padStart(6)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.rssMb ?? '').padStart(7)} ${r.errors}`);
  }
  console.log(`search, each of the ${cold.queries} distinct queries once, uncached: p50 ${cold.p50} ms, p99 ${cold.p99} ms, max ${cold.max} ms (one connection)`);
  const ratio = (i: number) => results[i]!.requestsPerSecond / ceiling;
  const search = results[4]!;
  const maxRss = Math.max(...results.map((r) => r.rssMb ?? 0));
  console.log(`${'audited append, 64 writers'.padEnd(52)} ${audit.appends.perSecond.toFixed(0).padStart(8)} ${(audit.appends.perSecond / audit.plainInsert.perSecond).toFixed(3).padStart(6)} ${audit.appends.p50.toFixed(1).padStart(7)} ${audit.appends.p99.toFixed(1).padStart(7)}   (ratio to a plain one-row insert transaction: ${audit.plainInsert.perSecond.toFixed(0)}/s)`);
  console.log(`integration delay p50 ${audit.integrationDelay.p50.toFixed(0)} ms, p99 ${audit.integrationDelay.p99.toFixed(0)} ms; log verifies after the run: ${audit.logVerifies}`);
  console.log(`whole trades, ${TRADE_BUYERS} buyers at once: ${trades.perSecond.toFixed(1)} trades/s settled, p50 ${trades.p50.toFixed(0)} ms, p99 ${trades.p99.toFixed(0)} ms each, ${trades.errors} failed${trades.firstError ? ` (first: ${trades.firstError})` : ''}; ledger balanced: ${trades.ledgerBalanced}`);
  console.log(`audit:verify of ${audit.verify.events} events: ${audit.verify.seconds.toFixed(1)} s (${audit.verify.ok ? 'ok' : 'FAILED'})`);
  targets[kind] = [
    { name: 'listing detail ratio', value: ratio(3), target: '>= 0.25', met: ratio(3) >= 0.25 },
    { name: '/me ratio', value: ratio(2), target: '>= 0.25', met: ratio(2) >= 0.25 },
    { name: 'search mix ratio', value: ratio(4), target: '>= 0.10', met: ratio(4) >= 0.1 },
    { name: 'search mix p99 ms', value: search.p99, target: '<= 100', met: search.p99 <= 100 },
    { name: 'whole trades/s, order to settled', value: trades.perSecond, target: '>= 200', met: trades.perSecond >= 200 && trades.errors === 0 && trades.ledgerBalanced },
    { name: 'RSS of one worker MB', value: maxRss, target: '<= 250', met: maxRss <= 250 },
    { name: 'audited appends/s', value: audit.appends.perSecond, target: '>= 3000', met: audit.appends.perSecond >= 3000 },
    { name: 'appends / plain inserts', value: audit.appends.perSecond / audit.plainInsert.perSecond, target: '>= 0.5', met: audit.appends.perSecond / audit.plainInsert.perSecond >= 0.5 },
    { name: 'integration delay p99 ms', value: audit.integrationDelay.p99, target: '<= 1000', met: audit.integrationDelay.p99 <= 1000 },
    { name: `verify ${audit.verify.events} events s`, value: audit.verify.seconds, target: '<= 10 (1,000,000 on the server)', met: audit.verify.ok && audit.verify.seconds <= 10 },
  ];
  for (const t of targets[kind]!) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.name.padEnd(34)} ${t.value.toFixed(3).padStart(12)}  target ${t.target}`);
  if (results.some((r) => r.errors > 0)) console.log('  some requests failed: see the errors column');
}

// Agreements: no database in the measure, so once, whatever the databases.
console.log('\nagreements: a three-page Chinese agreement rendered and sealed (render, signature page, PAdES seal)');
const agreements = await measureAgreements({ seconds: Math.min(SECONDS, 5) });
console.log(`  ${agreements.pages} pages, ${agreements.pdfsPerSecond.toFixed(1)} PDFs/s, median ${agreements.medianMs.toFixed(1)} ms, p99 ${agreements.p99Ms.toFixed(1)} ms, CPU ${agreements.cpuMsPerPdf.toFixed(1)} ms each, ${(agreements.bytes / 1024).toFixed(1)} KB`);
targets.agreements = [
  { name: 'sealed agreement median ms', value: agreements.medianMs, target: '<= 25', met: agreements.medianMs <= 25 },
  { name: 'sealed agreement KB', value: agreements.bytes / 1024, target: '<= 150', met: agreements.bytes <= 150 * 1024 },
];
for (const t of targets.agreements) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.name.padEnd(34)} ${t.value.toFixed(3).padStart(12)}  target ${t.target}`);

mkdirSync('bench', { recursive: true });
writeFileSync(
  join('bench', 'results.json'),
  JSON.stringify({ at: new Date().toISOString(), machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version }, settings: { SECONDS, CONNECTIONS, LISTINGS }, databases: all, agreements, targets }, null, 2) + '\n',
);
console.log('\nwritten to bench/results.json');
const missed = Object.values(targets).flat().filter((t) => !t.met);
if (env.BENCH_STRICT && missed.length) process.exitCode = 1;
