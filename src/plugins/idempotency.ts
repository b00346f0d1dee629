import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { canonicalJson } from '../lib/canonical-json.js';
import { AppError } from '../lib/errors.js';
import { problemResponses } from '../lib/http.js';
import type { OpenRequestTransaction } from '../lib/request-transaction.js';
import { claimKey, dropExpiredKeys, RETRY_AFTER_SECONDS, storeAnswer, type KeyRequest, type StoredAnswer } from './idempotency-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: the route takes no Idempotency-Key (its answer carries secrets, which are not to be stored, or it cannot be fingerprinted). */
    idempotency?: boolean;
  }
}

const MAX_KEY_LENGTH = 255;
/** RFC 8941 sf-string (the IETF draft's form) or a bare token (what Stripe's clients send). */
const QUOTED = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])+)"$/;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~:/=-]+$/;

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAY_HEADER = 'idempotent-replayed';

const claimed = Symbol('idempotency claim');
type ClaimedRequest = FastifyRequest & { [claimed]?: KeyRequest & { transaction: OpenRequestTransaction } };

/** The key from the header, as the draft's structured field or a bare token; a bad one is a 400. */
export function parseIdempotencyKey(raw: string): string {
  const value = raw.trim();
  const quoted = QUOTED.exec(value);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : TOKEN.test(value) ? value : undefined;
  if (key === undefined || key.length > MAX_KEY_LENGTH) {
    const message = `send a quoted string or a token of at most ${MAX_KEY_LENGTH} characters`;
    const detail = { en: `the Idempotency-Key header is not valid: ${message}`, zh: `Idempotency-Key 请求头无效：请发送带引号的字符串或不超过 ${MAX_KEY_LENGTH} 个字符的标记` };
    throw new AppError('validation-failed', detail, { errors: [{ path: '/headers/idempotency-key', message }] });
  }
  return key;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Body fields that are secrets: left out of the fingerprint, which is kept with the key, so that no
 * unsalted hash of a password (or a step-up token) sits in the database beside its argon2 hash.
 */
const secretFields = new Set(['password', 'currentPassword', 'newPassword', 'stepUpToken']);

/** Method, route, path with query, and the parsed body but its secrets: two requests with one key must agree on all. */
function fingerprintOf(request: FastifyRequest): string {
  const body = request.body;
  const kept = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.fromEntries(Object.entries(body).filter(([field]) => !secretFields.has(field))) : (body ?? null);
  return sha256([request.method, request.routeOptions.url ?? '', request.url, canonicalJson(kept)].join('\n'));
}

/**
 * Idempotency for every authenticated POST (IETF httpapi `Idempotency-Key` draft; Stripe's
 * documented behaviour). A request under a key runs in one database transaction from its claim
 * to its answer (lib/request-transaction.ts): the claim is a lock the transaction holds, and the
 * answer (any status below 500) is stored with the request's fingerprint in that transaction,
 * so it commits with the change it answers. A process killed at any point leaves either nothing
 * (the retry runs) or the change with its answer (the retry gets the answer), never a change
 * without its answer; and the key is free the moment the dead request's connection is gone.
 *
 * A later request with the key and the same fingerprint gets the stored answer again, unchanged,
 * marked `Idempotent-Replayed: true`; with another fingerprint a 422. One arriving while the first
 * runs waits for it (two seconds at most) and gets its answer; past that a 409 with Retry-After.
 * A 5xx is not an answer: its transaction rolls back and the retry runs again. Keys are the
 * caller's (user and the party the request names) and expire after `ttlHours`. A secret in the
 * body (a password) is not part of the fingerprint: one key is one request whatever password it carried.
 *
 * Public routes have no caller to scope a key to, and upload routes stream a body that cannot be
 * fingerprinted before it is stored: neither takes a key. A route opts out with
 * `config: { idempotency: false }`.
 */
export default fp(async function idempotency(app: FastifyInstance, opts: { ttlHours: number }) {
  const db = app.db;
  const ttlSeconds = opts.ttlHours * 3600;
  let claims = 0;

  const claim: preHandlerHookHandler = function claimIdempotencyKey(request, reply, done) {
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined || !request.actor) return done();
    let key: string;
    try {
      key = parseIdempotencyKey(Array.isArray(header) ? header.join(',') : header);
    } catch (err) {
      return done(err as Error);
    }
    // The party as the request named it (X-Party-Id), not as it was resolved: a user's only party
    // is theirs implicitly, so a request that registers or joins a party would otherwise file its
    // retry under another scope, and run twice.
    const named = request.headers['x-party-id'];
    const held = { scope: `${request.actor.userId}/${typeof named === 'string' ? named : '-'}`, key, fingerprint: fingerprintOf(request) };
    if (++claims % 200 === 0) void dropExpiredKeys(db).catch((err: unknown) => request.log.warn({ err }, 'idempotency cleanup failed'));
    claimKey(db, held).then(
      (outcome) => {
        if (outcome.kind === 'replay') return void replay(reply, outcome.answer);
        (request as ClaimedRequest)[claimed] = { ...held, transaction: outcome.transaction };
        // The rest of the request, handler included, runs with app.db routed to this transaction.
        outcome.transaction.enter(() => done());
      },
      (err: unknown) => {
        if (err instanceof AppError && err.code === 'idempotency-in-progress') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        done(err as Error);
      },
    );
  };

  const store: onSendHookHandler = async function storeIdempotentAnswer(request, reply, payload) {
    const held = (request as ClaimedRequest)[claimed];
    if (!held) return payload;
    delete (request as ClaimedRequest)[claimed];
    const { transaction } = held;
    // A server error is not an answer to keep: nothing of the request is, and the retry runs again.
    if (reply.statusCode >= 500) {
      await transaction.end('rollback');
      return payload;
    }
    // A file (a Buffer or a stream) is not kept as an answer: the change commits, and a retry runs again.
    if (typeof payload === 'string' || payload === null || payload === undefined) {
      const location = reply.getHeader('location');
      const answer = {
        status: reply.statusCode,
        type: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
        body: payload ?? '',
        location: typeof location === 'string' ? location : null,
      };
      try {
        await storeAnswer(transaction.tx, held, answer, ttlSeconds);
      } catch (err) {
        await transaction.end('rollback');
        // A refusal whose statement failed (a conflict, say) left the transaction unusable: nothing
        // was kept, so the refusal goes out as it is, unstored. A success cannot: its change is gone.
        if (reply.statusCode >= 400) {
          request.log.warn({ err }, 'a refusal under an Idempotency-Key was not stored; its transaction had failed');
          return payload;
        }
        throw err;
      }
    }
    // A failed commit throws: the client gets a 500, and its retry finds the answer if the commit
    // happened after all (a connection lost on COMMIT), or runs again if it did not.
    await transaction.end('commit');
    return payload;
  };

  // Should the answer never be sent (the hooks cut short), the transaction ends unkept.
  const release: onResponseHookHandler = async function releaseUnansweredClaim(request) {
    const held = (request as ClaimedRequest)[claimed];
    if (!held) return;
    delete (request as ClaimedRequest)[claimed];
    await held.transaction.end('rollback');
  };

  // On the app itself, before the hook that waits for this process's caches to see a change
  // (app.ts): that change is committed here.
  app.addHook('onSend', store);
  app.addHook('onResponse', release);

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
          'the key with a different request is a 422. A retry while the first still runs waits for its answer, two seconds at most, ' +
          'then gets a 409 with Retry-After.',
    });
    route.schema = {
      ...route.schema,
      headers: { type: 'object', properties: { ...(headers.properties ?? {}), [IDEMPOTENCY_HEADER]: keyHeader }, ...(headers.required ? { required: headers.required } : {}) },
      response: { ...problemResponses(409, 422), ...(route.schema?.response as object | undefined) },
    };
    route.preHandler = [claim, ...(route.preHandler ? [route.preHandler].flat() : [])];
  });
});

function replay(reply: FastifyReply, held: StoredAnswer): FastifyReply {
  reply.code(held.responseStatus).header(REPLAY_HEADER, 'true');
  reply.type(held.responseType);
  if (held.responseLocation) reply.header('location', held.responseLocation);
  return reply.send(held.responseBody);
}
