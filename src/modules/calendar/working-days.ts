/**
 * Working-day arithmetic on the mainland calendar, in Asia/Shanghai, with no database and no clock:
 * the stored years come in as a `WorkingCalendar`, instants in and out as `Date`.
 *
 * Art. 18: a conditional-open request is answered within 10 working days of receipt, extendable once
 * by at most 10; Art. 16: sharing requests within 5, extendable by at most 5. The count starts on the
 * day after receipt, and the deadline is the end of its last working day in Shanghai.
 */
import type { CalendarDayOverride } from './tables.js';

/** One stored year as the arithmetic needs it: its version and the days that differ from the plain week. */
export interface CalendarYear {
  year: number;
  version: number;
  days: Readonly<Record<string, CalendarDayOverride>>;
}

/** The stored years, by year. A year that is not here is counted on weekends alone, provisionally. */
export interface WorkingCalendar {
  readonly years: ReadonlyMap<number, CalendarYear>;
}

export const workingCalendar = (years: Iterable<CalendarYear>): WorkingCalendar => ({ years: new Map([...years].map((y) => [y.year, y])) });

export interface Deadline {
  /** The last instant of the last working day: 23:59:59.999 in Shanghai. */
  dueAt: Date;
  /** The last working day, YYYY-MM-DD in Shanghai. */
  dueDate: string;
  /** True when a day examined falls in a year the calendar does not hold (counted on weekends alone). */
  provisional: boolean;
  /** The years examined that the calendar holds, with the version used: `{ "2026": 3 }`. */
  versions: Record<string, number>;
  /** The years examined that the calendar does not hold. */
  missingYears: number[];
  /** The working days counted, in order (YYYY-MM-DD); the last is `dueDate`. */
  countedDays: string[];
}

const DAY_MS = 86_400_000;
/**
 * Mainland China has kept UTC+8 all year since daylight saving time ended in September 1991, so a
 * fixed offset is exact for every date the service accepts (1992 onwards).
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** The first and last years the arithmetic accepts: UTC+8 without daylight saving, four-digit years. */
export const FIRST_YEAR = 1992;
export const LAST_YEAR = 2099;

/** Days since 1970-01-01 of the Shanghai calendar date at `instant`. */
export const shanghaiDayNumber = (instant: Date): number => Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);

/** YYYY-MM-DD of a day number. */
export const isoDateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The day number of a YYYY-MM-DD date. */
export const dayNumberOf = (isoDate: string): number => Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;

/** The last millisecond of a Shanghai calendar day, as an instant. */
export const endOfShanghaiDay = (day: number): Date => new Date((day + 1) * DAY_MS - SHANGHAI_OFFSET_MS - 1);

/** 0 Sunday .. 6 Saturday. */
export const weekdayOf = (isoDate: string): number => new Date(`${isoDate}T00:00:00Z`).getUTCDay();
export const isWeekend = (isoDate: string): boolean => {
  const weekday = weekdayOf(isoDate);
  return weekday === 0 || weekday === 6;
};

/** Whether a date is a working day: the year's override when it has one, else Monday to Friday. */
export function isWorkingDay(calendar: WorkingCalendar, isoDate: string): boolean {
  const override = calendar.years.get(Number(isoDate.slice(0, 4)))?.days[isoDate];
  return override ? override.kind === 'workday' : !isWeekend(isoDate);
}

/** The `workingDays`-th working day after the Shanghai day `fromDay` (exclusive). */
function countWorkingDays(calendar: WorkingCalendar, fromDay: number, workingDays: number): Deadline {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new RangeError(`working days must be a positive integer, not ${workingDays}`);
  const versions: Record<string, number> = {};
  const missing = new Set<number>();
  const countedDays: string[] = [];
  let day = fromDay;
  while (countedDays.length < workingDays) {
    day += 1;
    const isoDate = isoDateOf(day);
    const year = Number(isoDate.slice(0, 4));
    if (year > LAST_YEAR) throw new RangeError(`the count runs past ${LAST_YEAR}`);
    const stored = calendar.years.get(year);
    if (stored) versions[String(year)] = stored.version;
    else missing.add(year);
    if (isWorkingDay(calendar, isoDate)) countedDays.push(isoDate);
  }
  return { dueAt: endOfShanghaiDay(day), dueDate: isoDateOf(day), provisional: missing.size > 0, versions, missingYears: [...missing].sort(), countedDays };
}

/**
 * The deadline `workingDays` working days after a receipt: counting starts the day after the
 * receipt's Shanghai date (a receipt on a rest day changes nothing but where the count starts).
 */
export function dueAfterWorkingDays(calendar: WorkingCalendar, receivedAt: Date, workingDays: number): Deadline {
  return countWorkingDays(calendar, shanghaiDayNumber(receivedAt), workingDays);
}

/**
 * An extension of a deadline by `workingDays` more working days, counted from the day after the
 * current due day (Art. 18: once, by at most 10; Art. 16: by at most 5; the caller checks the bound).
 */
export function extendDeadline(calendar: WorkingCalendar, currentDueAt: Date, workingDays: number): Deadline {
  return countWorkingDays(calendar, shanghaiDayNumber(currentDueAt), workingDays);
}
