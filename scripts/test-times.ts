// Where the suite's time goes: runs the suite (`npm test`, with any arguments given after `--`)
// and prints every file's time, their sum and the wall time; or, with --summary, only summarises the
// run that has just ended (CI runs `npm test` itself and then this). Times come from tap's own
// records: the file's result (`.tap/test-results`, its `# time=` line, the time tap reports) and
// its process (`.tap/processinfo`, from start to exit, so loading and compiling count too).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCli } from './cli.js';

const cli = parseCli({
  name: 'test:times',
  summary: 'Runs the test suite as `npm test` does (any tap arguments after a second `--`) and prints each file\'s time, their sum and the wall time.',
  usage: ['[--top N] [-- TAP ARGUMENTS]', '--summary [--since EPOCH_SECONDS] [--wall SECONDS] [--top N]'],
  options: {
    summary: { type: 'boolean', default: false, description: 'do not run the suite: summarise the run that ended last' },
    since: { type: 'string', value: 'EPOCH_SECONDS', description: "with --summary: only files written since then (the run's start)" },
    wall: { type: 'string', value: 'SECONDS', description: "with --summary: the run's wall time, as measured by the caller" },
    top: { type: 'string', value: 'N', description: 'list only the N slowest files (default: all)' },
  },
  positionals: { names: 'TAP ARGUMENTS', min: 0, max: Infinity },
  examples: [
    'npm run test:times',
    'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run test:times',
    'npm run test:times -- --top 10 -- test/app/fuzz.test.ts',
  ],
  exitCodes: ['0  every test passed', '1  a test failed (the times are printed all the same)', '2  bad arguments'],
});
const { values, positionals } = cli;
if (values.summary && positionals.length > 0) cli.usageError('--summary runs nothing, so it takes no tap arguments');

const number = (name: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) cli.usageError(`--${name} takes a number, got "${text}"`);
  return n;
};

const resultsDir = '.tap/test-results';
const processInfoDir = '.tap/processinfo';

interface FileTime {
  file: string;
  /** tap's own time for the file, ms. */
  tap: number;
  /** The file's process from start to exit, ms (undefined when tap kept no record of it). */
  process: number | undefined;
  ok: boolean;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function collect(sinceMs: number): FileTime[] {
  const processTimes = new Map<string, number>();
  for (const path of walk(processInfoDir)) {
    if (!path.endsWith('.json') || statSync(path).mtimeMs < sinceMs) continue;
    const info = JSON.parse(readFileSync(path, 'utf8')) as { externalID?: string; runtime?: number };
    if (info.externalID && typeof info.runtime === 'number') processTimes.set(info.externalID, info.runtime);
  }
  const times: FileTime[] = [];
  for (const path of walk(resultsDir)) {
    if (!path.endsWith('.tap') || statSync(path).mtimeMs < sinceMs) continue;
    const text = readFileSync(path, 'utf8');
    const file = relative(resultsDir, path).replace(/\.tap$/, '');
    const last = [...text.matchAll(/^# time=([\d.]+)ms$/gm)].at(-1);
    const failed = /^not ok /m.test(text);
    times.push({ file, tap: last ? Number(last[1]) : NaN, process: processTimes.get(file), ok: !failed && Boolean(last) });
  }
  return times.sort((a, b) => (b.tap || 0) - (a.tap || 0));
}

const seconds = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(1));

function report(times: FileTime[], wallMs: number | undefined, top: number | undefined) {
  const database = process.env.TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
  const shown = top === undefined ? times : times.slice(0, top);
  const width = Math.max(4, ...shown.map((t) => t.file.length));
  const lines = [
    '',
    `=== test times: ${database}, Node.js ${process.version}, ${times.length} files ===`,
    `${'file'.padEnd(width)}  ${'tap s'.padStart(7)}  ${'process s'.padStart(9)}`,
    ...shown.map((t) => `${t.file.padEnd(width)}  ${seconds(t.tap).padStart(7)}  ${seconds(t.process).padStart(9)}${t.ok ? '' : '  (failed or unfinished)'}`),
  ];
  const sum = (pick: (t: FileTime) => number | undefined) => times.reduce((s, t) => s + (pick(t) || 0), 0);
  lines.push(`sum of the files' times: ${seconds(sum((t) => t.tap))} s as tap counts them, ${seconds(sum((t) => t.process))} s of their processes`);
  if (wallMs !== undefined) lines.push(`wall time: ${seconds(wallMs)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const top = number('top', values.top);
if (values.summary) {
  const since = number('since', values.since);
  const wall = number('wall', values.wall);
  report(collect(since === undefined ? 0 : since * 1000), wall === undefined ? undefined : wall * 1000, top);
} else {
  const started = Date.now();
  // Whole seconds, as file times are compared with the start: a file written in the first second counts.
  const since = Math.floor(started / 1000) * 1000;
  const child = spawn('npx', ['tap', ...positionals], { stdio: 'inherit' });
  const code = await new Promise<number>((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  report(collect(since), Date.now() - started, top);
  process.exit(code);
}
