import { Ajv, type AnySchemaObject, type KeywordDefinition, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { lazily } from './lazy-compile.js';

// ajv-formats is CommonJS: under ESM its function arrives as the `default` member of the module.
const addFormats = (formats as unknown as { default: (ajv: Ajv) => Ajv }).default;

/**
 * How every route's input is checked. Two validators: JSON bodies are never coerced (a `null`
 * stays a null and is refused where a boolean belongs, "12345" is not a number), while query
 * strings, path parameters and headers, which arrive as text, are converted to the declared type.
 *
 * The schemas themselves are checked when a route is registered: every object is closed
 * (`additionalProperties: false`) at every depth, every string has a length bound and a pattern or
 * format, every number a range, every array a size. A route whose schema leaves any of that open
 * is refused at start-up, so a later module cannot forget what the foundation learnt.
 */

/** RFC 4122 text form only (ajv-formats also accepts a `urn:uuid:` prefix, which the database does not). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 3339 date-time with a four-digit year; a leap second (`:60`) is refused below, as JavaScript cannot represent it. */
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export const isDateTime = (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s));

/**
 * `x-lowercase`: the value is stored lower-cased once it is valid, so identifiers have one spelling
 * everywhere after the edge (encryption bindings, audit subjects, look-ups). Uuid schemas carry it.
 */
const lowercaseKeyword: KeywordDefinition = {
  keyword: 'x-lowercase',
  modifying: true,
  schemaType: 'boolean',
  validate: (enabled: boolean, data: unknown, _schema?: AnySchemaObject, ctx?: { parentData?: unknown; parentDataProperty?: string | number }) => {
    if (enabled && typeof data === 'string' && ctx?.parentData && ctx.parentDataProperty !== undefined) {
      (ctx.parentData as Record<string | number, unknown>)[ctx.parentDataProperty] = data.toLowerCase();
    }
    return true;
  },
};

export function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addKeyword(lowercaseKeyword);
  // OpenAPI annotations that ajv need not act on.
  ajv.addKeyword({ keyword: 'example', schemaType: ['string', 'number', 'boolean', 'object', 'array', 'null'] });
  ajv.addKeyword({ keyword: 'x-multiline', schemaType: 'boolean' });
  return ajv;
}

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** One reason an input schema is too open, with where in the schema it is. */
export function openings(schema: unknown, path = '#'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const found: string[] = [];
  const types = ([] as unknown[]).concat(s.type ?? []);
  const bounded = 'enum' in s || 'const' in s;
  if (types.includes('object') || 'properties' in s) {
    if (s.additionalProperties !== false && typeof s.additionalProperties !== 'object') found.push(`${path}: object without additionalProperties: false`);
    if (typeof s.additionalProperties === 'object' && s.maxProperties === undefined) found.push(`${path}: map without maxProperties`);
    for (const [name, sub] of Object.entries((s.properties as Record<string, unknown>) ?? {})) found.push(...openings(sub, `${path}/properties/${name}`));
    if (typeof s.additionalProperties === 'object') found.push(...openings(s.additionalProperties, `${path}/additionalProperties`));
  }
  if (types.includes('string') && !bounded) {
    if (s.format === undefined && s.pattern === undefined) found.push(`${path}: string without pattern or format`);
    if (s.maxLength === undefined && s.format === undefined) found.push(`${path}: string without maxLength`);
  }
  if ((types.includes('integer') || types.includes('number')) && !bounded) {
    if (s.maximum === undefined && s.exclusiveMaximum === undefined) found.push(`${path}: number without maximum`);
    if (s.minimum === undefined && s.exclusiveMinimum === undefined) found.push(`${path}: number without minimum`);
  }
  if (types.includes('array')) {
    if (s.maxItems === undefined) found.push(`${path}: array without maxItems`);
    found.push(...openings(s.items, `${path}/items`));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    (s[key] as unknown[] | undefined)?.forEach((sub, i) => found.push(...openings(sub, `${path}/${key}/${i}`)));
  }
  return found;
}

/**
 * The two validators and what they compiled, once per process: every app a process builds (one in
 * production, one per test in the suite) has the same routes, and compiling their schemas is most
 * of the cost of building an app. Each is compiled on first use (lib/lazy-compile.ts); the
 * openness check above still runs for every route at registration.
 */
let validators: { strictBodies: Ajv; textParts: Ajv; compiled: Map<string, ValidateFunction> } | undefined;

/**
 * Installs the validator compilers on `app`. Shared schemas (`app.addSchema`) are made known to
 * both validators when a route first needs one.
 */
export function installValidation(app: FastifyInstance): void {
  validators ??= { strictBodies: createAjv(false), textParts: createAjv(true), compiled: new Map() };
  const { strictBodies, textParts, compiled } = validators;
  app.setValidatorCompiler(({ schema, method, url, httpPart }) => {
    const part = httpPart as HttpPart;
    const key = `${part === 'body' ? 'body' : 'text'} ${JSON.stringify(schema)}`;
    const known = compiled.get(key);
    if (known) return known;
    // A request carries many headers a route does not name: only the ones it names are checked.
    const open = openings(part === 'headers' ? { ...(schema as object), additionalProperties: false } : schema);
    if (open.length > 0) throw new Error(`${method} ${url} ${part} schema is open: ${open.join('; ')}`);
    const ajv = part === 'body' ? strictBodies : textParts;
    for (const shared of Object.values(app.getSchemas()) as AnySchemaObject[]) {
      if (shared.$id && !ajv.getSchema(shared.$id)) ajv.addSchema(shared);
    }
    // Fastify reads `errors` off the function it was given after a failed call.
    const validate = lazily(
      () => ajv.compile(schema as AnySchemaObject) as ValidateFunction,
      (real, wrapper) => (wrapper.errors = real.errors),
    );
    compiled.set(key, validate);
    return validate;
  });
}

/** Bodies nested deeper than this are refused before they are parsed. */
export const MAX_JSON_DEPTH = 32;

/** How deeply `text` nests arrays and objects, counted without parsing (strings skipped). */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The member a query string gains when one of its parts is not valid percent-encoded UTF-8. */
export const INVALID_QUERY_ENCODING = 'invalid-percent-encoding';

/**
 * Query strings decoded strictly: a part that is not valid percent-encoded UTF-8 (a lone surrogate,
 * a broken sequence) is not silently turned into U+FFFD. It is kept aside under a member no
 * schema allows, so the request is refused with a 400 like any unknown parameter.
 */
export function parseQueryString(text: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const split = part.indexOf('=');
    const rawKey = split < 0 ? part : part.slice(0, split);
    const rawValue = split < 0 ? '' : part.slice(split + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replaceAll('+', ' '));
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      query[INVALID_QUERY_ENCODING] = rawKey.slice(0, 100);
      continue;
    }
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}
