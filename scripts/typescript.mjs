// The npm scripts and the tests run the TypeScript sources on Node's own type stripping
// (`node --import ./scripts/typescript.mjs file.ts`): the types become spaces, so lines and columns
// stay where they were, stack traces and coverage need no source map, and nothing is transpiled.
// Node resolves import specifiers as written, and the sources import each other as `./x.js` (the
// name after compilation, as TypeScript's NodeNext resolution wants); this hook maps such a
// specifier to the `.ts` file beside it when the importer is itself one of the project's TypeScript
// files. (`npm start` runs the bundle that scripts/build.mjs makes instead.) Compiled code and
// resolutions are cached as for the service (scripts/module-cache.mjs); this hook runs first.
import './module-cache.mjs';
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
