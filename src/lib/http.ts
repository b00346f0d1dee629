import { Type, type TSchema } from 'typebox';
import { AppError } from './errors.js';

/** RFC 9457 problem details, as every error response carries them. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'Stable URI of the error kind; GET it for documentation' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'The path that was requested' })),
    requestId: Type.Optional(Type.String({ description: 'Quote it when reporting a problem' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Each input that failed validation',
      }),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
);

const problemRef = Type.Ref('Problem');

/** Response schemas for the error statuses a route can answer. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, problemRef]));
}

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });

export const Timestamp = Type.String({ format: 'date-time' });

/** Cursor pagination: the cursor is opaque to clients; `next` is null on the last page. */
export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, isValid: (v: unknown) => v is T): T | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isValid(value)) throw new AppError('validation-failed', 'cursor is not valid', { errors: [{ path: '/cursor', message: 'not a cursor from this list' }] });
  return value;
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
