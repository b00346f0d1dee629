import type { Ajv, ValidateFunction } from 'ajv';
import { Type, type Static, type TSchema } from 'typebox';
import { AppError } from './errors.js';
import { createAjv } from './validation.js';

/** RFC 9457 problem details, as every error response carries them. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'Stable URI of the error kind; GET it for documentation' }),
    title: Type.String({ description: 'In Chinese when `Accept-Language` prefers it (any `zh` range), else in English; `Content-Language` says which' }),
    status: Type.Integer(),
    detail: Type.Optional(Type.String({ description: 'This occurrence, in the language of `title` (Chinese when `Accept-Language` prefers it)' })),
    instance: Type.Optional(Type.String({ description: 'The path that was requested' })),
    requestId: Type.Optional(Type.String({ description: 'Quote it when reporting a problem' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Each input that failed validation; the messages of a schema failure are in the language of `title`, those of a service rule in English',
      }),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
);

const problemRef = Type.Ref('Problem');

/** Response schemas for the error statuses a route can answer, served as application/problem+json. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  const problem = { description: 'A problem document (RFC 9457)', content: { 'application/problem+json': { schema: problemRef } } };
  return Object.fromEntries(statuses.map((s) => [s, problem as unknown as TSchema]));
}

/** A UUID in any case; lower-cased where it enters, so every later use sees one spelling. */
export const Uuid = Type.String({ format: 'uuid', 'x-lowercase': true });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/** An RFC 3339 date-time that JavaScript and PostgreSQL can both hold (no leap second). */
export const Timestamp = Type.String({ format: 'date-time', maxLength: 40 });

/**
 * The one type for free text that people type: no control characters (C0, DEL, C1) and no lone
 * surrogates, which PostgreSQL refuses or stores as garbage, within a length bound. `Text` is one
 * line; `MultilineText` keeps tab, line feed and carriage return.
 */
const SINGLE_LINE = '^[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$';
const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]*$';

type TextOptions = { minLength?: number; maxLength: number; description?: string; default?: string; pattern?: never };
export const Text = (options: TextOptions) => Type.String({ ...options, pattern: SINGLE_LINE });
export const MultilineText = (options: TextOptions) => Type.String({ ...options, pattern: MULTI_LINE, 'x-multiline': true });

export const isCleanText = (s: string) => new RegExp(SINGLE_LINE, 'u').test(s);

/** Cursor pagination: the cursor is opaque to clients; `next` is null on the last page. */
export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]*$', description: 'Opaque cursor from a previous page' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};

/**
 * A timestamp inside a cursor: exactly the form `Date#toISOString` writes for years 1970-9999, so a
 * forged cursor cannot carry a date the database cannot compare (`+275760-09-13T…`).
 */
export const CursorTime = Type.String({ pattern: '^(19[7-9]\\d|[2-9]\\d{3})-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$', format: 'date-time' });

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });

/** The usual keyset position: a timestamp column and the row id that breaks ties. */
export const TimeAndIdCursor = <K extends string>(timeField: K) =>
  Type.Object({ [timeField]: CursorTime, id: Uuid } as { [P in K]: typeof CursorTime } & { id: typeof Uuid }, { additionalProperties: false });

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

const cursorValidators = new WeakMap<TSchema, ValidateFunction>();
let cursorAjv: Ajv | undefined;

/**
 * Reads a cursor back. It came from a client, so it is checked like any input: against `schema`
 * (a closed schema of the position, with `CursorTime`, `Uuid`, `Text`), and refused as a 400
 * naming the `cursor` parameter.
 */
export function decodeCursor<T extends TSchema>(cursor: string | undefined, schema: T): Static<T> | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  cursorAjv ??= createAjv(false);
  let validate = cursorValidators.get(schema);
  if (!validate) cursorValidators.set(schema, (validate = cursorAjv.compile(schema)));
  if (!validate(value)) {
    throw new AppError('validation-failed', { en: 'cursor is not valid', zh: 'cursor 无效' }, { errors: [{ path: '/querystring/cursor', message: 'not a cursor from this list' }] });
  }
  return value as Static<T>;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether a next page exists. */
export function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (r: Row) => Item, cursorOf: (r: Row) => unknown) {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(toItem), next: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}

/** A string that is one of `values`, as a plain `enum` in JSON Schema and OpenAPI. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
