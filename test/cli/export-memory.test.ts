// A period of many audit events exports from a server whose JavaScript heap is held to a small
// limit: the export streams (src/lib/tabular-export.ts), so the rows never sit in memory together.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import t from 'tap';
import { pgliteExtensions } from '../../src/lib/database.js';
import { testSealEnv } from '../helpers/agreements.js';
import { freshDatabase, migratedDataDir, serverUrl } from '../helpers/database.js';
import { typescriptLoader } from '../helpers/spawn.js';

/**
 * The whole service does not start within 96 MB of heap (it stops at about 95 MB while starting),
 * so an export has about 65 MB to itself. Measured here with that much heap: the rows of 100,000
 * events held as objects do not fit, nor does an exceljs workbook of 20,000 such rows built in
 * memory (10,000 take 56 MB). So the CSV of 100,000 events and the XLSX of 20,000 each prove that
 * the export streams; more rows would only take longer (exceljs writes about 3,500 rows a second).
 * PGlite's CSV is of 20,000 (seeding is slower there); EXPORT_MEMORY_ROWS=1000000 runs the full size.
 */
const HEAP_MB = 160;
const ROWS = Number(process.env.EXPORT_MEMORY_ROWS ?? (serverUrl ? 100_000 : 20_000));
const XLSX_ROWS = Math.min(ROWS, Number(process.env.EXPORT_MEMORY_XLSX_ROWS ?? 20_000));
/** Events are 10 ms apart from the start of 2026, the first at 10 ms: each period holds the first N. */
const periodOf = (rows: number) => `from=2026-01-01T00:00:00Z&to=${new Date(Date.UTC(2026, 0, 1) + rows * 10 + 1).toISOString()}`;

/**
 * The period's events in one statement; taken off the sequencer's and the notifier's queues, as
 * integrating them and notifying no one of them is not what is measured.
 */
const seed = [
  `insert into audit_events (occurred_at, action, subject_type, subject_id, payload, party_ids)
   select timestamptz '2026-01-01T00:00:00Z' + g * interval '10 milliseconds', 'test.bulk_seeded', 'bulk', g::text,
          jsonb_build_object('n', g, 'note', '批量导出测试'), '{}'
   from generate_series(1, ${ROWS}) g`,
  'delete from audit_pending',
  'delete from notification_pending',
];

/** `node --max-old-space-size` running the server as `npm start` does; resolves with its URL and setup token. */
function startSmallServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...typescriptLoader, 'src/server.ts'], {
    env: { PATH: process.env.PATH, _TAPJS_PROCESSINFO_COVERAGE_: '0', PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearInterval(timer);
        resolve(url);
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`server exited: ${output}`));
    });
  });
  /** Peak resident memory so far (Linux), in MB. */
  const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
  return { child, exited, listening, peakRssMb, output: () => output };
}

async function countLines(body: ReadableStream<Uint8Array>): Promise<number> {
  let lines = 0;
  for await (const chunk of body) for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

async function countXlsxRows(body: ReadableStream<Uint8Array>): Promise<number> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.fromWeb(body as never), { worksheets: 'emit', sharedStrings: 'ignore', styles: 'ignore', hyperlinks: 'ignore', entries: 'ignore' });
  let rows = 0;
  for await (const sheet of reader) for await (const row of sheet as AsyncIterable<unknown>) if (row) rows++;
  return rows;
}

t.test(`${ROWS} audit events export as CSV, and ${XLSX_ROWS} as XLSX, from a server with a ${HEAP_MB} MB heap`, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-export-memory-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  let env: Record<string, string> = { DATA_DIR: dataDir };
  let started = Date.now();
  if (serverUrl) {
    const database = await freshDatabase();
    t.teardown(() => database.dispose());
    for (const statement of seed) await database.handle.db.execute(sql.raw(statement));
    await database.handle.close();
    const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), IDENTITY_KEY: randomBytes(32).toString('base64'), AUDIT_LOG_KEY: randomBytes(32).toString('base64') };
    env = { ...env, ...testSealEnv, ...secrets, DATABASE_URL: database.url!, WEB_CONCURRENCY: '1' };
  } else {
    await migratedDataDir(dataDir);
    const pglite = new PGlite(join(dataDir, 'pgdata'), { extensions: pgliteExtensions });
    await pglite.exec(seed.join(';\n'));
    await pglite.close();
  }
  const seeded = Date.now() - started;

  const server = startSmallServer(env);
  t.teardown(() => server.child.kill('SIGKILL'));
  const url = await server.listening;
  const token = /one-time setup token ([A-Za-z0-9_-]+)/.exec(server.output())?.[1] ?? readFileSync(join(dataDir, 'secrets', 'setup-token'), 'utf8').trim();
  const operator = { email: 'ops@exchange.example', password: 'operator passphrase 1', displayName: '运营人员' };
  const post = (path: string, body: object) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.equal((await post('/setup/operator', { ...operator, token })).status, 201, 'the first operator');
  const { accessToken } = (await (await post('/auth/login', { email: operator.email, password: operator.password })).json()) as { accessToken: string };
  const exportOf = (format: string, rows: number) => fetch(`${url}/exports/audit-events?${periodOf(rows)}&format=${format}`, { headers: { authorization: `Bearer ${accessToken}` } });

  started = Date.now();
  const csv = await exportOf('csv', ROWS);
  t.equal(csv.status, 200);
  t.equal(await countLines(csv.body!), ROWS + 1, 'the header and every event, as CSV');
  const csvSeconds = (Date.now() - started) / 1000;

  started = Date.now();
  const xlsx = await exportOf('xlsx', XLSX_ROWS);
  t.equal(xlsx.status, 200);
  t.equal(await countXlsxRows(xlsx.body!), XLSX_ROWS + 1, 'the header and every event, as XLSX');
  const xlsxSeconds = (Date.now() - started) / 1000;

  const peak = server.peakRssMb();
  t.notMatch(server.output(), /heap limit|out of memory/i, 'the server did not run out of memory');
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null }, 'and stops cleanly', { serverOutput: server.output().slice(-3000) });
  t.comment(`${serverUrl ? 'PostgreSQL' : 'PGlite'}: seeded ${ROWS} in ${(seeded / 1000).toFixed(1)} s; CSV in ${csvSeconds.toFixed(1)} s; ${XLSX_ROWS} as XLSX in ${xlsxSeconds.toFixed(1)} s; server peak RSS ${peak.toFixed(0)} MB with a ${HEAP_MB} MB heap limit`);
});
