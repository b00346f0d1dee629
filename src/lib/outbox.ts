import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { outbox } from '../plugins/outbox-tables.js';

/**
 * External effects that are never lost or doubled. The change that needs an effect writes an
 * outbox row in its own transaction (`enqueueEffect`); after commit, a worker claims the row with
 * `FOR UPDATE SKIP LOCKED`, performs the effect with the row's idempotency key and records the
 * result in the same transaction that marks the row done. A process that dies between the call
 * and the commit leaves the row pending: the next attempt sends the same key, and the other side
 * answers with what it did the first time.
 */

export type OutboxRow = typeof outbox.$inferSelect;

export interface EffectInput {
  operation: string;
  idempotencyKey: string;
  subjectId: string;
  payload: Record<string, unknown>;
}

/** Writes the intent in the caller's transaction; the same key asked twice is one effect. */
export async function enqueueEffect(tx: Database, effect: EffectInput): Promise<void> {
  await tx.insert(outbox).values(effect).onConflictDoNothing({ target: outbox.idempotencyKey });
}

/**
 * Takes back an effect nobody has attempted yet, so it never happens, and answers whether it did. It
 * waits for a worker carrying the effect out (the row's lock), and then finds it done. An effect
 * already attempted may have reached the other side: it is left to finish with its key, since it
 * cannot be called back. Enqueued again later with the same key, it runs as a new effect.
 */
export async function withdrawEffect(tx: Database, idempotencyKey: string): Promise<boolean> {
  const [row] = await tx.select().from(outbox).where(eq(outbox.idempotencyKey, idempotencyKey)).for('update');
  if (!row || row.status !== 'pending' || row.attempts > 0) return false;
  await tx.delete(outbox).where(eq(outbox.id, row.id));
  return true;
}

export interface EffectHandler {
  /** Carries the effect out, with `row.idempotencyKey`; may run again for the same row. `tx` is for reading. */
  perform(tx: Database, row: OutboxRow): Promise<Record<string, unknown>>;
  /** Records the effect's result, in the transaction that marks the row done. */
  record(tx: Database, row: OutboxRow, result: Record<string, unknown>): Promise<void>;
  /**
   * Whether an error is worth another attempt (a network failure, a 5xx, a rate limit). A
   * permanent one marks the row failed, for an operator to look at.
   */
  retryable(err: unknown): boolean;
}

export interface OutboxRun {
  done: number;
  failed: number;
  retried: number;
}

/** Waits before another attempt: 2 s, 4 s, 8 s ... up to 10 minutes. */
const backoffMs = (attempts: number) => Math.min(600_000, 1000 * 2 ** Math.min(attempts, 10));

/**
 * Carries out pending effects of the operations `handlers` knows, one claimed row per transaction,
 * until none is left (or `limit`).
 * `subjectId` limits the run to one subject's rows, oldest first, ignoring their back-off (the
 * caller wants them now); rows another process holds are skipped, not waited for.
 */
export async function runOutbox(
  db: Database,
  handlers: Record<string, EffectHandler>,
  options: { subjectId?: string; limit?: number; onError?: (row: OutboxRow, err: unknown) => void } = {},
): Promise<OutboxRun> {
  const run: OutboxRun = { done: 0, failed: 0, retried: 0 };
  const seen = new Set<string>();
  for (let i = 0; i < (options.limit ?? 100); i++) {
    let claimed: OutboxRow | undefined;
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(outbox)
        .where(
          and(
            eq(outbox.status, 'pending'),
            // Each worker carries out its own operations: settlement's and the notifier's share the table.
            inArray(outbox.operation, Object.keys(handlers)),
            options.subjectId ? eq(outbox.subjectId, options.subjectId) : lte(outbox.availableAt, sql`now()`),
            seen.size > 0 ? sql`${outbox.id} not in (${sql.join([...seen].map((id) => sql`${id}`), sql`, `)})` : undefined,
          ),
        )
        .orderBy(asc(outbox.seq))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return 'empty' as const;
      seen.add(row.id);
      claimed = row;
      const handler = handlers[row.operation]!;
      let result: Record<string, unknown>;
      try {
        result = await handler.perform(tx, row);
      } catch (err) {
        options.onError?.(row, err);
        const retry = handler.retryable(err);
        const message = err instanceof Error ? err.message : String(err);
        await tx
          .update(outbox)
          .set({
            attempts: row.attempts + 1,
            lastError: message.slice(0, 1000),
            status: retry ? 'pending' : 'failed',
            availableAt: new Date(Date.now() + backoffMs(row.attempts + 1)),
          })
          .where(eq(outbox.id, row.id));
        return retry ? ('retried' as const) : ('failed' as const);
      }
      await handler.record(tx, row, result);
      await tx.update(outbox).set({ status: 'done', attempts: row.attempts + 1, result, lastError: null, doneAt: new Date() }).where(eq(outbox.id, row.id));
      return 'done' as const;
    }).catch(async (err: unknown) => {
      // Recording the result failed (the effect happened; the retry will be answered the same):
      // the row waits its back-off rather than spinning, and says why.
      if (!claimed) throw err;
      options.onError?.(claimed, err);
      const message = err instanceof Error ? err.message : String(err);
      await db
        .update(outbox)
        .set({ attempts: claimed.attempts + 1, lastError: message.slice(0, 1000), availableAt: new Date(Date.now() + backoffMs(claimed.attempts + 1)) })
        .where(eq(outbox.id, claimed.id));
      return 'retried' as const;
    });
    if (outcome === 'empty') break;
    run[outcome]++;
  }
  return run;
}

/** The rows of one subject, oldest first (tests and the operator's view). */
export function effectsOf(db: Database, subjectId: string) {
  return db.select().from(outbox).where(eq(outbox.subjectId, subjectId)).orderBy(asc(outbox.seq));
}
