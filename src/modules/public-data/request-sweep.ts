import { asc, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../lib/database.js';
import { repeatEvery, yieldBetweenBatches } from '../../lib/repeat.js';
import { agreements } from '../agreements/tables.js';
import { systemActor } from '../audit/events.js';
import { shanghaiToday } from './request-access.js';
import { overdueUnflagged } from './request-deadlines.js';
import { auditRequest, transition, type RequestAction } from './request-states.js';
import { publicDataRequests, type PublicDataRequest } from './request-tables.js';

/**
 * Flags the requests whose deadline passed unanswered, once each, and audits it. Any number of
 * processes sweep at once: each claims its rows with SKIP LOCKED, and a flagged row no longer matches.
 */
export async function flagOverdueRequests(db: Database, now = new Date(), batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const flagged = await db.transaction(async (tx) => {
      const due = await tx.select().from(publicDataRequests).where(overdueUnflagged(now)).orderBy(asc(publicDataRequests.dueAt)).limit(batch).for('update', { skipLocked: true });
      for (const row of due) {
        const [updated] = await tx.update(publicDataRequests).set({ overdueAt: now, updatedAt: now }).where(eq(publicDataRequests.id, row.id)).returning();
        await auditRequest(tx, systemActor(), updated!, 'flagged_overdue', row.state, { dueDate: row.dueDate, dueAt: row.dueAt.toISOString() });
      }
      return due.length;
    });
    total += flagged;
    if (flagged < batch) return total;
    await yieldBetweenBatches();
  }
}

/** Where an approved request stands on `today`: the move it needs, if any. */
function lifecycleMove(row: PublicDataRequest, agreementStatus: string | null, today: string): RequestAction | null {
  const agreementEnded = agreementStatus === 'expired' || agreementStatus === 'terminated';
  if (today > row.termEnd || (row.kind === 'open' && agreementEnded)) return 'end';
  // Opening is in force only under the signed, sealed agreement (Art. 19); sharing on approval.
  if (row.kind === 'open' && agreementStatus !== 'signed') return null;
  if (today >= row.termStart) return row.state === 'active' ? null : 'activate';
  return row.state === 'approved' && row.kind === 'open' ? 'sign' : null;
}

/**
 * Moves approved requests along their term: approved → signed (the agreement sealed) → active (the
 * term begun) → ended (the term over, or the agreement ended). Access never waits for this: the
 * download decides on the agreement and the dates themselves (access.ts); these states are what
 * the parties and the bureau read.
 */
export async function advanceApprovedRequests(db: Database, now = new Date(), batch = 100): Promise<number> {
  const today = shanghaiToday(now);
  let total = 0;
  for (;;) {
    const moved = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ request: publicDataRequests, agreementStatus: agreements.status })
        .from(publicDataRequests)
        .leftJoin(agreements, eq(agreements.id, publicDataRequests.agreementId))
        .where(inArray(publicDataRequests.state, ['approved', 'signed', 'active']))
        .orderBy(asc(publicDataRequests.answeredAt), asc(publicDataRequests.id))
        .for('update', { of: publicDataRequests, skipLocked: true });
      let n = 0;
      for (const { request, agreementStatus } of rows) {
        const action = lifecycleMove(request, agreementStatus, today);
        if (!action || n >= batch) continue;
        await transition(tx, systemActor(), request, action, {}, { today });
        n++;
      }
      return n;
    });
    total += moved;
    if (moved < batch) return total;
    await yieldBetweenBatches();
  }
}

/** One pass of both, as the timer and a test run it. */
export async function sweepPublicDataRequests(db: Database, now = new Date()): Promise<{ flagged: number; moved: number }> {
  return { flagged: await flagOverdueRequests(db, now), moved: await advanceApprovedRequests(db, now) };
}

/** Every process sweeps on a timer, as agreements and trading do; SKIP LOCKED lets them run side by side. */
export function runPublicDataRequestSweep(app: FastifyInstance, intervalMs: number) {
  repeatEvery(app, intervalMs, 'the public-data request sweep', async () => {
    const n = await sweepPublicDataRequests(app.db);
    if (n.flagged + n.moved > 0) app.log.info(n, 'public-data requests flagged overdue or moved along their term');
  });
}
