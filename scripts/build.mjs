// `npm run build` (and the first step of `npm start`): transpiles src/**/*.ts to plain ES modules in
// dist/, one file per source file, next to their source maps, and bundles the web console
// (src/console, for the browser) into dist/console (scripts/console-bundle.ts). The service then
// runs on Node.js alone: a TypeScript loader transforms every module at each start and keeps the
// transformed text in memory (tsx, with its inlined source maps, took about 75 MB of a worker's RSS). Types are checked by
// `npm run typecheck`, not here; esbuild only strips them (a second or so).
import { readdirSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleConsole } from './console-bundle.ts';

// Plain JavaScript (it runs before anything is compiled), so it cannot use scripts/cli.ts; it
// answers like the other commands all the same.
const usage = `npm run build

Transpiles src/**/*.ts to dist/ and bundles the console (src/console) into dist/console
(esbuild, about a second); npm start runs it first. Types are checked by npm run typecheck, not
here.

Options:
  -h, --help  show this help and exit

Exit codes:
  0  built
  1  esbuild reported an error
  2  wrong arguments
`;
try {
  const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
} catch (err) {
  process.stderr.write(`build: ${err.message.replace(/\. To specify a positional argument.*$/s, '')}\nRun \`npm run build -- --help\` for usage.\n`);
  process.exit(2);
}

// Run from the project's root, as npm runs it.
const root = process.cwd();
const src = join(root, 'src');
const out = join(root, 'dist');

/** Every TypeScript file of the service: under src, but not the console, which runs in the browser. */
const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith(`console${sep}`))
  .map((f) => join(src, f));

// dist mirrors src at the same depth, so paths the code finds from its own file
// (`../../db/migrations`, `../../../templates`) point at the same folders from either.
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: sources,
  outbase: src,
  outdir: out,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  sourcemap: 'linked',
  logLevel: 'warning',
});
await bundleConsole(root, join(out, 'console'));
