import { createHash } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { canonicalJson } from '../lib/canonical-json.js';
import type { Database } from '../lib/database.js';
import { AppError } from '../lib/errors.js';
import { problemResponses } from '../lib/http.js';
import { idempotencyKeys } from './idempotency-tables.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: the route takes no Idempotency-Key (its body carries secrets, or it cannot be fingerprinted). */
    idempotency?: boolean;
  }
}

/** A claim that an abandoned request (its process died) holds before another may take the key over. */
const CLAIM_SECONDS = 300;
const MAX_KEY_LENGTH = 255;
/** RFC 8941 sf-string (the IETF draft's form) or a bare token (what Stripe's clients send). */
const QUOTED = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])+)"$/;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~:/=-]+$/;

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAY_HEADER = 'idempotent-replayed';

const claimed = Symbol('idempotency claim');
interface Claim {
  scope: string;
  key: string;
}
type ClaimedRequest = FastifyRequest & { [claimed]?: Claim };

/** The key from the header, as the draft's structured field or a bare token; a bad one is a 400. */
export function parseIdempotencyKey(raw: string): string {
  const value = raw.trim();
  const quoted = QUOTED.exec(value);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : TOKEN.test(value) ? value : undefined;
  if (key === undefined || key.length > MAX_KEY_LENGTH) {
    const message = `send a quoted string or a token of at most ${MAX_KEY_LENGTH} characters`;
    throw new AppError('validation-failed', `the Idempotency-Key header is not valid: ${message}`, { errors: [{ path: '/headers/idempotency-key', message }] });
  }
  return key;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Method, route, path with query, and the parsed body: two requests with one key must agree on all. */
function fingerprintOf(request: FastifyRequest): string {
  return sha256([request.method, request.routeOptions.url ?? '', request.url, canonicalJson(request.body ?? null)].join('\n'));
}

/**
 * Idempotency for every authenticated POST (IETF httpapi `Idempotency-Key` draft; Stripe's
 * documented behaviour). The first request under a key claims it in the database, so the claim
 * holds across processes; its response (any status below 500) is stored with the request's
 * fingerprint. A later request with the key and the same fingerprint gets that response again,
 * unchanged, marked `Idempotent-Replayed: true`; with another fingerprint a 422; while the first
 * still runs a 409 with Retry-After. A 5xx is not stored: the client may retry under the same key.
 * Keys are the caller's (user and acting party) and expire after `ttlHours`.
 *
 * Public routes have no caller to scope a key to, and upload routes stream a body that cannot be
 * fingerprinted before it is stored: neither takes a key. A route opts out with
 * `config: { idempotency: false }`.
 */
export default fp(async function idempotency(app: FastifyInstance, opts: { ttlHours: number }) {
  const db = app.db;
  const ttlSeconds = opts.ttlHours * 3600;
  let claims = 0;

  const claim: preHandlerHookHandler = async function claimIdempotencyKey(request, reply) {
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined || !request.actor) return;
    const key = parseIdempotencyKey(Array.isArray(header) ? header.join(',') : header);
    const scope = `${request.actor.userId}/${request.actor.partyId ?? '-'}`;
    const fingerprint = fingerprintOf(request);
    if (++claims % 200 === 0) void db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, sql`now()`)).catch((err: unknown) => request.log.warn({ err }, 'idempotency cleanup failed'));
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await takeKey(db, { scope, key, fingerprint, ttlSeconds })) {
        (request as ClaimedRequest)[claimed] = { scope, key };
        return;
      }
      const [held] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (!held) continue; // expired and removed in between: claim it afresh
      if (held.fingerprint !== fingerprint) {
        throw new AppError('idempotency-key-reused', 'this Idempotency-Key was sent with a different request; use a new key for a new request');
      }
      if (held.state === 'in_progress') {
        reply.header('retry-after', '1');
        throw new AppError('idempotency-in-progress', 'the first request with this Idempotency-Key has not finished; retry in a moment');
      }
      return replay(reply, held);
    }
    throw new AppError('idempotency-in-progress', 'the Idempotency-Key is changing hands; retry in a moment');
  };

  const store: onSendHookHandler = async function storeIdempotentResponse(request, reply, payload) {
    const held = (request as ClaimedRequest)[claimed];
    if (!held) return payload;
    delete (request as ClaimedRequest)[claimed];
    const where = and(eq(idempotencyKeys.scope, held.scope), eq(idempotencyKeys.key, held.key), eq(idempotencyKeys.state, 'in_progress'));
    try {
      if (reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload) && payload !== null && payload !== undefined)) {
        // A server error is not an answer to keep: the retry runs again.
        await db.delete(idempotencyKeys).where(where);
      } else {
        const location = reply.getHeader('location');
        await db
          .update(idempotencyKeys)
          .set({
            state: 'done',
            responseStatus: reply.statusCode,
            responseType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
            responseBody: payload === null || payload === undefined ? '' : payload.toString(),
            responseLocation: typeof location === 'string' ? location : null,
          })
          .where(where);
      }
    } catch (err) {
      request.log.error({ err }, 'could not record the idempotent response');
    }
    return payload;
  };

  app.addHook('onRoute', (route) => {
    if (route.schema?.hide) return;
    const methods = ([] as string[]).concat(route.method);
    if (!methods.includes('POST') || route.config?.auth === 'public' || route.config?.upload || route.config?.idempotency === false) return;
    const headers = (route.schema?.headers as { properties?: object; required?: string[] } | undefined) ?? {};
    const keyHeader = Type.String({
        maxLength: MAX_KEY_LENGTH + 2,
        pattern: '^[\\x20-\\x7e]+$',
        description:
          'Makes the request safe to retry (IETF Idempotency-Key draft): a quoted string or a token, unique per request, kept ' +
          `${opts.ttlHours} h for you and the party you act for. A retry gets the first answer again with Idempotent-Replayed: true; ` +
          'the key with a different request is a 422, and while the first is still running a 409.',
    });
    route.schema = {
      ...route.schema,
      headers: { type: 'object', properties: { ...(headers.properties ?? {}), [IDEMPOTENCY_HEADER]: keyHeader }, ...(headers.required ? { required: headers.required } : {}) },
      response: { ...problemResponses(409, 422), ...(route.schema?.response as object | undefined) },
    };
    route.preHandler = [claim, ...(route.preHandler ? [route.preHandler].flat() : [])];
    route.onSend = [store, ...(route.onSend ? [route.onSend].flat() : [])];
  });
});

/** Claims the key: a new one, one whose time is up, or one whose first request was abandoned. */
async function takeKey(db: Database, k: { scope: string; key: string; fingerprint: string; ttlSeconds: number }): Promise<boolean> {
  const t = idempotencyKeys;
  const rows = await db
    .insert(t)
    .values({
      scope: k.scope,
      key: k.key,
      fingerprint: k.fingerprint,
      state: 'in_progress',
      claimedUntil: sql`now() + ${CLAIM_SECONDS} * interval '1 second'`,
      expiresAt: sql`now() + ${k.ttlSeconds} * interval '1 second'`,
    })
    .onConflictDoUpdate({
      target: [t.scope, t.key],
      set: {
        fingerprint: sql`excluded.fingerprint`,
        state: 'in_progress',
        responseStatus: null,
        responseType: null,
        responseBody: null,
        responseLocation: null,
        createdAt: sql`now()`,
        claimedUntil: sql`excluded.claimed_until`,
        expiresAt: sql`excluded.expires_at`,
      },
      setWhere: sql`${t.expiresAt} <= now() or (${t.state} = 'in_progress' and ${t.claimedUntil} <= now() and ${t.fingerprint} = excluded.fingerprint)`,
    })
    .returning({ key: t.key });
  return rows.length === 1;
}

function replay(reply: FastifyReply, held: typeof idempotencyKeys.$inferSelect): FastifyReply {
  reply.code(held.responseStatus ?? 200).header(REPLAY_HEADER, 'true');
  if (held.responseType) reply.type(held.responseType);
  if (held.responseLocation) reply.header('location', held.responseLocation);
  return reply.send(held.responseBody ?? '');
}
