import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/lib/database.js';
import { embeddedOnly, migratedDataDir } from '../helpers/database.js';
import { loadSealKey } from '../../src/modules/agreements/seal.js';
import { runTs } from '../helpers/spawn.js';

/** Runs a script the way `npm run` does, on an embedded database in `dataDir`. */
const script = (name: string, dataDir: string, args: string[] = [], env: Record<string, string> = {}) =>
  runTs(`scripts/${name}.ts`, args, { DATA_DIR: dataDir, ...env });

t.test('create the first operator, verify the chain, find a tampered event', { skip: embeddedOnly }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await migratedDataDir(dataDir);

  const refused = await script('create-user', dataDir, ['--email', 'ops@exchange.example', '--name', 'Ops']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /USER_PASSWORD must be set/);

  const created = await script('create-user', dataDir, ['--email', 'ops@exchange.example', '--name', 'Ops', '--role', 'operator', '--role', 'bureau'], {
    USER_PASSWORD: 'a long passphrase here',
  });
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /created operator\+bureau account ops@exchange\.example/);
  t.match(created.stderr, /generated .*jwt-secret/, 'the embedded default warns that it made a secret');

  const again = await script('create-user', dataDir, ['--email', 'ops@exchange.example', '--name', 'Ops'], { USER_PASSWORD: 'a long passphrase here' });
  t.equal(again.code, 1);
  t.match(again.stderr, /already exists/);

  const ok = await script('audit-verify', dataDir);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /audit log OK: 1 leaves, 1 signed checkpoints match, 0 events waiting/);
  t.match(ok.stderr, /1 of 1 leaves/, 'progress is reported');

  const database = await openDatabase({ dataDir });
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await tx.execute(sql`update audit_events set actor_role = 'operator' where seq = 1`);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
  });
  await database.close();

  const broken = await script('audit-verify', dataDir);
  t.equal(broken.code, 1);
  t.match(broken.stdout, /^audit log BROKEN: leaf 0 \(event seq 1\) does not match the leaf the log signed$/m, 'the leaf by its index, the tampered event by its seq');
});

t.test('a second process cannot open an embedded database that is in use', { skip: embeddedOnly }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-lock-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await migratedDataDir(dataDir);
  const holder = await openDatabase({ dataDir });
  t.teardown(() => holder.close());
  const second = await script('audit-verify', dataDir);
  t.equal(second.code, 2);
  t.match(second.stderr, /is in use by process \d+/);
});

/** Every command in scripts/ that package.json runs, by its npm name (the first name that runs the file). */
const commands = (() => {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const byFile = new Map<string, string>();
  for (const [name, line] of Object.entries(scripts)) {
    // `start` builds (scripts/build.mjs, also `build`) and then serves: the server is not a command here.
    if (name === 'start') continue;
    // The entry point, not the loader every TypeScript command is started with.
    const file = [...line.matchAll(/\bscripts\/[\w-]+\.(?:ts|mjs)\b/g)].map((m) => m[0]).find((f) => f !== 'scripts/typescript.mjs');
    if (file && ![...byFile.values()].includes(file)) byFile.set(name, file);
  }
  return [...byFile];
})();

/** Runs the jobs two at a time (the machines have two cores), in order. */
async function twoAtATime<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) results.push(...(await Promise.all(jobs.slice(i, i + 2).map((job) => job()))));
  return results;
}

/** An empty DATA_DIR that must stay empty: a command that only reads its arguments opens no database. */
function untouchedDataDir(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'dx-cli-help-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('every command answers --help with usage, options and examples, and opens nothing', { skip: embeddedOnly }, async (t) => {
  t.ok(commands.length >= 9, `the commands of package.json (${commands.map(([n]) => n).join(', ')})`);
  const dataDir = untouchedDataDir(t);
  const runs = await twoAtATime(commands.map(([, file]) => () => runTs(file, ['--help'], { DATA_DIR: dataDir })));
  commands.forEach(([name], i) => {
    const run = runs[i]!;
    t.equal(run.code, 0, `${name} --help exits 0: ${run.stderr}`);
    t.match(run.stdout, new RegExp(`^npm run ${name}\\b`), `${name}: usage first`);
    t.match(run.stdout, /\nOptions:\n[\s\S]*--help[\s\S]*\nExit codes:\n/, `${name}: options and exit codes`);
    if (name !== 'build') t.match(run.stdout, /\nExamples:\n {2}\S/, `${name}: examples`);
  });
  t.same(readdirSync(dataDir), [], 'no database was opened, nothing was written');
  t.notOk(existsSync('--help'), 'npm run openapi -- --help writes no file named --help');
});

t.test('a wrong argument is one line on stderr and exit 2, before anything is opened', { skip: embeddedOnly }, async (t) => {
  const dataDir = untouchedDataDir(t);
  const cases: [string, string[], RegExp][] = [
    ['scripts/settlement-reconcile.ts', [], /^settlement:reconcile: the period is required: --from DATE and --to DATE, or --last-hours N\n/],
    ['scripts/settlement-reconcile.ts', ['--frm', '2026-01-01'], /^settlement:reconcile: Unknown option '--frm'\n/],
    ['scripts/settlement-reconcile.ts', ['--from', 'yesterday', '--to', '2026-12-01'], /^settlement:reconcile: --from takes an ISO 8601 date/],
    ['scripts/settlement-reconcile.ts', ['--last-hours', '0'], /--last-hours takes a whole number above 0, got "0"/],
    ['scripts/openapi.ts', ['a.json', 'b.json'], /^openapi: takes at most 1 argument \(FILE\), got 2/],
    ['scripts/audit-verify.ts', ['now'], /^audit:verify: takes no arguments, got "now"/],
    ['scripts/create-user.ts', ['--email'], /^create-user: Option '--email <value>' argument missing/],
    ['scripts/build.mjs', ['--watch'], /^build: Unknown option '--watch'/],
  ];
  const runs = await twoAtATime(cases.map(([file, args]) => () => runTs(file, args, { DATA_DIR: dataDir })));
  cases.forEach(([file, args, message], i) => {
    const run = runs[i]!;
    const what = `${file} ${args.join(' ')}`;
    t.equal(run.code, 2, `${what}: exit 2`);
    t.match(run.stderr, message, `${what}: says what is wrong`);
    t.match(run.stderr, /Run `npm run [\w:-]+ -- --help` for usage\.\n$/, `${what}: and where to read more`);
    t.equal(run.stderr.split('\n').filter(Boolean).length, 2, `${what}: in one line, no stack`);
  });
  t.same(readdirSync(dataDir), [], 'no database was opened');
});

t.test('npm run seal:create makes a PKCS#12 seal the server accepts, and will not overwrite one', { skip: embeddedOnly }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-seal-create-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'secrets', 'seal.p12');
  const made = await runTs('scripts/seal-create.ts', ['--out', join(dir, 'secrets', 'seal.p12'), '--name', 'Chongqing Data Exchange contract seal'], {});
  t.equal(made.code, 0, made.stderr);
  t.match(made.stderr, /making a 2048-bit RSA key/, 'progress on stderr');
  t.match(made.stdout, new RegExp(`AGREEMENT_SEAL_P12=${out}\n`), 'the settings to use are printed');
  const passphrase = readFileSync(`${out}.passphrase`, 'utf8').trim();
  t.equal(statSync(out).mode & 0o777, 0o600, 'the seal is private');
  t.equal(statSync(`${out}.passphrase`).mode & 0o777, 0o600, 'and so is its passphrase');
  t.match((await loadSealKey(out, passphrase)).certificate.subject, /CN=Chongqing Data Exchange contract seal/);
  t.equal(statSync(join(dir, 'secrets')).mode & 0o777, 0o700, 'in a private directory it made');
  const server = { DATABASE_URL: 'postgres://127.0.0.1:5432/x', JWT_SECRET: 'j'.repeat(40), IDENTITY_KEY: Buffer.alloc(32, 1).toString('base64'), AUDIT_LOG_KEY: Buffer.alloc(32, 2).toString('base64') };
  t.equal(loadConfig({ ...server, AGREEMENT_SEAL_P12: out, AGREEMENT_SEAL_PASSPHRASE: passphrase }, () => {}).agreementSeal.p12Path, out, 'a server configuration takes it');

  const again = await runTs('scripts/seal-create.ts', ['--out', out, '--quiet'], {});
  t.equal(again.code, 2, 'an existing seal is not replaced');
  t.match(again.stderr, /seal\.p12 exists; use --force/);
  const chinese = await runTs('scripts/seal-create.ts', ['--out', join(dir, 'other.p12'), '--name', '合同专用章'], {});
  t.equal(chinese.code, 2, 'a name beyond ASCII is refused before anything is written');
  t.notOk(existsSync(join(dir, 'other.p12')));
  t.equal(readFileSync(`${out}.passphrase`, 'utf8').trim(), passphrase, 'and stays as it was');
  const forced = await runTs('scripts/seal-create.ts', ['--out', out, '--force', '--quiet'], {});
  t.equal(forced.code, 0, forced.stderr);
  t.equal(forced.stderr, '', '--quiet: no progress');
});

t.test('the openssl recipe of docs/operations.md makes a seal the service reads', { skip: embeddedOnly }, async (t) => {
  const operations = readFileSync('docs/operations.md', 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(operations.slice(operations.indexOf('**With `openssl`**')))?.[1];
  t.ok(block?.includes('openssl pkcs12 -export'), 'the recipe is there');
  const dir = mkdtempSync(join(tmpdir(), 'dx-seal-openssl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('bash', ['-c', `set -euo pipefail\n${block}`], { cwd: dir, stdio: 'pipe' });
  const key = await loadSealKey(join(dir, 'seal.p12'), readFileSync(join(dir, 'seal.passphrase'), 'utf8').trim());
  t.match(key.certificate.subject, /CN=Data exchange agreement seal/);
  t.notOk(existsSync(join(dir, 'seal.key')), 'the loose private key is removed');
});
