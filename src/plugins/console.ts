import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';

/**
 * The web console (src/console, docs/console.md): a single-page app that is a client of the API like
 * any other. This serves its built files (scripts/console-bundle.ts) under /console: the hashed
 * files for a year, index.html for every page of the app, so a reload or a shared link of
 * /console/orders/… opens that page. Nothing is fetched from elsewhere, and the policy below
 * lets the page run only its own files and talk only to this origin.
 *
 * The routes are not API operations: hidden from the OpenAPI document (so the fuzz and the
 * authorisation matrix, which walk the document and the route table, leave them out, as they
 * leave out /docs) and public, as the files hold no one's data.
 */

/** dist mirrors src at the same depth, so from src/plugins and dist/plugins alike this is dist/console. */
export const builtConsoleDir = fileURLToPath(new URL('../../dist/console', import.meta.url));

// No inline script or style, no eval, nothing from another origin; the agreement's PDF is shown
// from a blob: URL the page makes from what the API sent.
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const mediaTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface ConsoleFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Named by its content hash: never changes under this name. */
  immutable: boolean;
}

/** The built files, read once: the bundle does not change while the process runs. */
function readBuiltFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const body = readFileSync(path);
    files.set(name.split(sep).join('/'), {
      body,
      type: mediaTypes[extname(name)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: name.startsWith(`assets${sep}`),
    });
  }
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile) {
  reply
    .header('content-type', file.type)
    .header('etag', file.etag)
    // index.html is asked again each time (it names the current bundle); the bundle's files never change.
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.body);
}

export default fp(async function consolePages(app: FastifyInstance, opts: { dir: string }) {
  const files = readBuiltFiles(opts.dir);
  const route = { schema: { hide: true }, config: { auth: 'public' as const, access: 'none' as const } };

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const index = files.get('index.html');
    if (!index) throw new AppError('unavailable', { en: 'the console is not built: `npm run build` (or `npm start`) builds it', zh: '控制台尚未构建：`npm run build`（或 `npm start`）会构建它' });
    const path = (request.params as { '*'?: string })['*'] ?? '';
    const file = files.get(path);
    if (file) return send(request, reply, file);
    // A path with a file extension asks for a file, and there is none; any other is a page of the app.
    if (/\.[A-Za-z0-9]+$/.test(path)) throw new AppError('not-found', { en: `the console has no file ${path}`, zh: `控制台没有文件 ${path}` });
    return send(request, reply, index);
  };
  app.get('/console', route, page);
  app.get('/console/*', route, page);
});
