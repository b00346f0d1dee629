// No import circles in src/. A module that needs an answer from another declares the interface
// (trading/ports.ts, catalog/ports.ts) and src/app.ts wires the other in; a circle means two files
// (or two modules) can no longer be read, tested or loaded one without the other. Type-only imports
// count too: they tie the files together just the same for a reader.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Relative specifiers of every static import, re-export and dynamic import in a TypeScript text. */
export function importsOf(text: string): string[] {
  // Lines of comments go (an example in a doc comment is not an import); strings are left alone.
  const withoutComments = text.replace(/^\s*(?:\/\/|\/?\*).*$/gm, '');
  const statements = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  return [...withoutComments.matchAll(statements)].map((m) => (m[1] ?? m[2])!);
}

/** The import graph of a folder's .ts files, by path relative to it; `.js` specifiers name `.ts` files. */
function importGraph(root: string): Map<string, string[]> {
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(root, f));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const targets = importsOf(readFileSync(file, 'utf8')).map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      return [relative(root, file), [...new Set(targets.filter((f) => known.has(f)))].map((f) => relative(root, f))];
    }),
  );
}

/** Every set of files that import one another in a circle (Tarjan's strongly connected components). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

t.test('the detector reads every form of import and finds circles', async (t) => {
  const source = [
    "import { a } from './a.js';",
    "import type { B } from '../b/b.js';",
    "import {\n  c,\n  type C,\n} from './c.js';",
    "export { d } from './d.js';",
    "export * from './e.js';",
    "import './f.js';",
    "const g = await import('./g.js');",
    "import fastify from 'fastify';",
    "// import { h } from './h.js';",
  ].join('\n');
  t.same(importsOf(source), ['./a.js', '../b/b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  const graph = new Map([
    ['catalog/listings.ts', ['trading/lineage.ts']],
    ['trading/lineage.ts', ['catalog/views.ts']],
    ['catalog/views.ts', ['catalog/listings.ts']],
    ['identity/queries.ts', ['identity/service.ts']],
    ['identity/service.ts', ['identity/queries.ts', 'identity/tables.ts']],
    ['identity/tables.ts', []],
    ['self.ts', ['self.ts']],
  ]);
  t.same(cyclesOf(graph), [['catalog/listings.ts', 'catalog/views.ts', 'trading/lineage.ts'], ['identity/queries.ts', 'identity/service.ts'], ['self.ts']]);
});

t.test('no file in src imports itself back through others', async (t) => {
  const graph = importGraph(SRC);
  t.ok(graph.has('app.ts') && graph.get('app.ts')!.includes('modules/catalog/routes.ts'), 'the graph is read (app.ts imports the catalog routes)');
  t.same(cyclesOf(graph), [], 'import circles: break each with a port the needing module declares and src/app.ts wires');
});
