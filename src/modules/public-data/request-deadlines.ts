import { and, asc, eq, inArray, isNull, lte, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { systemActor, type AuditActor } from '../audit/events.js';
import { dueAfterWorkingDays, extendDeadline, loadWorkingCalendar, type Deadline, type DeadlineHolder, type WorkingCalendar } from '../calendar/index.js';
import { auditRequest } from './request-states.js';
import { publicDataRequests, type PublicDataRequest } from './request-tables.js';

/** States in which the department still owes an answer. */
export const unanswered = ['received', 'extended'] as const;

/** The stored form of a deadline. */
export const deadlineColumns = (d: Deadline) => ({ dueAt: d.dueAt, dueDate: d.dueDate, deadlineProvisional: d.provisional, calendarVersions: d.versions });

/**
 * A request's deadline on `calendar`: its working days from the day after receipt, then its
 * extension's from the day after that deadline (Art. 16 ¶2, Art. 18 ¶2). Versions and the
 * provisional flag cover both counts.
 */
export function requestDeadline(calendar: WorkingCalendar, row: Pick<PublicDataRequest, 'receivedAt' | 'answerDays' | 'extension'>): Deadline {
  const base = dueAfterWorkingDays(calendar, row.receivedAt, row.answerDays);
  if (!row.extension) return base;
  const extended = extendDeadline(calendar, base.dueAt, row.extension.workingDays);
  return {
    ...extended,
    provisional: base.provisional || extended.provisional,
    versions: { ...base.versions, ...extended.versions },
    missingYears: [...new Set([...base.missingYears, ...extended.missingYears])].sort(),
    countedDays: [...base.countedDays, ...extended.countedDays],
  };
}

/**
 * Recomputes the unanswered requests' deadlines when the bureau loads or corrects a year, in the
 * load's transaction: each one whose deadline changed (its day, its provisional flag, or the
 * calendar versions it counts on: only a count that touches the loaded year can change) is
 * rewritten and audited, provisional to final included.
 */
export function requestDeadlineHolder(actorOf: () => AuditActor = () => systemActor()): DeadlineHolder {
  return {
    name: 'publicdata.requests',
    async recompute(tx, year, calendar) {
      const rows = await tx.select().from(publicDataRequests).where(inArray(publicDataRequests.state, unanswered)).for('update');
      let changed = 0;
      for (const row of rows) {
        const next = requestDeadline(calendar, row);
        const same = next.dueAt.getTime() === row.dueAt.getTime() && next.provisional === row.deadlineProvisional && JSON.stringify(next.versions) === JSON.stringify(row.calendarVersions);
        if (same) continue;
        const [updated] = await tx.update(publicDataRequests).set({ ...deadlineColumns(next), updatedAt: new Date() }).where(eq(publicDataRequests.id, row.id)).returning();
        await auditRequest(tx, actorOf(), updated!, 'deadline_recomputed', row.state, {
          year,
          previousDueDate: row.dueDate,
          dueDate: next.dueDate,
          previousProvisional: row.deadlineProvisional,
          provisional: next.provisional,
          calendarVersions: next.versions,
        });
        changed++;
      }
      return changed;
    },
  };
}

/** The calendar for counts from `from` on (a year before, for receipts on 31 December). */
export const calendarFrom = (db: Database, from: Date) => loadWorkingCalendar(db, from.getUTCFullYear() - 1);

export interface DueList {
  departmentPartyId: string;
  dueSoon: PublicDataRequest[];
  overdue: PublicDataRequest[];
}

/**
 * Supervision: per department, the unanswered requests due within the next two working days and
 * those already overdue, earliest deadline first. `department` limits it to one department's.
 */
export async function dueRequests(db: Database, department: string | undefined, now = new Date()): Promise<DueList[]> {
  const horizon = dueAfterWorkingDays(await calendarFrom(db, now), now, 2).dueAt;
  const scope: SQL[] = [inArray(publicDataRequests.state, unanswered)];
  if (department) scope.push(eq(publicDataRequests.departmentPartyId, department));
  const rows = await db
    .select()
    .from(publicDataRequests)
    .where(and(...scope, lte(publicDataRequests.dueAt, horizon)))
    .orderBy(asc(publicDataRequests.dueAt), asc(publicDataRequests.id));
  const lists = new Map<string, DueList>();
  for (const row of rows) {
    const list = lists.get(row.departmentPartyId) ?? { departmentPartyId: row.departmentPartyId, dueSoon: [], overdue: [] };
    lists.set(row.departmentPartyId, list);
    (row.dueAt.getTime() < now.getTime() ? list.overdue : list.dueSoon).push(row);
  }
  return [...lists.values()];
}

/** The bureau's list: unanswered requests whose deadline counts on a year it has not loaded yet. */
export function provisionalRequests(db: Database): Promise<PublicDataRequest[]> {
  return db
    .select()
    .from(publicDataRequests)
    .where(and(inArray(publicDataRequests.state, unanswered), eq(publicDataRequests.deadlineProvisional, true)))
    .orderBy(asc(publicDataRequests.dueAt), asc(publicDataRequests.id));
}

/** Unanswered requests past their deadline and not yet flagged, for the sweep to claim. */
export const overdueUnflagged = (now: Date) => and(inArray(publicDataRequests.state, unanswered), lte(publicDataRequests.dueAt, now), isNull(publicDataRequests.overdueAt));
