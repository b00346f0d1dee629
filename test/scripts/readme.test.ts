import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';

/**
 * The README's walk-through, run as written: every `sh` block of the section, in order, in one
 * shell, against one server started as `npm start` starts it, on a fresh `./data`. The only changes
 * are the port (the server takes a free one instead of 3000) and `curl`, which fails on any HTTP
 * error instead of printing it, so a step that answers a problem document fails the test.
 */

const root = resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Walk-through with curl'), readme.indexOf('\n## Reference'));
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
// `npm run audit:verify` reads the embedded database directly, so it runs with the server stopped.
const serverStopped = (block: string) => /^npm run audit:verify\s/m.test(block);

t.test('the README walk-through runs top to bottom against one running server', async (t) => {
  t.ok(blocks.length >= 10, `the walk-through has its shell blocks (${blocks.length})`);
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
  const server = spawn(process.execPath, ['--enable-source-maps', 'dist/server.js'], { cwd: work, env: { ...env, PORT: '0' } });
  t.teardown(() => server.kill('SIGKILL'));
  let log = '';
  server.stdout.on('data', (d: Buffer) => (log += d));
  server.stderr.on('data', (d: Buffer) => (log += d));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setInterval(() => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match) resolvePromise(match[1]!);
      if (match) clearInterval(timer);
    }, 50);
    server.on('exit', () => (clearInterval(timer), reject(new Error(`server exited: ${log}`))));
  });

  const [prelude, ...steps] = blocks.filter((b) => !serverStopped(b));
  const script = [
    'set -euo pipefail',
    'curl() { command curl --silent --show-error --fail-with-body "$@"; }',
    prelude,
    `API=${url}`,
    ...steps.map((step, i) => `echo "--- step ${i + 1}" >&2\n${step}`),
  ].join('\n');
  const run = spawn('bash', ['-c', script], { cwd: work, env });
  let out = '';
  run.stdout.on('data', (d: Buffer) => (out += d));
  run.stderr.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((r) => run.on('close', r));
  t.equal(code, 0, `every step succeeds; the output ends with:\n${out.slice(-3000)}`);
  t.notMatch(out, /"type":"\/problems\//, 'no step answered a problem document');
});
