import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { preferredLanguage } from '../../src/lib/languages.js';

// ajv-formats is CommonJS: under ESM its function arrives as the `default` member of the module.
const addFormats = (formats as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;

/**
 * The response contract: every response of a documented route must be what the served OpenAPI
 * document says for its operation and status, in the documented media type, with a body that
 * validates against the documented schema. A hook on the app records each violation; the test
 * asserts there are none when it ends. Undocumented routes (the 404 of an unknown URL, /docs/*) are
 * exempt: there is no contract to hold them to.
 */

type Schema = Record<string, unknown>;
interface MediaObject {
  schema?: Schema;
}
interface ResponseObject {
  content?: Record<string, MediaObject>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

// One Ajv and one compiled validator per distinct schema for the whole process: apps of a test file
// serve the same document, so each schema is compiled once however many apps check it.
let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();
/** Per document: operation, status and media type to its validator, so no schema is serialised twice. */
const byOperation = new WeakMap<OpenApiDocument, Map<string, ValidateFunction>>();

function contractAjv(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  // OpenAPI's name for a body that is bytes; nothing to check in a parsed value.
  ajv.addFormat('binary', true);
  return ajv;
}

/** `#/components/schemas/X` replaced by the schema itself, so a response schema stands alone. */
function inlineRefs(schema: unknown, components: Record<string, Schema>, depth = 0): unknown {
  if (depth > 32) throw new Error('the OpenAPI document nests $refs too deeply');
  if (Array.isArray(schema)) return schema.map((s) => inlineRefs(s, components, depth));
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as Schema).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    const target = components[ref.slice('#/components/schemas/'.length)];
    if (!target) throw new Error(`the OpenAPI document has no ${ref}`);
    return inlineRefs(target, components, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inlineRefs(v, components, depth)]));
}

function validatorFor(schema: Schema, components: Record<string, Schema>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) validators.set(key, (validate = contractAjv().compile(inlineRefs(schema, components) as Schema)));
  return validate;
}

/** Fastify's `/parties/:id` is OpenAPI's `/parties/{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const isJsonMediaType = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function bodyText(payload: unknown): string | undefined {
  if (payload === null || payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return undefined; // a stream: a download, whose bytes are not JSON
}

export function checkResponse(doc: OpenApiDocument, request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
  const url = request.routeOptions.url;
  if (!url) return undefined;
  const path = openApiPath(url);
  const method = request.method === 'HEAD' ? 'get' : request.method.toLowerCase();
  const operation = doc.paths[path]?.[method];
  if (!operation) return undefined;
  const status = String(reply.statusCode);
  const name = `${method.toUpperCase()} ${path} ${status}`;
  const response = operation.responses?.[status] ?? operation.responses?.[`${status[0]}XX`] ?? operation.responses?.default;
  if (!response) return `${name}: status not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`;
  const text = bodyText(payload);
  const content = response.content ?? {};
  const documented = Object.keys(content);
  // Node sends no body with 204 and 304 whatever the handler gave (Fastify serialises `null` first).
  const sendsBody = request.method !== 'HEAD' && reply.statusCode !== 204 && reply.statusCode !== 304;
  if (documented.length === 0) {
    return text === '' || !sendsBody ? undefined : `${name}: documents no body, but one was sent`;
  }
  const header = reply.getHeader('content-type');
  const mediaType = String(header ?? '').split(';')[0]!.trim().toLowerCase();
  const media = content[mediaType] ?? content['*/*'];
  if (!media) return `${name}: media type "${mediaType}", documented: ${documented.join(', ')}`;
  if (!sendsBody || !isJsonMediaType(mediaType) || !media.schema || text === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${name}: the ${mediaType} body is not JSON`;
  }
  let cached = byOperation.get(doc);
  if (!cached) byOperation.set(doc, (cached = new Map()));
  const key = `${name} ${mediaType}`;
  let validate = cached.get(key);
  if (!validate) cached.set(key, (validate = validatorFor(media.schema, doc.components?.schemas ?? {})));
  if (validate(body)) return undefined;
  const error = validate.errors?.[0];
  return `${name}: body${error?.instancePath ?? ''} ${error?.message ?? 'is not valid'} (${JSON.stringify(error?.params ?? {})})`;
}

const CJK = /[\u4e00-\u9fff]/;

/**
 * A problem answered to a caller who asked for Chinese is in Chinese: `Content-Language: zh-CN`, a
 * title and a detail (when there is one) with Chinese in them. Any route, documented or not, so an
 * English-only detail fails whichever test meets it, with no test written for it.
 */
export function checkProblemLanguage(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
  if (preferredLanguage(request.headers['accept-language']) !== 'zh') return undefined;
  if (!/^application\/problem\+json/.test(String(reply.getHeader('content-type') ?? ''))) return undefined;
  const name = `${request.method} ${request.url.split('?')[0]} ${reply.statusCode}`;
  const language = reply.getHeader('content-language');
  if (language !== 'zh-CN') return `${name}: Chinese was asked for, Content-Language is ${String(language)}`;
  const text = bodyText(payload);
  if (text === undefined) return undefined;
  let problem: { title?: unknown; detail?: unknown };
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    return `${name}: the problem is not JSON`;
  }
  if (typeof problem.title !== 'string' || !CJK.test(problem.title)) return `${name}: Chinese was asked for, the title is ${JSON.stringify(problem.title)}`;
  if (problem.detail !== undefined && (typeof problem.detail !== 'string' || !CJK.test(problem.detail))) {
    return `${name}: Chinese was asked for, the detail is ${JSON.stringify(problem.detail)}`;
  }
  return undefined;
}

/**
 * Installs the check on `app` (before its routes, via buildApp's `instrument`). Violations go to
 * `violations`; the document is read from the app itself once it is ready.
 */
export function installResponseContract(app: FastifyInstance, violations: string[]): void {
  let doc: OpenApiDocument | undefined;
  app.addHook('onSend', async (request, reply, payload) => {
    doc ??= app.swagger() as unknown as OpenApiDocument;
    for (const violation of [checkResponse(doc, request, reply, payload), checkProblemLanguage(request, reply, payload)]) if (violation) violations.push(violation);
    return payload;
  });
}

/**
 * Asserts, as `t` ends, that no response broke the contract. (tap 21 refuses assertions in
 * `t.teardown`, which runs after the test has ended; `onbeforeend` runs just before.)
 */
export function expectNoViolationsAtEnd(t: { onbeforeend?: () => unknown; same: (a: unknown, b: unknown, m: string) => unknown }, violations: string[]): void {
  const base = ((t as { t?: typeof t }).t ?? t) as typeof t;
  const before = base.onbeforeend;
  base.onbeforeend = () => {
    t.same(violations.slice(0, 20), [], `every response is what the OpenAPI document says, every problem in the language asked for (${violations.length} violations)`);
    return before?.call(base);
  };
}
