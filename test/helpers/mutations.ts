import fc from 'fast-check';
import { encodeCursor } from '../../src/lib/http.js';
import { fillPath, isValid, queryString, type DocumentedOperation, type GeneratedRequest, type Schema } from './openapi-requests.js';

/**
 * Ways to break a valid request, one at a time, each a request of its own. Which members, strings
 * and values are broken is drawn with fast-check from a seed, so a run is bounded and replayable.
 */

export interface Mutant {
  kind: string;
  request: GeneratedRequest;
  /** Statuses the answer must have; any 4xx when only `refused`. */
  status?: number[];
  /** The request is broken: it must be refused (4xx). Otherwise it may also be accepted. */
  refused: boolean;
}

type Path = (string | number)[];
interface Member {
  path: Path;
  schema: Schema;
  value: unknown;
  required: boolean;
}

export const CONTROL = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff'];
/** The same characters as they travel in a URL (a lone surrogate as its WTF-8 bytes). */
const CONTROL_IN_URL = ['%00', '%07', '%1B', '%7F', '%C2%85', '%C2%9F', '%ED%A0%80', '%ED%BF%BF'];
export const EXTREME_DATE_TIMES = ['+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2016-12-31T23:59:60Z'];
const EXTREME_DATES = ['0000-01-01', '+275760-09-13'];
const HUGE_NUMBERS = [1e308, 2 ** 63, -1, 0.5];
const OTHER_TYPES: unknown[] = ['text', 12345, true, null, ['a'], { a: 1 }];
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every member of `value` with the schema that governs it (the matching branch of a union). */
function membersOf(schema: Schema, value: unknown, path: Path = [], required = false): Member[] {
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) {
    const branch = branches.find((b) => isValid(b, value, 'body'));
    return branch ? membersOf(branch, value, path, required) : [];
  }
  const here: Member[] = path.length ? [{ path, schema, value, required }] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => membersOf((schema.items as Schema) ?? {}, v, [...path, i]))];
  if (typeof value === 'object' && value !== null) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const requiredNames = (schema.required as string[] | undefined) ?? [];
    return [...here, ...Object.entries(value).flatMap(([k, v]) => membersOf(properties[k] ?? {}, v, [...path, k], requiredNames.includes(k)))];
  }
  return here;
}

function withValue(body: unknown, path: Path, value: unknown, remove = false): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

const withPayload = (base: GeneratedRequest, payload: string | Buffer, contentType = 'application/json'): GeneratedRequest => ({
  ...base,
  headers: { ...base.headers, 'content-type': contentType },
  payload,
});

const insertAt = (s: string, c: string) => (s.length ? s.slice(0, 1) + c + s.slice(1) : c);

export function mutantsOf(op: DocumentedOperation, base: GeneratedRequest, pathValues: Record<string, string>, seed: number, bodyLimit: number): Mutant[] {
  let salt = 0;
  const pick = <T>(items: T[], n: number): T[] => {
    const k = Math.min(n, items.length);
    return k === 0 ? [] : fc.sample(fc.shuffledSubarray(items, { minLength: k, maxLength: k }), { numRuns: 1, seed: seed + ++salt })[0]!;
  };
  const out: Mutant[] = [];
  const broken = (kind: string, request: GeneratedRequest, status?: number[]) => out.push({ kind, request, refused: true, ...(status ? { status } : {}) });

  // The body, member by member.
  if (op.jsonBody && base.body !== undefined) {
    const schema = op.jsonBody;
    const body = base.body;
    const members = membersOf(schema, body);
    const send = (kind: string, mutated: unknown) => {
      if (!isValid(schema, mutated, 'body')) broken(kind, withPayload(base, JSON.stringify(mutated)));
    };
    for (const m of pick(members, 3)) send(`wrong type at /${m.path.join('/')}`, withValue(body, m.path, pick(OTHER_TYPES.filter((v) => typeOf(v) !== typeOf(m.value)), 1)[0]));
    send('wrong type of the whole body', pick([['a'], 'text', 1, null], 1)[0]);
    for (const m of pick(members.filter((x) => x.required), 2)) send(`missing /${m.path.join('/')}`, withValue(body, m.path, undefined, true));
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) send('unknown member at the top', { ...body, zzUnknown: 1 });
    for (const m of pick(members.filter((x) => typeOf(x.value) === 'object'), 1)) send(`unknown member in /${m.path.join('/')}`, withValue(body, m.path, { ...(m.value as object), zzUnknown: 1 }));
    for (const m of pick(members.filter((x) => typeof x.value === 'string'), 3)) {
      const c = pick(CONTROL, 1)[0]!;
      send(`U+${c.charCodeAt(0).toString(16).padStart(4, '0')} in /${m.path.join('/')}`, withValue(body, m.path, insertAt(m.value as string, c)));
    }
    for (const m of members.filter((x) => x.schema.format === 'date-time').slice(0, 1)) for (const d of EXTREME_DATE_TIMES) send(`date-time ${d} at /${m.path.join('/')}`, withValue(body, m.path, d));
    for (const m of members.filter((x) => x.schema.format === 'date').slice(0, 1)) for (const d of EXTREME_DATES) send(`date ${d} at /${m.path.join('/')}`, withValue(body, m.path, d));
    for (const m of pick(members.filter((x) => x.schema.type === 'integer'), 1)) for (const n of HUGE_NUMBERS) send(`number ${n} at /${m.path.join('/')}`, withValue(body, m.path, n));
    for (const m of pick(members.filter((x) => typeof x.value === 'string'), 1)) {
      const text = JSON.stringify(withValue(body, m.path, '@@INVALID@@'));
      const [before, after] = text.split('@@INVALID@@') as [string, string];
      broken(`invalid UTF-8 in /${m.path.join('/')}`, withPayload(base, Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(after)])), [400]);
    }
    const deep = '['.repeat(100) + ']'.repeat(100);
    broken('nested 100 levels deep', withPayload(base, JSON.stringify({ ...(body as object), zzDeep: '@@' }).replace('"@@"', deep)), [400]);
    broken('empty body', withPayload(base, ''), [400]);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) broken(`sent as ${type}`, withPayload(base, JSON.stringify(body), type), [415]);
  }
  if (op.jsonBody || op.rawBody) {
    // What a bare `curl -X POST` sends: no body, so no Content-Type and no Content-Length either.
    const { payload: _payload, ...bodiless } = base;
    const { 'content-type': _type, ...headers } = base.headers;
    broken('no body and no Content-Type', { ...bodiless, headers }, [400]);
  }
  if (op.jsonBody) {
    broken('a body over the limit', withPayload(base, Buffer.alloc(bodyLimit + 1, 0x61)), [413]);
  } else if (op.rawBody) {
    // An upload route reads its stream itself: one refused for the state of its resource never reads as far.
    broken('a body over the limit', withPayload(base, Buffer.alloc(bodyLimit + 1, 0x61), base.headers['content-type']));
  } else if (op.method !== 'GET') {
    broken('a body where none is taken', withPayload(base, JSON.stringify({ zzUnknown: 1 })), [400]);
    out.push({ kind: 'an empty JSON body where none is taken', request: withPayload(base, ''), refused: false });
  }

  // The query, parameter by parameter.
  const withQuery = (query: Record<string, unknown>, raw = '') => ({ ...base, url: fillPath(op.path, pathValues) + queryString(query) + raw });
  for (const p of pick(op.queryParams, 2)) {
    const wrong = ['abc', '1.5', '-1', '', 'true', '1e308', '9223372036854775808'].find((v) => !isValid(p.schema, v, 'text'));
    if (wrong !== undefined) broken(`query ${p.name}=${wrong}`, withQuery({ ...base.query, [p.name]: wrong }));
    if (p.schema.type !== 'array') broken(`query ${p.name} twice`, withQuery({ ...base.query, [p.name]: [base.query[p.name] ?? 'a', 'b'] }));
  }
  for (const p of op.queryParams.filter((q) => q.required)) {
    const { [p.name]: _, ...rest } = base.query;
    broken(`query without ${p.name}`, withQuery(rest));
  }
  broken('an unknown query parameter', withQuery({ ...base.query, zzUnknown: '1' }));
  for (const p of pick(op.queryParams.filter((q) => q.schema.type === 'string' && q.name !== 'cursor'), 2)) {
    const { [p.name]: _, ...rest } = base.query;
    const c = pick(CONTROL_IN_URL, 1)[0]!;
    broken(`query ${p.name} with ${c}`, withQuery(rest, `${Object.keys(rest).length ? '&' : '?'}${p.name}=a${c}b`));
  }
  for (const p of op.queryParams.filter((q) => q.schema.format === 'date-time')) for (const d of EXTREME_DATE_TIMES) broken(`query ${p.name}=${d}`, withQuery({ ...base.query, [p.name]: d }));
  for (const p of pick(op.queryParams.filter((q) => q.schema.type === 'integer'), 1)) {
    for (const n of ['1e308', '9223372036854775808', '-1', '0.5']) if (!isValid(p.schema, n, 'text')) broken(`query ${p.name}=${n}`, withQuery({ ...base.query, [p.name]: n }));
  }
  if (op.queryParams.some((q) => q.name === 'cursor')) {
    for (const cursor of forgedCursors()) broken(`cursor ${cursor.label}`, withQuery({ ...base.query, cursor: cursor.value }), [400]);
  }

  // The path, parameter by parameter.
  for (const p of pick(op.pathParams, 2)) {
    const c = pick(CONTROL_IN_URL, 1)[0]!;
    const url = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === p.name ? `a${c}b` : encodeURIComponent(pathValues[name]!)));
    broken(`path ${p.name} with ${c}`, { ...base, url: url + queryString(base.query) });
  }
  return out;
}

/** Cursors no list ever handed out: garbage, and well-formed base64url JSON of the wrong shape or values. */
export function forgedCursors(): { label: string; value: string }[] {
  const id = '00000000-0000-4000-8000-000000000000';
  const forged = (label: string, position: unknown) => ({ label, value: encodeCursor(position) });
  return [
    { label: 'garbage', value: '!!not*base64' },
    { label: 'not JSON', value: Buffer.from('\u0000\u0001garbage').toString('base64url') },
    forged('with wrong members', { zz: 1, yy: [null] }),
    forged('with an extreme date', { createdAt: EXTREME_DATE_TIMES[0], updatedAt: EXTREME_DATE_TIMES[0], submittedAt: EXTREME_DATE_TIMES[0], listedAt: EXTREME_DATE_TIMES[0], s: 'newest', k: EXTREME_DATE_TIMES[0], id }),
    forged('with a NUL', `a\u0000b@example.cn`),
    forged('with a huge number', 2 ** 63),
    forged('with an array', [id, id]),
  ];
}
