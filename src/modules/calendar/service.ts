import { and, asc, desc, eq, getTableColumns, gte } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound, type Localized } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { contentSha256, type Notice } from './content.js';
import type { DeadlineHolders, Recomputation } from './registry.js';
import { BUREAU_SOURCE, calendarYears, calendarYearVersions, type CalendarDayKind, type CalendarDayOverride, type CalendarYearVersionRow } from './tables.js';
import { isWeekend, workingCalendar, type WorkingCalendar } from './working-days.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'calendar.year_loaded': {
      year: number;
      version: number;
      previousVersion: number | null;
      noticeReference: string;
      contentSha256: string;
      holidays: number;
      workdays: number;
      /** How many deadlines each registered holder recomputed on the new version. */
      recomputed: Recomputation[];
    };
  }
}

/** The current version of every stored year from `fromYear` on (every year when absent). */
export async function loadWorkingCalendar(db: Database, fromYear?: number): Promise<WorkingCalendar> {
  const rows = await db
    .select({ year: calendarYearVersions.year, version: calendarYearVersions.version, days: calendarYearVersions.days })
    .from(calendarYears)
    .innerJoin(calendarYearVersions, and(eq(calendarYearVersions.year, calendarYears.year), eq(calendarYearVersions.version, calendarYears.currentVersion)))
    .where(fromYear === undefined ? undefined : gte(calendarYears.year, fromYear));
  return workingCalendar(rows);
}

/** The current version of every stored year, earliest year first. */
export function listCurrentYears(db: Database): Promise<CalendarYearVersionRow[]> {
  return db
    .select(getTableColumns(calendarYearVersions))
    .from(calendarYears)
    .innerJoin(calendarYearVersions, and(eq(calendarYearVersions.year, calendarYears.year), eq(calendarYearVersions.version, calendarYears.currentVersion)))
    .orderBy(asc(calendarYears.year));
}

/** A year's versions, latest first; 404 when the year is not stored. */
export async function yearHistory(db: Database, year: number): Promise<CalendarYearVersionRow[]> {
  const rows = await db.select().from(calendarYearVersions).where(eq(calendarYearVersions.year, year)).orderBy(desc(calendarYearVersions.version));
  if (rows.length === 0) throw notFound({ en: `the calendar of ${year}`, zh: `${year} 年的日历` });
  return rows;
}

export interface CalendarDayInput {
  date: string;
  kind: CalendarDayKind;
  name: string;
}

export interface LoadYearInput {
  notice: { reference: string; title?: string | undefined; publishedOn?: string | undefined };
  days: CalendarDayInput[];
}

export interface LoadedYear {
  /** False for a replay of the current version's content: nothing was written. */
  created: boolean;
  version: CalendarYearVersionRow;
  history: CalendarYearVersionRow[];
  recomputed: Recomputation[];
}

/** The checks the schema cannot make: every day in the year, no date twice, make-up days on weekends only. */
function overridesOf(year: number, days: CalendarDayInput[]): Record<string, CalendarDayOverride> {
  const errors: { path: string; message: Localized }[] = [];
  const overrides: Record<string, CalendarDayOverride> = {};
  days.forEach((day, i) => {
    const path = `/body/days/${i}/date`;
    if (Number(day.date.slice(0, 4)) !== year) errors.push({ path, message: { en: `${day.date} is not in ${year}`, zh: `${day.date} 不在 ${year} 年内` } });
    else if (overrides[day.date]) errors.push({ path, message: { en: `${day.date} is given twice`, zh: `${day.date} 重复出现` } });
    // A make-up working day moves a weekend day; a weekday is a working day already. A holiday may
    // fall on a weekend (元旦 on a Saturday is still part of the holiday).
    else if (day.kind === 'workday' && !isWeekend(day.date)) errors.push({ path, message: { en: `${day.date} is a weekday: a make-up working day falls on a Saturday or Sunday`, zh: `${day.date} 是工作日：调休上班日应在星期六或星期日` } });
    overrides[day.date] ??= { kind: day.kind, name: day.name };
  });
  if (errors.length > 0) {
    const detail = { en: errors.map((e) => e.message.en).join('; '), zh: errors.map((e) => e.message.zh).join('；') };
    throw new AppError('validation-failed', detail, { errors: errors.map((e) => ({ path: e.path, message: e.message.en })) });
  }
  // Stored in date order, so the stored JSON reads as the notice does.
  return Object.fromEntries(Object.entries(overrides).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The bureau loads a year from the State Council's notice: a new version (history is never
 * overwritten), audited, and every registered deadline holder recomputes its deadlines on it in the
 * same transaction. Loads of one year queue on the year's row, so concurrent loads each get their own
 * version and none is lost. A load whose content equals the current version's is a replay: it
 * answers that version and writes nothing.
 */
export async function loadCalendarYear(db: Database, holders: DeadlineHolders, actor: AuditActor, year: number, input: LoadYearInput): Promise<LoadedYear> {
  const days = overridesOf(year, input.days);
  const notice: Notice = { reference: input.notice.reference, title: input.notice.title ?? null, publishedOn: input.notice.publishedOn ?? null };
  const sha256 = contentSha256(days, notice);
  return db.transaction(async (tx) => {
    // A year not stored yet gets its row here; a concurrent load of it waits for this one to commit.
    const [fresh] = await tx.insert(calendarYears).values({ year, currentVersion: 1 }).onConflictDoNothing().returning({ year: calendarYears.year });
    const [locked] = await tx.select().from(calendarYears).where(eq(calendarYears.year, year)).for('update');
    const previousVersion = fresh ? null : locked!.currentVersion;
    if (previousVersion !== null) {
      const [current] = await tx.select().from(calendarYearVersions).where(and(eq(calendarYearVersions.year, year), eq(calendarYearVersions.version, previousVersion)));
      if (current?.contentSha256 === sha256) return { created: false, version: current, history: await yearHistory(tx, year), recomputed: [] };
    }
    const version = (previousVersion ?? 0) + 1;
    const [row] = await tx
      .insert(calendarYearVersions)
      .values({
        year,
        version,
        days,
        noticeReference: notice.reference,
        noticeTitle: notice.title,
        noticePublishedOn: notice.publishedOn,
        source: BUREAU_SOURCE,
        contentSha256: sha256,
        loadedBy: actor.userId,
      })
      .returning();
    await tx.update(calendarYears).set({ currentVersion: version, updatedAt: row!.loadedAt }).where(eq(calendarYears.year, year));
    const recomputed = await holders.recompute(tx, year, await loadWorkingCalendar(tx));
    const counts = Object.values(days).reduce((n, d) => ({ ...n, [d.kind]: n[d.kind] + 1 }), { holiday: 0, workday: 0 });
    await appendAudit(tx, actor, {
      action: 'calendar.year_loaded',
      subject: { type: 'calendar-year', id: String(year) },
      payload: { year, version, previousVersion, noticeReference: notice.reference, contentSha256: sha256, holidays: counts.holiday, workdays: counts.workday, recomputed },
    });
    return { created: true, version: row!, history: await yearHistory(tx, year), recomputed };
  });
}
