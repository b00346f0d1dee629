import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { consoleApiTypes, consoleApiTypesFile } from '../../scripts/console-api-types.js';
import { buildTestApp } from '../helpers/app.js';
import { consoleBundle } from '../helpers/console.js';

t.test('the console is served under /console: its page for every path of the app, its files by hash, under a strict policy', async (t) => {
  const app = await buildTestApp(t, {}, { consoleDir: await consoleBundle() });

  for (const path of ['/console', '/console/', '/console/orders/7c9e6679-7425-40de-944b-e07fc1f90ae7', '/console/catalog?q=%E5%AE%A2%E6%B5%81']) {
    const res = await app.inject({ method: 'GET', url: path });
    t.equal(res.statusCode, 200, `${path} answers the app`);
    t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
    t.equal(res.headers['cache-control'], 'no-cache', 'the page is asked for again each time: it names the current bundle');
  }
  const page = await app.inject({ method: 'GET', url: '/console/' });
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, /default-src 'none'/);
  t.match(csp, /script-src 'self'(;|$)/, 'scripts only from the service itself: no inline script, no eval, no CDN');
  t.match(csp, /connect-src 'self'/, 'and the page talks to this origin only');
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.equal(page.headers['x-frame-options'], 'DENY');
  t.notMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the page');
  t.notMatch(page.body, /\sstyle=|<style/, 'nor inline style');
  t.notMatch(page.body, /https?:\/\//, 'nothing fetched from the internet');
  t.match(page.body, /<html lang="zh-CN">/, 'Chinese first');

  const script = /src="(\/console\/assets\/main-[A-Z0-9]+\.js)"/.exec(page.body)?.[1];
  const style = /href="(\/console\/assets\/main-[A-Z0-9]+\.css)"/.exec(page.body)?.[1];
  t.ok(script && style, 'the page loads one script and one stylesheet, named by their content');
  const js = await app.inject({ method: 'GET', url: script! });
  t.equal(js.statusCode, 200);
  t.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable', 'a hashed file is kept for a year');
  t.notMatch(js.body, /https?:\/\/(?!www\.w3\.org)/, 'the bundle fetches nothing from the internet');
  const css = await app.inject({ method: 'GET', url: style! });
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  t.notMatch(css.body, /@import|url\(\s*['"]?https?:/, 'no web fonts, nothing from elsewhere');
  const again = await app.inject({ method: 'GET', url: script!, headers: { 'if-none-match': String(js.headers.etag) } });
  t.equal(again.statusCode, 304, 'a revalidation with its ETag answers 304');
  t.equal((await app.inject({ method: 'HEAD', url: '/console/' })).statusCode, 200, 'HEAD too');

  const missing = await app.inject({ method: 'GET', url: '/console/assets/main-NOPE.js' });
  t.equal(missing.statusCode, 404, 'a file that is not there is a 404, not the page');
  t.match(missing.headers['content-type'], /^application\/problem\+json/);
  t.equal((await app.inject({ method: 'POST', url: '/console/' })).statusCode, 404, 'the console takes no POST');

  const doc = app.swagger() as { paths: Record<string, unknown> };
  t.same(Object.keys(doc.paths).filter((p) => p.startsWith('/console')), [], 'the console is not an API operation: not in the document the fuzz walks');
  t.same(app.routeRules.filter((r) => r.url.startsWith('/console')), [], 'nor in the route table the authorisation matrix walks');
});

t.test('a service whose console is not built says how to build it', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'dx-no-console-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const app = await buildTestApp(t, {}, { consoleDir: empty });
  const res = await app.inject({ method: 'GET', url: '/console/' });
  t.equal(res.statusCode, 503);
  t.match(res.json(), { type: '/problems/unavailable', detail: /npm run build/ });
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the API serves as ever');
});

t.test('the console’s API types are those of the document the service serves', async (t) => {
  const app = await buildTestApp(t);
  const generated = await consoleApiTypes(app.swagger());
  // Not t.equal: a diff of a megabyte of types says less than the command that fixes it.
  t.ok(generated === readFileSync(consoleApiTypesFile, 'utf8'), 'src/console/api/schema.d.ts is current (after changing a route: `npm run console:api-types`, then `npm run typecheck`)');
});
