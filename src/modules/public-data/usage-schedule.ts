import { dayNumberOf, isoDateOf } from '../calendar/working-days.js';

/**
 * The schedule of usage reports an agreement sets (Art. 20 ¶1: 應當向政務部門反饋數據使用情況):
 * one report every `everyMonths` months from the day the duty began (the later of the term's start
 * and the agreement's seal) to the term's end, each due `REPORT_DAYS_AFTER_PERIOD` calendar days
 * after its period ends. Pure: dates are Asia/Shanghai calendar days, YYYY-MM-DD.
 */
export const REPORT_DAYS_AFTER_PERIOD = 15;
export const DEFAULT_REPORT_EVERY_MONTHS = 3;
export const reportIntervals = [1, 3, 6, 12] as const;

export interface ReportPeriod {
  period: number;
  start: string;
  end: string;
  dueDate: string;
}

/** `isoDate` plus `months` calendar months, kept to the month's last day (31 Jan + 1 month: 28/29 Feb). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

export const addDays = (isoDate: string, days: number) => isoDateOf(dayNumberOf(isoDate) + days);

/** Period `n` (1-based) of a schedule beginning `from` and ending with the term, or undefined past it. */
export function reportPeriod(from: string, termEnd: string, everyMonths: number, n: number): ReportPeriod | undefined {
  if (n < 1) return undefined;
  const start = addMonths(from, (n - 1) * everyMonths);
  if (start > termEnd) return undefined;
  const next = addMonths(from, n * everyMonths);
  const end = next > termEnd ? termEnd : addDays(next, -1);
  return { period: n, start, end, dueDate: addDays(end, REPORT_DAYS_AFTER_PERIOD) };
}

/**
 * The periods that have begun by `today`, and the next one: all of them once the term is over. A
 * term of decades with monthly reports stays short, as only what has begun is listed.
 */
export function periodsBegunBy(from: string, termEnd: string, everyMonths: number, today: string): ReportPeriod[] {
  const periods: ReportPeriod[] = [];
  for (let n = 1; ; n++) {
    const p = reportPeriod(from, termEnd, everyMonths, n);
    if (!p) return periods;
    periods.push(p);
    if (p.start > today) return periods;
  }
}

/** Where a period stands on `today`, given when (if) its report was filed. */
export type PeriodStatus = 'upcoming' | 'running' | 'due' | 'overdue' | 'filed' | 'filed_late';
export function periodStatus(p: ReportPeriod, today: string, filedOn: string | null): PeriodStatus {
  if (filedOn !== null) return filedOn > p.dueDate ? 'filed_late' : 'filed';
  if (p.start > today) return 'upcoming';
  if (today <= p.end) return 'running';
  return today <= p.dueDate ? 'due' : 'overdue';
}
