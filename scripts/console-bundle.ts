// The console's bundle: src/console/main.tsx and everything it imports (Preact, openapi-fetch, the
// styles) as one ES module and one stylesheet, names carrying their content hash, and the
// index.html that loads them. scripts/build.mjs runs it at `npm run build` (so at `npm start`);
// the browser tests run it once per change of the console's sources (test/helpers/console.ts).
// Self-contained (node: and esbuild only): build.mjs imports it before anything is compiled.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** The console's address in the service; its pages and files are served below it. */
export const CONSOLE_BASE = '/console';

export interface ConsoleBundle {
  /** The files written, relative to the output folder. */
  files: string[];
}

/** Bundles the console from `root`/src/console into `outdir` (emptied first by the caller). */
export async function bundleConsole(root: string, outdir: string): Promise<ConsoleBundle> {
  const source = join(root, 'src', 'console');
  const result = await build({
    entryPoints: [join(source, 'main.tsx')],
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // The browsers staff use at work: the last two years of Chromium, Firefox and Safari.
    target: ['chrome120', 'firefox121', 'safari17'],
    tsconfig: join(source, 'tsconfig.json'),
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => relative(outdir, join(root, file)));
  const script = outputs.find((f) => f.endsWith('.js'));
  const style = outputs.find((f) => f.endsWith('.css'));
  if (!script || !style) throw new Error(`the console bundle lacks its script or stylesheet: ${outputs.join(', ')}`);
  // No inline script or style: the Content-Security-Policy (src/plugins/console.ts) allows only
  // files of this origin. The empty data: icon keeps the browser from asking for /favicon.ico.
  const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>数据交易所 · 控制台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${CONSOLE_BASE}/${style}">
<script type="module" src="${CONSOLE_BASE}/${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>控制台需要启用 JavaScript。The console needs JavaScript.</noscript>
</body>
</html>
`;
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, 'index.html'), html);
  return { files: ['index.html', ...outputs] };
}
