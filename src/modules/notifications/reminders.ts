import { and, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { systemActor, type AuditEventInput, type AuditPayloads } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { auditEvents } from '../audit/tables.js';
import { dueAfterWorkingDays } from '../calendar/index.js';
import { parties } from '../identity/tables.js';
import { procurements } from '../procurement/tables.js';
import { procurementReportsOverdue } from '../procurement/usage.js';
import { calendarFrom, unanswered } from '../public-data/request-deadlines.js';
import { publicDataRequests } from '../public-data/request-tables.js';
import { usageDutiesOf } from '../public-data/usage-views.js';

/**
 * Steps that wait on someone without any event to mark them: a deadline coming near, a report
 * gone overdue (of opened public data, or of data central procurement bought), a verification
 * about to end. The reminder sweep records each as an audit event,
 * once (the event itself is the mark, checked under the row's lock, so sweeps in several processes
 * record it once), and the notifier turns the event into notifications as any other (rules.ts).
 */

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.request_due_soon': { departmentPartyId: string; applicantPartyId: string; dueAt: string; dueDate: string };
    'public_data.usage_report_overdue': { requestId: string; userPartyId: string; departmentPartyId: string; period: number; dueDate: string };
    'procurement.usage_report_overdue': { procurementId: string; number: string; departmentPartyId: string; period: number; dueDate: string };
    'party.verification_expiring': { verifiedUntil: string };
  }
}

/** A verification ending within this many days is reminded of. */
export const EXPIRY_REMINDER_DAYS = 30;
/** Unanswered requests due within this many working days are reminded of (the "two working days before"). */
export const DUE_SOON_WORKING_DAYS = 2;

const recorded = async (tx: Database, action: string, subjectId: string, since: Date | null = null, payloadMatch?: Record<string, unknown>) => {
  const [row] = await tx
    .select({ seq: auditEvents.seq })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.subjectId, subjectId),
        eq(auditEvents.action, action),
        since ? gt(auditEvents.occurredAt, since) : undefined,
        payloadMatch ? sql`${auditEvents.payload} @> ${JSON.stringify(payloadMatch)}::jsonb` : undefined,
      ),
    )
    .limit(1);
  return row !== undefined;
};

async function remindRequestsDueSoon(db: Database, now: Date): Promise<number> {
  const horizon = dueAfterWorkingDays(await calendarFrom(db, now), now, DUE_SOON_WORKING_DAYS).dueAt;
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(publicDataRequests)
      .where(and(inArray(publicDataRequests.state, unanswered), gt(publicDataRequests.dueAt, now), lte(publicDataRequests.dueAt, horizon)))
      .for('update', { skipLocked: true });
    let n = 0;
    for (const r of rows) {
      // An extension moves the deadline: the reminder is of the deadline as it stands.
      if (await recorded(tx, 'public_data.request_due_soon', r.id, null, { dueAt: r.dueAt.toISOString() })) continue;
      await appendAudit(tx, systemActor(), {
        action: 'public_data.request_due_soon',
        subject: { type: 'public_data_request', id: r.id },
        payload: { departmentPartyId: r.departmentPartyId, applicantPartyId: r.applicantPartyId, dueAt: r.dueAt.toISOString(), dueDate: r.dueDate },
        parties: [r.departmentPartyId],
      });
      n++;
    }
    return n;
  });
}

/**
 * Records each overdue report once, under its subject's lock (skipped while another sweep holds
 * it): the reports owed under utilization agreements and those owed for procured data alike.
 */
async function remindOverdue<T, A extends 'public_data.usage_report_overdue' | 'procurement.usage_report_overdue'>(
  db: Database,
  overdue: T[],
  how: { action: A; subjectType: string; subjectOf: (o: T) => string; lock: (tx: Database, ids: string[]) => Promise<string[]>; once: (o: T) => Record<string, unknown>; event: (o: T) => { payload: AuditPayloads[A]; parties: string[] } },
): Promise<number> {
  if (overdue.length === 0) return 0;
  return db.transaction(async (tx) => {
    const locked = new Set(await how.lock(tx, [...new Set(overdue.map(how.subjectOf))]));
    let n = 0;
    for (const o of overdue) {
      const subjectId = how.subjectOf(o);
      if (!locked.has(subjectId) || (await recorded(tx, how.action, subjectId, null, how.once(o)))) continue;
      await appendAudit(tx, systemActor(), { action: how.action, subject: { type: how.subjectType, id: subjectId }, ...how.event(o) } as AuditEventInput);
      n++;
    }
    return n;
  });
}

const lockedIds = (table: typeof publicDataRequests | typeof procurements) => async (tx: Database, ids: string[]) =>
  (await tx.select({ id: table.id }).from(table).where(inArray(table.id, ids)).for('update', { skipLocked: true })).map((r) => r.id);

async function remindOverdueReports(db: Database, now: Date): Promise<number> {
  const { overdueReports } = await usageDutiesOf(db, undefined, now);
  const publicData = await remindOverdue(db, overdueReports, {
    action: 'public_data.usage_report_overdue',
    subjectType: 'public_data_request',
    subjectOf: (o) => o.requestId,
    lock: lockedIds(publicDataRequests),
    once: (o) => ({ period: o.period }),
    event: (o) => ({ payload: { requestId: o.requestId, userPartyId: o.userPartyId, departmentPartyId: o.departmentPartyId, period: o.period, dueDate: o.dueDate }, parties: [o.userPartyId, o.departmentPartyId] }),
  });
  // A department owes the bureau its reports on procured data as any user owes them (Art. 20).
  const procured = await remindOverdue(db, await procurementReportsOverdue(db, undefined, now), {
    action: 'procurement.usage_report_overdue',
    subjectType: 'procurement',
    subjectOf: (o) => o.procurementId,
    lock: lockedIds(procurements),
    once: (o) => ({ departmentPartyId: o.departmentPartyId, period: o.period }),
    event: (o) => ({
      payload: { procurementId: o.procurementId, number: o.procurementNumber, departmentPartyId: o.departmentPartyId, period: o.period, dueDate: o.dueDate },
      parties: [o.departmentPartyId, o.bureauPartyId],
    }),
  });
  return publicData + procured;
}

async function remindExpiringVerifications(db: Database, now: Date): Promise<number> {
  const until = new Date(now.getTime() + EXPIRY_REMINDER_DAYS * 86_400_000);
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: parties.id, verifiedAt: parties.verifiedAt, verifiedUntil: parties.verifiedUntil })
      .from(parties)
      .where(and(eq(parties.verificationStatus, 'verified'), isNull(parties.suspendedAt), gt(parties.verifiedUntil, now), lte(parties.verifiedUntil, until)))
      .for('update', { skipLocked: true });
    let n = 0;
    for (const p of rows) {
      // Once per verification: a renewal starts a new one.
      if (await recorded(tx, 'party.verification_expiring', p.id, p.verifiedAt)) continue;
      await appendAudit(tx, systemActor(), { action: 'party.verification_expiring', subject: { type: 'party', id: p.id }, payload: { verifiedUntil: p.verifiedUntil!.toISOString() } });
      n++;
    }
    return n;
  });
}

/** One pass of every reminder; the notifier's timer runs it, and tests at the instant they choose. */
export async function sweepReminders(db: Database, now = new Date()) {
  return {
    requestsDueSoon: await remindRequestsDueSoon(db, now),
    reportsOverdue: await remindOverdueReports(db, now),
    verificationsExpiring: await remindExpiringVerifications(db, now),
  };
}
