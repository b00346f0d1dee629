import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { MultilineText, Text } from '../../src/lib/http.js';
import { createAjv } from '../../src/lib/validation.js';
import { samplePdf } from './identity.js';

/**
 * Requests generated from the served OpenAPI document: the operations it lists, and for each a
 * valid request drawn with fast-check from its parameter and body schemas. Every drawn value is
 * checked with the service's own validators (lib/validation.ts), so "valid" means what the service
 * means by it, whatever the generator gets wrong.
 */

export type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

export interface DocumentedOperation {
  method: string;
  /** OpenAPI's form, `/parties/{id}`. */
  path: string;
  /** Fastify's form, `/parties/:id`, as `app.routeRules` has it. */
  url: string;
  operationId: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** The JSON body schema, when the operation takes one. */
  jsonBody: Schema | undefined;
  /** Media types of a raw (upload) body. */
  rawBody: string[] | undefined;
  responses: Record<string, unknown>;
  security: unknown[];
}

interface RawOperation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
  security?: unknown[];
}

export function documentedOperations(doc: { paths: Record<string, Record<string, RawOperation>> }): DocumentedOperation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const raw = Object.entries(content).filter(([, m]) => m.schema?.format === 'binary').map(([type]) => type);
      return {
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{([^}]+)\}/g, ':$1'),
        operationId: op.operationId,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path'),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query'),
        jsonBody: json,
        rawBody: raw.length ? raw : undefined,
        responses: op.responses,
        security: op.security ?? [],
      };
    }),
  );
}

// The one-line and multi-line text patterns of lib/http.ts. Regex-driven generators draw only ASCII
// for their negated classes; these get real text (Chinese, emoji, combining marks) instead.
const patternOf = (schema: unknown) => (schema as { pattern: string }).pattern;
const textPatterns = new Map<string, RegExp>(
  [patternOf(Text({ maxLength: 1 })), patternOf(MultilineText({ maxLength: 1 }))].map((p) => [p, new RegExp(p, 'u')]),
);
const letters = fc.oneof(fc.constantFrom('数', '据', '交', '易', 'é', '😀', ' '), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));

const isoDate = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true });

function stringArbitrary(s: Schema): fc.Arbitrary<string> {
  const min = (s.minLength as number | undefined) ?? 0;
  const max = Math.min((s.maxLength as number | undefined) ?? 40, Math.max(min, 40));
  const fits = (v: string) => v.length >= min && v.length <= ((s.maxLength as number | undefined) ?? Infinity);
  switch (s.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= 100);
    case 'date':
      return isoDate.map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return isoDate.map((d) => d.toISOString());
  }
  if (typeof s.pattern === 'string') {
    const text = textPatterns.get(s.pattern);
    if (text) {
      return fc
        .string({ unit: letters, minLength: min, maxLength: max })
        .filter((v) => text.test(v) && fits(v));
    }
    return fc.stringMatching(new RegExp(s.pattern), { size: 'medium' }).filter(fits);
  }
  return fc.string({ minLength: min, maxLength: max });
}

/** A fast-check arbitrary for a JSON Schema of the kinds the service's schemas use. */
export function arbitraryFor(schema: Schema): fc.Arbitrary<unknown> {
  const s = schema;
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map(arbitraryFor));
  const types = ([] as string[]).concat((s.type as string | string[] | undefined) ?? (s.properties ? 'object' : []));
  if (types.length > 1) return fc.oneof(...types.map((type) => arbitraryFor({ ...s, type })));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: Math.ceil((s.minimum as number | undefined) ?? -1e6), max: Math.floor((s.maximum as number | undefined) ?? 1e6) });
    case 'number':
      return fc.double({ min: (s.minimum as number | undefined) ?? -1e6, max: (s.maximum as number | undefined) ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'string':
      return stringArbitrary(s);
    case 'array': {
      const items = arbitraryFor((s.items as Schema | undefined) ?? {});
      const constraints = { minLength: (s.minItems as number | undefined) ?? 0, maxLength: Math.min((s.maxItems as number | undefined) ?? 3, Math.max(3, (s.minItems as number | undefined) ?? 0)) };
      return s.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
    }
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = (s.required as string[] | undefined) ?? [];
      const record = fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, arbitraryFor(v)])), { requiredKeys: required });
      const minProperties = (s.minProperties as number | undefined) ?? 0;
      return (record as fc.Arbitrary<Record<string, unknown>>).filter((o) => Object.keys(o).length >= minProperties);
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const bodyAjv = createAjv(false);
const textAjv = createAjv(true);
const checks = new Map<string, ValidateFunction>();

/** The service's own verdict on a value: bodies uncoerced, parameters as the text they travel as. */
export function isValid(schema: Schema, value: unknown, part: 'body' | 'text'): boolean {
  const key = `${part} ${JSON.stringify(schema)}`;
  let validate = checks.get(key);
  // Wrapped as a member, as the service sees every value (defaults and coercion need a parent).
  if (!validate) checks.set(key, (validate = (part === 'body' ? bodyAjv : textAjv).compile({ type: 'object', properties: { v: schema }, required: ['v'] })));
  return validate({ v: structuredClone(value) }) as boolean;
}

/** A value valid for `schema`, drawn from `arbitrary` (a fast-check random source). */
export function validArbitrary(schema: Schema, part: 'body' | 'text'): fc.Arbitrary<unknown> {
  return arbitraryFor(schema).filter((v) => isValid(schema, v, part));
}

/** Bytes that pass for a file of the media type, for upload operations. */
export function sampleUpload(mediaTypes: string[]): { contentType: string; payload: Buffer } {
  const known: Record<string, () => Buffer> = {
    'application/pdf': () => samplePdf('generated'),
    'image/png': () => Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    'image/jpeg': () => Buffer.from('ffd8ffe000104a46494600', 'hex'),
  };
  const type = mediaTypes.find((m) => known[m]) ?? 'text/csv';
  return { contentType: type, payload: known[type]?.() ?? Buffer.from('station,riders\n解放碑,12000\n') };
}

export interface GeneratedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What was drawn, for messages. */
  query: Record<string, unknown>;
  /** The path parameters' values, decoded. */
  params: Record<string, string>;
  body?: unknown;
}

/** Query values as they travel: strings, arrays repeated. */
export function queryString(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const item of ([] as unknown[]).concat(v)) search.append(k, String(item));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`no value for the path parameter ${name} of ${path}`);
    return encodeURIComponent(params[name]);
  });
}

/**
 * A valid request for `op` drawn with `seed`: `params` name the path's resources (drawn from the
 * schema where absent), the query has its required members (and, with `optional`, some others),
 * the body is a valid JSON body or bytes of a documented upload type.
 */
export function validRequest(op: DocumentedOperation, params: Record<string, string>, seed: number, optional = false): GeneratedRequest {
  const draw = <T>(arb: fc.Arbitrary<T>, salt: number) => fc.sample(arb, { numRuns: 1, seed: seed + salt })[0]!;
  const pathValues = { ...params };
  op.pathParams.forEach((p, i) => (pathValues[p.name] ??= String(draw(validArbitrary(p.schema, 'text'), 100 + i))));
  const query: Record<string, unknown> = {};
  op.queryParams.forEach((p, i) => {
    if (!p.required && (!optional || draw(fc.boolean(), 200 + i))) return;
    query[p.name] = draw(validArbitrary(p.schema, 'text'), 300 + i);
  });
  const request: GeneratedRequest = { method: op.method, url: fillPath(op.path, pathValues) + queryString(query), headers: {}, query, params: pathValues };
  if (op.jsonBody) {
    request.body = draw(validArbitrary(op.jsonBody, 'body'), 400);
    request.payload = JSON.stringify(request.body);
    request.headers['content-type'] = 'application/json';
  } else if (op.rawBody) {
    const upload = sampleUpload(op.rawBody);
    request.payload = upload.payload;
    request.headers['content-type'] = upload.contentType;
  }
  return request;
}
