import { and, eq, gt, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../lib/database.js';
import { AppError } from '../lib/errors.js';
import { beginRequestTransaction, type OpenRequestTransaction } from '../lib/request-transaction.js';
import { idempotencyKeys } from './idempotency-tables.js';

/**
 * How long a second request with a key waits for the first, still running, to commit and so give
 * its answer, before it is told to come back.
 */
const WAIT_FOR_FIRST_MS = 2000;
/**
 * Retry-After of that 409. The first has then run past the wait, a slow request; by this time it
 * has most likely answered, and if its process died meanwhile the key is free at once.
 */
export const RETRY_AFTER_SECONDS = 2;

export interface KeyRequest {
  scope: string;
  key: string;
  fingerprint: string;
}

export type StoredAnswer = typeof idempotencyKeys.$inferSelect;

export type KeyClaim = { kind: 'run'; transaction: OpenRequestTransaction } | { kind: 'replay'; answer: StoredAnswer };

/**
 * Claims a key for a request, inside the transaction the request then runs in. The claim is a
 * transaction-scoped advisory lock on the key: it ends with the transaction, so a request that
 * dies (its process killed, its connection cut) leaves the key free, not blocked for a lease. A
 * second request under the key waits for the lock, then finds the first's answer, committed with
 * the change it answers; or none, when the first died before its commit, and runs itself.
 */
export async function claimKey(db: Database, k: KeyRequest): Promise<KeyClaim> {
  const transaction = await beginRequestTransaction(db);
  const { tx } = transaction;
  try {
    const lockName = `${k.scope}\n${k.key}`;
    // lock_timeout bounds the wait for the lock alone; the request's own statements keep the setting it had.
    const [setting] = rowsOf<{ previous: string }>(
      await tx.execute(sql`select current_setting('lock_timeout') as previous, set_config('lock_timeout', ${`${WAIT_FOR_FIRST_MS}ms`}, true)`),
    );
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${lockName}, 0)), set_config('lock_timeout', ${setting!.previous}, true)`);
    const t = idempotencyKeys;
    const [answer] = await tx
      .select()
      .from(t)
      .where(and(eq(t.scope, k.scope), eq(t.key, k.key), gt(t.expiresAt, sql`now()`)));
    if (!answer) return { kind: 'run', transaction };
    await transaction.end('rollback');
    if (answer.fingerprint !== k.fingerprint) {
      throw new AppError('idempotency-key-reused', { en: 'this Idempotency-Key was sent with a different request; use a new key for a new request', zh: '该 Idempotency-Key 已随另一个请求发送；新的请求请使用新的键' });
    }
    return { kind: 'replay', answer };
  } catch (err) {
    await transaction.end('rollback').catch(() => {});
    if (pgCodeOf(err) === '55P03') {
      throw new AppError('idempotency-in-progress', { en: 'the first request with this Idempotency-Key has not finished; retry after the time Retry-After gives', zh: '使用该 Idempotency-Key 的首个请求尚未完成；请在 Retry-After 给出的时间后重试' });
    }
    throw err;
  }
}

export interface Answer {
  status: number;
  type: string;
  body: string;
  location: string | null;
}

/** Stores the request's answer in its transaction, so both commit together or neither does. */
export async function storeAnswer(tx: Database, k: KeyRequest, answer: Answer, ttlSeconds: number): Promise<void> {
  const t = idempotencyKeys;
  const values = {
    fingerprint: k.fingerprint,
    responseStatus: answer.status,
    responseType: answer.type,
    responseBody: answer.body,
    responseLocation: answer.location,
    createdAt: sql`now()`,
    expiresAt: sql`now() + ${ttlSeconds} * interval '1 second'`,
  };
  // A row under the key can only be one whose time is up (the claim found no live one): it is replaced.
  await tx
    .insert(t)
    .values({ scope: k.scope, key: k.key, ...values })
    .onConflictDoUpdate({ target: [t.scope, t.key], set: values });
}

/** Removes answers whose time is up. */
export async function dropExpiredKeys(db: Database): Promise<void> {
  await db.delete(idempotencyKeys).where(sql`${idempotencyKeys.expiresAt} <= now()`);
}

function pgCodeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
