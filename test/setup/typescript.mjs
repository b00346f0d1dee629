// Tests run on Node's own TypeScript support (type stripping: the types become spaces, so lines
// and columns stay where they were and coverage needs no source map). Node resolves import
// specifiers as written, and the sources import each other as `./x.js` (the name after
// compilation, as TypeScript's NodeNext resolution wants); this hook maps such a specifier to the
// `.ts` file beside it when the importer is itself a TypeScript file of the project.
import { registerHooks } from 'node:module';
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (parent?.startsWith('file:') && parent.endsWith('.ts') && !parent.includes('/node_modules/') && specifier.startsWith('.') && specifier.endsWith('.js')) {
      const url = new URL(specifier.slice(0, -3) + '.ts', parent);
      if (existsSync(url)) return nextResolve(url.href, context);
    }
    return nextResolve(specifier, context);
  },
});
