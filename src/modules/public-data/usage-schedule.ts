import { AppError, invalidState } from '../../lib/errors.js';
import { dayNumberOf, isoDateOf } from '../calendar/working-days.js';

/**
 * The schedule of usage reports an agreement sets (Art. 20 ¶1: 應當向政務部門反饋數據使用情況):
 * one report every `everyMonths` months from the day the duty began (the later of the term's start
 * and the agreement's seal) to the term's end, each due `REPORT_DAYS_AFTER_PERIOD` calendar days
 * after its period ends. Pure: dates are Asia/Shanghai calendar days, YYYY-MM-DD. A department
 * that central procurement bought data for reports on the same schedule (procurement/usage.ts).
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

/** A schedule of reports: from the day the duty began to the term's end, one every `everyMonths` months. */
export interface ReportSchedule {
  from: string;
  termEnd: string;
  everyMonths: number;
}

/** The periods of `schedule` that are overdue on `today`, of those not in `reported`. */
export function overduePeriods(schedule: ReportSchedule, reported: ReadonlySet<number>, today: string): ReportPeriod[] {
  return periodsBegunBy(schedule.from, schedule.termEnd, schedule.everyMonths, today).filter((p) => !reported.has(p.period) && periodStatus(p, today, null) === 'overdue');
}

/** The period a report names: one of the term (400 otherwise) that has begun by `today` (409 otherwise). */
export function periodToReport(schedule: ReportSchedule | null, n: number, today: string): ReportPeriod {
  const period = schedule ? reportPeriod(schedule.from, schedule.termEnd, schedule.everyMonths, n) : undefined;
  if (!period) throw new AppError('validation-failed', { en: `the term has no period ${n} in its schedule of reports`, zh: `约定期限的报告安排中没有第 ${n} 期` }, { errors: [{ path: '/body/period', message: 'past the end of the term' }] });
  if (period.start > today) throw invalidState({ en: `period ${period.period} begins on ${period.start}; report it once it has begun`, zh: `第 ${period.period} 期自 ${period.start} 开始，请在其开始后报告` }, { period });
  return period;
}

/** Art. 20 ¶1: each period is reported once. */
export const alreadyReported = (period: number, reportId: string) => new AppError('already-reported', { en: `period ${period} is reported already`, zh: `第 ${period} 期已经报告` }, { reportId });
