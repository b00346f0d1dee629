import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { OpenWhileSuspended } from './auth.js';
import fp from 'fastify-plugin';
import { problemResponses } from '../lib/http.js';

/** The header that names the party a signed-in request acts for (modules/identity/members.ts). */
export const PARTY_HEADER = 'x-party-id';

/** Every tag an operation may carry, with what it groups; an unknown tag is refused at start-up. */
export const apiTags = {
  system: 'Health, readiness, first-run setup and the documentation of error types',
  accounts: 'Registration, login, tokens and staff accounts',
  audit: 'The audit record of every review and trade (Art. 28(3))',
  identity: 'Parties, their members and the verification of their identity (Art. 13(3), 28(2))',
  catalog: 'Data products: listings, provenance (Art. 28(1)), the Art. 26 ground, review and search',
  trading: 'Orders with purpose and scenario, provider approval, the cross-border guard (Art. 39), delivery, acceptance and disputes (Art. 28(4))',
  settlement: 'Money: payments held in escrow, payouts after acceptance, refunds, the ledger and reconciliation (Art. 28(4))',
  agreements: 'Agreements from the bureau’s model texts: drafts, signatures, the sealed PDF, public verification, the copy to the bureau, disposal (Art. 19, 27)',
  calendar: 'The mainland working-day calendar (holidays and make-up working days, loaded by the bureau) and the deadlines counted on it (Art. 16, 18)',
  'public-data': 'The public-data resource catalogue: entries with their open and sharing classes (Art. 15, 17), the bureau’s review and the open list (Shanghai Art. 12), direct download of unconditionally open data (Art. 18 ¶1)',
  notifications: 'What waits for you: a notification for every step that waits on one of your parties, with its read state',
  procurement: 'Central procurement by the big-data bureau for departments (Art. 27 ¶3): purchase needs checked against shareable public data (Art. 13(2)), budgets, consolidation, the order as buyer of record, each department’s grant',
  supervision: 'The operators’ supervision of trading, settlement and delivery (Art. 28(4)): what waits and what went wrong, the replay of a trade from the audit log, and exports of a period as CSV or XLSX',
} as const satisfies Record<string, string>;

/**
 * The methods whose request body Fastify reads (its `bodywith` set), whatever the route declares:
 * a body the route does not take is still parsed, so it can be too large (413) or of a type no
 * parser reads (415) before the route refuses it.
 */
const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** `GET /catalog/listings/{id}/reviews` becomes `getCatalogListingsByIdReviews`. */
export function operationIdFor(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** A copy of `schema` in which no property with a default is required: a client may leave it out. */
function withoutRequiredDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRequiredDefaults);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = withoutRequiredDefaults(value);
  const properties = copy.properties as Record<string, { default?: unknown }> | undefined;
  if (Array.isArray(copy.required) && properties) {
    copy.required = (copy.required as string[]).filter((name) => properties[name]?.default === undefined);
    if ((copy.required as string[]).length === 0) delete copy.required;
  }
  return copy;
}

/**
 * The error responses a route can give, added to what it declares: 400 for any malformed request,
 * 404 and 414 where the path has a parameter (a segment over the router's 100 characters is
 * refused before the route runs: plugins/problems.ts), 413 and 415 wherever the method carries a
 * body, 429 where it is rate limited, and 500 everywhere (a problem document that names only the
 * request id). 401 and 403 come from the guard (plugins/auth.ts).
 */
function addErrorResponses(route: RouteOptions): void {
  const methods = ([] as string[]).concat(route.method);
  const statuses = [400, 500];
  if (route.url.includes(':')) statuses.push(404, 414);
  if (methods.some((m) => methodsWithBody.has(m))) statuses.push(413, 415);
  if (route.config?.rateLimit) statuses.push(429);
  route.schema = { ...route.schema, response: { ...problemResponses(...statuses), ...(route.schema?.response as object | undefined) } };
}

/**
 * Every signed-in request acts for a party (modules/identity: the guard's actor resolver reads the
 * header on every route that is not public), so every guarded operation documents it; generated
 * clients and /docs can then act for a chosen party.
 */
const partyHeader = {
  type: 'string',
  format: 'uuid',
  description:
    'The party you act for, one of yours (GET /me/parties). Needed when you belong to several parties; with exactly one, ' +
    'requests act for it without the header. A party you do not belong to is a 403, a value that is not a UUID a 400.',
};

function withPartyHeader(headers: unknown): unknown {
  const given = (headers ?? {}) as { properties?: Record<string, unknown> };
  return { type: 'object', ...given, properties: { ...given.properties, [PARTY_HEADER]: partyHeader } };
}

/** What each operation that may change something does for a suspended party (plugins/auth.ts `whileSuspended`). */
const whileSuspendedText: Record<OpenWhileSuspended, string> = {
  'own-account': 'it concerns your own account and parties, not the suspended party’s business',
  'own-people': 'a suspended party still manages its members',
  notifications: 'a suspended party still hears from the exchange',
  withdrawal: 'stepping back commits no one',
  duty: 'a suspended party still owes what its agreements require',
  read: 'it only reads',
  appeal: 'this is how a suspended party appeals',
};

function suspensionNote(method: string, whileSuspended: OpenWhileSuspended | undefined): string | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  if (whileSuspended) return `Open while the party you act for is suspended (Art. 28): ${whileSuspendedText[whileSuspended]}.`;
  return 'Refused while the party you act for is suspended (Art. 28): `403 party-suspended`, naming the reason.';
}

/**
 * The API contract, served at /docs/json (OpenAPI 3.1) and /docs. Everything a generated client
 * needs is derived from the routes themselves: an operationId, `security: []` on public
 * operations, errors as application/problem+json, raw upload bodies with their media types.
 */
export default fp(async function openapi(app: FastifyInstance, opts: { publicBaseUrl: string | undefined }) {
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide) return;
    for (const tag of (route.schema?.tags as string[] | undefined) ?? []) {
      if (!Object.hasOwn(apiTags, tag)) throw new Error(`${route.method} ${route.url} uses the undeclared tag ${tag}`);
    }
    addErrorResponses(route);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Data exchange API',
        version: '0.1.0',
        description: 'A regulated data trading exchange. Errors are application/problem+json (RFC 9457).',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        contact: { name: 'Exchange operations' },
      },
      servers: [{ url: opts.publicBaseUrl ?? '/', description: opts.publicBaseUrl ? 'This exchange' : 'The server that serves this document' }],
      tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const method = ([] as string[]).concat(route.method)[0]!;
      const documented: Record<string, unknown> = { ...schema };
      documented.operationId ??= operationIdFor(method, route.url);
      if (route.config?.auth === 'public') documented.security = [];
      else {
        documented.headers = withPartyHeader(documented.headers);
        const note = suspensionNote(method, route.config?.whileSuspended);
        if (note) documented.description = typeof documented.description === 'string' ? `${documented.description}\n\n${note}` : note;
      }
      for (const part of ['querystring', 'body', 'params'] as const) {
        if (documented[part]) documented[part] = withoutRequiredDefaults(documented[part]);
      }
      const upload = route.config?.upload;
      if (upload) {
        documented.body = { type: 'string', format: 'binary', description: upload.description };
        documented.consumes = upload.mediaTypes;
      }
      return { schema: documented as typeof schema, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
});
