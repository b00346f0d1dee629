// Loaded before the service (`npm start`: `node --import ./scripts/module-cache.mjs dist/server.js`)
// and before every TypeScript entry point (scripts/typescript.mjs imports it), so that each process
// starts in well under half the time:
//
// - V8's compiled code of each module is kept on disk (Node's compile cache, in
//   os.tmpdir()/node-compile-cache unless NODE_COMPILE_CACHE names another directory) and used again
//   while the file's content is unchanged: about 0.5 s of CPU less to load the app. Not while V8
//   collects coverage (the test files under tap): functions read from the cache lose their
//   block-level counts, and coverage would read lower than it is;
// - how Node resolved each import is remembered. To resolve a module, Node reads the package.json
//   that governs it, and it takes that file's `exports` (and to tell ESM from CommonJS, its `type`)
//   anew for every import. drizzle-orm's package.json is 178 KB and lists each of its hundreds of
//   files, so loading the app spent 1.4 s of its 2.4 s in package.json reading and the garbage it
//   made (`node --cpu-prof`, Node 24.21).
//
// Two resolution caches, each keyed so that a hit gives exactly what Node gave the first time:
// - a bare specifier (`drizzle-orm/pg-core`) resolves to the same file from anywhere in one package,
//   for one set of conditions (import and require differ): key = importer's package, specifier,
//   conditions. The project's own files are one package;
// - a relative `.js` import inside node_modules (a package's files importing each other) gets the
//   format Node gave the first file resolved in the same directory: a `.js` file's format depends
//   only on the package.json that governs its directory.
// Node still reads every file; only the repeated package.json work is skipped.
import { enableCompileCache, registerHooks } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

if (!process.env.NODE_V8_COVERAGE) enableCompileCache();

const bareResolutions = new Map();
const formatOfDirectory = new Map();

/** `file:///…/node_modules/@scope/name` for a file inside a package, `''` for the project's own. */
function packageOf(url) {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return '';
  const [first, second] = url.slice(at + '/node_modules/'.length).split('/');
  return url.slice(0, at + '/node_modules/'.length) + (first.startsWith('@') ? `${first}/${second}` : first);
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (!parent?.startsWith('file:')) return nextResolve(specifier, context);
    if (specifier.startsWith('.')) {
      if (!specifier.endsWith('.js') || !parent.includes('/node_modules/')) return nextResolve(specifier, context);
      const url = new URL(specifier, parent).href;
      const directory = url.slice(0, url.lastIndexOf('/'));
      const format = formatOfDirectory.get(directory);
      if (format) return { url, format, shortCircuit: true };
      const resolved = nextResolve(specifier, context);
      if (resolved.url === url && (resolved.format === 'module' || resolved.format === 'commonjs')) formatOfDirectory.set(directory, resolved.format);
      return resolved;
    }
    // Absolute paths, URLs and `node:` builtins are cheap already.
    if (specifier.startsWith('/') || specifier.includes(':')) return nextResolve(specifier, context);
    const key = `${packageOf(parent)}\0${specifier}\0${context.conditions?.join() ?? ''}`;
    let resolved = bareResolutions.get(key);
    if (!resolved) {
      resolved = nextResolve(specifier, context);
      bareResolutions.set(key, resolved);
    }
    return { ...resolved, shortCircuit: true };
  },
});
