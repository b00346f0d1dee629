import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import t from 'tap';
import { embeddedOnly, serverUrl } from '../helpers/database.js';

/**
 * The walk-through of docs/getting-started.md, run as written: every `sh` block of the section, in
 * order, in one shell, against one server started as `npm start` starts it, on a fresh `./data`;
 * then every `sh` block of docs/public-data.md and of docs/procurement.md, which continue it in
 * the same shell; then the server is stopped and the blocks of the walk-through's last step (the
 * command-line tools that open the embedded database) run. The only changes are the port (the server takes a free one
 * instead of 3000) and `curl`, which fails on any HTTP error instead of printing it, so a step that
 * answers a problem document fails the test.
 */

const root = resolve(import.meta.dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8');
const section = guide.slice(guide.indexOf('## Walk-through with curl'));
const stoppedAt = section.indexOf('### Stop the server');
const blocksOf = (text: string) => [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const [prelude, ...steps] = blocksOf(section.slice(0, stoppedAt));
const afterStop = blocksOf(section.slice(stoppedAt));
const publicData = blocksOf(readFileSync(join(root, 'docs', 'public-data.md'), 'utf8'));
const procurement = blocksOf(readFileSync(join(root, 'docs', 'procurement.md'), 'utf8'));

/** A block to run, and the name its failure is reported under. */
interface Step {
  name: string;
  text: string;
}
const named = (doc: string, blocks: string[]): Step[] => blocks.map((text, i) => ({ name: `${doc}step ${i + 1}`, text }));

/** Runs `blocks` in one bash, each announced on stderr; resolves with the exit code and the output. */
async function runSteps(work: string, env: Record<string, string | undefined>, url: string, blocks: Step[]) {
  const script = [
    'set -euo pipefail',
    'curl() { command curl --silent --show-error --fail-with-body "$@"; }',
    prelude,
    `API=${url}`,
    ...blocks.map((step) => `echo "--- ${step.name}" >&2\n${step.text}`),
  ].join('\n');
  const run = spawn('bash', ['-c', script], { cwd: work, env });
  let out = '';
  run.stdout.on('data', (d: Buffer) => (out += d));
  run.stderr.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((r) => run.on('close', r));
  return { code, out };
}

t.test('the walk-through of docs/getting-started.md, then docs/public-data.md and docs/procurement.md, runs top to bottom against one running server', { skip: embeddedOnly }, async (t) => {
  t.ok(steps.length >= 10, `the walk-through has its shell blocks (${steps.length})`);
  t.ok(stoppedAt > 0 && afterStop.length >= 1, 'and ends with the tools that run once the server is stopped');
  t.ok(publicData.length >= 15, `the public-data journeys have their shell blocks (${publicData.length})`);
  t.ok(procurement.length >= 10, `the procurement journeys have their shell blocks (${procurement.length})`);
  t.notMatch([...steps, ...publicData, ...procurement].join('\n'), /^npm run (audit:verify|create-user|settlement:reconcile|trading:sweep|agreements:sweep)\b/m, 'no step opens the embedded database while the server holds it');
  const work = mkdtempSync(join(tmpdir(), 'dx-readme-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  // A fresh directory that looks like a clone: the walk-through writes its files and ./data there.
  for (const entry of ['package.json', 'node_modules', 'src', 'db', 'scripts', 'templates', 'tsconfig.json']) {
    symlinkSync(join(root, entry), join(work, entry));
  }
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, _TAPJS_PROCESSINFO_COVERAGE_: '0', LOG_LEVEL: 'info' };
  // `npm start`: build, then serve from dist.
  const build = spawn(process.execPath, ['scripts/build.mjs'], { cwd: work, env, stdio: 'inherit' });
  t.equal(await new Promise<number | null>((r) => build.on('close', r)), 0, 'the build succeeds');
  const server = spawn(process.execPath, ['--enable-source-maps', '--import', './scripts/module-cache.mjs', 'dist/server.js'], { cwd: work, env: { ...env, PORT: '0' } });
  t.teardown(() => server.kill('SIGKILL'));
  const exited = new Promise<number | null>((r) => server.on('exit', r));
  let log = '';
  server.stdout.on('data', (d: Buffer) => (log += d));
  server.stderr.on('data', (d: Buffer) => (log += d));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setInterval(() => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match) resolvePromise(match[1]!);
      if (match) clearInterval(timer);
    }, 50);
    void exited.then(() => (clearInterval(timer), reject(new Error(`server exited: ${log}`))));
  });

  // npm start serves the console it built (docs/console.md), its page and its script.
  const consolePage = await fetch(`${url}/console/`);
  t.equal(consolePage.status, 200, 'npm start serves the console at /console');
  const consoleScript = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await consolePage.text())?.[1];
  t.equal(consoleScript && (await fetch(`${url}${consoleScript}`)).headers.get('content-type'), 'text/javascript; charset=utf-8', 'with the script it bundled');

  const running = await runSteps(work, env, url, [...named('', steps), ...named('public-data ', publicData), ...named('procurement ', procurement)]);
  t.equal(running.code, 0, `every step succeeds; the output ends with:\n${running.out.slice(-3000)}`);
  t.notMatch(running.out, /"type":"\/problems\//, 'no step answered a problem document');
  const file = (name: string) => readFileSync(join(work, name), 'utf8');
  t.equal(file('received.csv'), file('passengers.csv'), 'public data: the verified buyer downloads the unconditional entry as uploaded');
  t.equal(file('boardings-received.csv'), file('boardings.csv'), 'the applicant downloads the conditional entry under its sealed agreement');
  t.equal(file('boardings-shared.csv'), file('boardings.csv'), 'the second department downloads it under its sharing request');
  t.match(running.out, /"readAt":null,"agreement":\{[^{]*"kind":"utilization","status":"signed"/, "the bureau's inbox holds the sealed utilization agreement");
  t.match(running.out, /\btrue\n/, 'the operator replays the trade from the audit log with no difference');
  t.match(running.out, /\boutcome_cited\n/, 'the order to cite the source is corrected by the citation');
  t.match(running.out, /\bcorrected\n/, 'the objection closes as corrected by the new version');

  // Central procurement, the "done means": the outputs the journey keeps in files.
  const json = (name: string) => JSON.parse(file(name)) as Record<string, unknown>;
  t.match(json('statement-import.json'), { created: true, lines: [{ status: 'posted', direction: 'credit', amountMinor: 500_000 }] }, "the imported statement's one line is matched to the bureau's payment and posted");
  t.equal((json('statement-import.json').lines as unknown[]).length, 1);
  t.equal(file('procured-1.csv'), file('ridership.csv'), 'the first department downloads the declared bytes with its own grant');
  t.equal(file('procured-2.csv'), file('ridership.csv'), 'and so does the second');
  const reports = [json('usage-report-1.json'), json('usage-report-2.json')];
  t.match(reports, [{ period: 1, late: false }, { period: 1, late: false }], 'each department reports its use of the first period');
  t.not(reports[0]!.departmentPartyId, reports[1]!.departmentPartyId, 'each for its own party');
  t.match(json('overview.json'), { orders: { byStatus: { completed: 2 } }, procurement: { usageReportsOverdue: { count: 0 } } }, 'the operator sees both trades completed in the overview');
  t.match(file('orders.csv'), /^\uFEFF/, 'the export is CSV with a byte-order mark');
  t.match(file('orders.csv'), /\n[^\n]*completed[^\n]*重庆市大数据应用发展管理局|\n[^\n]*重庆市大数据应用发展管理局[^\n]*completed/, "the procurement's order is exported, bought by the bureau");
  t.match(json('replay.json'), { consistent: true, replayedStatus: 'completed', findings: [] }, 'the replay from the audit log finds no difference');
  t.match(json('reconciliation.json'), { checked: { payments: 2, payouts: 2, refunds: 0 }, mismatches: [] }, 'the reconciliation the doc prints is true');

  server.kill('SIGTERM');
  t.equal(await exited, 0, 'the server stops (Ctrl-C)');
  const stopped = await runSteps(work, env, url, named('', afterStop));
  t.equal(stopped.code, 0, `the command-line tools succeed on the stopped server's database:\n${stopped.out.slice(-3000)}`);
  t.match(stopped.out, /audit log OK: \d+ leaves/, 'the log verifies');
  t.match(stopped.out, /settlement .*: 2 payments, 2 payouts, 0 refunds checked, 0 mismatches/, 'and both trades reconcile');
});

const hasCreatedb = (() => {
  try {
    execFileSync('createdb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

t.test('the server quick start of docs/operations.md runs as written on a PostgreSQL server', { skip: !serverUrl ? 'TEST_DATABASE_URL is not set' : !hasCreatedb ? 'createdb is not installed' : false }, async (t) => {
  const operations = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
  const block = blocksOf(operations.slice(operations.indexOf('## Running on a PostgreSQL server')))[0]!;
  const server = new URL(serverUrl!);
  const name = `dx_quickstart_${process.pid}`;
  // The one change: a database of its own on the test server instead of `exchange`.
  const script = block.replace('-U postgres exchange ', `-U postgres ${name} `).replace('@127.0.0.1:5432/exchange', `@${server.host}/${name}`);
  t.ok(script.includes(`createdb -h 127.0.0.1 -U postgres ${name}`) && script.includes(`/${name}\n`), 'the database is named in both places');
  t.match(script, /\nnpm start\s*$/, 'the block ends by starting the service');
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
  t.teardown(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);

  const work = mkdtempSync(join(tmpdir(), 'dx-quickstart-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  for (const entry of ['package.json', 'node_modules', 'src', 'db', 'scripts', 'templates', 'tsconfig.json']) symlinkSync(join(root, entry), join(work, entry));
  // Its own process group, so the test stops npm and every process it started.
  const shell = spawn('bash', ['-c', `set -euo pipefail\n${script}`], {
    cwd: work,
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, _TAPJS_PROCESSINFO_COVERAGE_: '0', PORT: '0', WEB_CONCURRENCY: '2', LOG_LEVEL: 'info' },
  });
  const stopAll = (signal: NodeJS.Signals) => {
    try {
      process.kill(-shell.pid!, signal);
    } catch {
      // already gone
    }
  };
  t.teardown(() => stopAll('SIGKILL'));
  let log = '';
  shell.stdout.on('data', (d: Buffer) => (log += d));
  shell.stderr.on('data', (d: Buffer) => (log += d));
  const exited = new Promise<number | null>((r) => shell.on('exit', r));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setInterval(() => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match) clearInterval(timer);
      if (match) resolvePromise(match[1]!);
    }, 100);
    void exited.then(() => (clearInterval(timer), reject(new Error(`the quick start stopped: ${log.slice(-3000)}`))));
  });
  t.equal((await fetch(`${url}/ready`)).status, 200, 'the service is ready on the server database');
  t.match(readFileSync(join(work, 'exchange.env'), 'utf8'), /^AGREEMENT_SEAL_PASSPHRASE=\S{20,}$/m, 'with the seal it made');
  stopAll('SIGTERM');
  await exited;
});
