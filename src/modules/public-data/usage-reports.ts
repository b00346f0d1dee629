import { shanghaiToday } from './request-access.js';
import { periodStatus, periodsBegunBy, type PeriodStatus, type ReportPeriod, type ReportSchedule } from './usage-schedule.js';
import type { UsageReport } from './usage-tables.js';

/**
 * A usage report as its readers see it, and a schedule with each period's report, whoever owes the
 * reports: the user of opened data (usage-views.ts) or a department that central procurement
 * bought data for (procurement/usage.ts). Both store the columns of `usageReportColumns`.
 */

export type ReportRow = Pick<UsageReport, 'id' | 'period' | 'summary' | 'safeguards' | 'results' | 'filedAt' | 'dueDate'>;

export const reportView = (r: ReportRow) => ({
  id: r.id,
  period: r.period,
  summary: r.summary,
  safeguards: r.safeguards,
  results: r.results,
  filedAt: r.filedAt.toISOString(),
  late: shanghaiToday(r.filedAt) > r.dueDate,
});

export type PeriodWithReport<V> = ReportPeriod & { status: PeriodStatus; report: V | null };

/** The periods begun by `today` and the next one, each with its status and its report (as `view` shows it); none before the duty began. */
export function periodsWithReports<R extends ReportRow, V>(schedule: ReportSchedule | null, reports: R[], today: string, view: (r: R) => V): PeriodWithReport<V>[] {
  if (!schedule) return [];
  const byPeriod = new Map(reports.map((r) => [r.period, r]));
  return periodsBegunBy(schedule.from, schedule.termEnd, schedule.everyMonths, today).map((p) => {
    const report = byPeriod.get(p.period);
    return { ...p, status: periodStatus(p, today, report ? shanghaiToday(report.filedAt) : null), report: report ? view(report) : null };
  });
}

/** The periods reported, per whatever `key` names (a request; a procurement and department). */
export function periodsBy<R extends { period: number }>(reports: R[], key: (r: R) => string): Map<string, Set<number>> {
  const periods = new Map<string, Set<number>>();
  for (const r of reports) {
    const k = key(r);
    if (!periods.has(k)) periods.set(k, new Set());
    periods.get(k)!.add(r.period);
  }
  return periods;
}
