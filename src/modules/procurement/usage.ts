import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { shanghaiToday } from '../public-data/request-access.js';
import { periodsBy, periodsWithReports, reportView } from '../public-data/usage-reports.js';
import { alreadyReported, overduePeriods, periodToReport, type ReportSchedule } from '../public-data/usage-schedule.js';
import type { ReportInput } from '../public-data/usage.js';
import { downloadGrants, orders } from '../trading/tables.js';
import { hasRole, type Caller } from './context.js';
import { findProcurementFor } from './procurements.js';
import { beneficiariesOf, lockProcurement } from './states.js';
import { procurementShares, procurementUsageReports, procurements, type Procurement, type ProcurementUsageReport } from './tables.js';

/**
 * Each beneficiary department reports its use of the data bought for it, as any user of data does
 * (Art. 20 ¶1): to the bureau that bought on its behalf, on the schedule of public data's usage
 * reports (public-data/usage-schedule.ts), one report per period, each period once. A department
 * reads its own schedule and reports; the bureau and operators read every department's.
 */

declare module '../audit/events.js' {
  interface AuditPayloads {
    'procurement.usage_report_filed': { number: string; departmentPartyId: string; reportId: string; period: number; dueDate: string; late: boolean };
  }
}

/** A procurement whose order was placed or accepted: what was bought is in use. */
const inUse = ['ordered', 'completed'] as const;

/** One department's duty under one procurement: its schedule, once the department holds a grant. */
interface Duty {
  procurement: Pick<Procurement, 'id' | 'number' | 'bureauPartyId' | 'reportEveryMonths'>;
  departmentPartyId: string;
  term: { start: string; end: string };
  schedule: ReportSchedule;
}

/**
 * The duties of the departments that hold a download grant of a procurement in use, where `where`
 * says. A department's duty begins on the later of the order's term start and the day (Asia/Shanghai)
 * its first grant was issued, that is once the bureau's payment was received: before, it has nothing
 * to use and nothing to report. The grants of a procurement's order are its beneficiaries' alone.
 */
async function dutiesWhere(db: Database, where: SQL | undefined): Promise<Duty[]> {
  const rows = await db
    .select({
      procurement: { id: procurements.id, number: procurements.number, bureauPartyId: procurements.bureauPartyId, reportEveryMonths: procurements.reportEveryMonths },
      departmentPartyId: downloadGrants.buyerPartyId,
      termStart: orders.termStart,
      termEnd: orders.termEnd,
      grantedAt: downloadGrants.createdAt,
    })
    .from(procurements)
    .innerJoin(orders, eq(orders.id, procurements.orderId))
    .innerJoin(downloadGrants, eq(downloadGrants.orderId, orders.id))
    .where(and(inArray(procurements.status, inUse), where))
    .orderBy(asc(downloadGrants.createdAt));
  const duties = new Map<string, Duty>();
  for (const r of rows) {
    const key = `${r.procurement.id} ${r.departmentPartyId}`;
    if (duties.has(key)) continue;
    const grantedOn = shanghaiToday(r.grantedAt);
    duties.set(key, {
      procurement: r.procurement,
      departmentPartyId: r.departmentPartyId,
      term: { start: r.termStart, end: r.termEnd },
      schedule: { from: grantedOn > r.termStart ? grantedOn : r.termStart, termEnd: r.termEnd, everyMonths: r.procurement.reportEveryMonths },
    });
  }
  return [...duties.values()];
}

const reportOf = (r: ProcurementUsageReport) => ({
  ...reportView(r),
  procurementId: r.procurementId,
  departmentPartyId: r.departmentPartyId,
  auditEventId: r.auditEventId,
  receipt: `/audit/events/${r.auditEventId}/receipt`,
});
export type ProcurementReportView = ReturnType<typeof reportOf>;

/**
 * A beneficiary department reports its use of the procured data for one period of its schedule
 * (Art. 20 ¶1), acting for its own party. The procurement is locked first, so two reports of one
 * period are filed one after the other and the second finds the first (409 already-reported).
 */
export async function fileProcurementUsageReport(db: Database, caller: Caller, id: string, input: ReportInput, now = new Date()): Promise<ProcurementReportView> {
  return db.transaction(async (tx) => {
    await findProcurementFor(tx, caller, id);
    const procurement = await lockProcurement(tx, id);
    const party = caller.actor.partyId;
    const [share] = party ? await tx.select().from(procurementShares).where(and(eq(procurementShares.procurementId, id), eq(procurementShares.departmentPartyId, party))) : [];
    if (!share) throw new AppError('not-beneficiary', { en: 'only a department the procurement was made for reports its use of the data, acting for its own party (X-Party-Id); the bureau reads the reports', zh: '只有该采购项目的受益部门以本部门名义（X-Party-Id）报告其对数据的使用情况；大数据发展局查阅报告' });
    const [duty] = await dutiesWhere(tx, and(eq(procurements.id, id), eq(downloadGrants.buyerPartyId, share.departmentPartyId)));
    if (!duty) {
      throw new AppError('procurement-not-granted', { en: `the procurement is ${procurement.status} and your department holds no download grant yet: the duty to report begins once the order is paid`, zh: `采购项目状态为 ${procurement.status}，您的部门尚无下载授权：报告义务自订单付款后开始` }, { status: procurement.status });
    }
    const today = shanghaiToday(now);
    const period = periodToReport(duty.schedule, input.period, today);
    const r = procurementUsageReports;
    const [filed] = await tx.select({ id: r.id }).from(r).where(and(eq(r.procurementId, id), eq(r.departmentPartyId, share.departmentPartyId), eq(r.period, period.period)));
    if (filed) throw alreadyReported(period.period, filed.id);
    const reportId = randomUUID();
    const event = await appendAudit(tx, caller.audit, {
      action: 'procurement.usage_report_filed',
      subject: { type: 'procurement', id },
      payload: { number: procurement.number, departmentPartyId: share.departmentPartyId, reportId, period: period.period, dueDate: period.dueDate, late: today > period.dueDate },
      // The department and the bureau hold its receipt; the other beneficiaries do not see it.
      parties: [procurement.bureauPartyId, share.departmentPartyId],
    });
    const [report] = await tx
      .insert(r)
      .values({
        id: reportId,
        procurementId: id,
        departmentPartyId: share.departmentPartyId,
        period: period.period,
        periodStart: period.start,
        periodEnd: period.end,
        dueDate: period.dueDate,
        summary: input.summary.trim(),
        safeguards: input.safeguards.trim(),
        results: input.results?.trim() || null,
        filedAt: now,
        filedBy: caller.actor.userId,
        auditEventId: event.id,
      })
      .returning();
    return reportOf(report!);
  });
}

/**
 * The schedules of a procurement's beneficiaries with each period's report: the caller's own
 * department's, or every department's for the bureau's party that bought, the bureau and operators.
 */
export async function procurementUsage(db: Database, caller: Caller, id: string, now = new Date()) {
  const procurement = await findProcurementFor(db, caller, id);
  const seesAll = hasRole(caller, 'bureau') || hasRole(caller, 'operator') || caller.actor.partyId === procurement.bureauPartyId;
  // Not staff and not the buyer of record: findProcurementFor let the caller in as a beneficiary.
  const departments = seesAll ? await beneficiariesOf(db, id) : [caller.actor.partyId!];
  const r = procurementUsageReports;
  const [duties, reports] = await Promise.all([
    dutiesWhere(db, and(eq(procurements.id, id), inArray(downloadGrants.buyerPartyId, departments))),
    db.select().from(r).where(and(eq(r.procurementId, id), inArray(r.departmentPartyId, departments))),
  ]);
  const today = shanghaiToday(now);
  return {
    procurementId: procurement.id,
    number: procurement.number,
    status: procurement.status,
    reportEveryMonths: procurement.reportEveryMonths,
    today,
    departments: departments.map((departmentPartyId) => {
      const duty = duties.find((d) => d.departmentPartyId === departmentPartyId);
      const own = reports.filter((report) => report.departmentPartyId === departmentPartyId);
      return { departmentPartyId, term: duty?.term ?? null, dutyFrom: duty?.schedule.from ?? null, periods: periodsWithReports(duty?.schedule ?? null, own, today, reportOf) };
    }),
  };
}

/**
 * The periods whose report is overdue, of one department (as it owes them) or of all (`undefined`:
 * the bureau's and the operators' supervision, and the reminder sweep), earliest due first.
 */
export async function procurementReportsOverdue(db: Database, department: string | undefined, now = new Date()) {
  const duties = await dutiesWhere(db, department ? eq(downloadGrants.buyerPartyId, department) : undefined);
  if (duties.length === 0) return [];
  const r = procurementUsageReports;
  const filed = await db
    .select({ procurementId: r.procurementId, departmentPartyId: r.departmentPartyId, period: r.period })
    .from(r)
    .where(and(inArray(r.procurementId, [...new Set(duties.map((d) => d.procurement.id))]), department ? eq(r.departmentPartyId, department) : undefined));
  const reported = periodsBy(filed, (f) => `${f.procurementId} ${f.departmentPartyId}`);
  const today = shanghaiToday(now);
  const overdue = duties.flatMap((d) =>
    overduePeriods(d.schedule, reported.get(`${d.procurement.id} ${d.departmentPartyId}`) ?? new Set(), today).map((p) => ({
      procurementId: d.procurement.id,
      procurementNumber: d.procurement.number,
      bureauPartyId: d.procurement.bureauPartyId,
      departmentPartyId: d.departmentPartyId,
      period: p.period,
      periodEnd: p.end,
      dueDate: p.dueDate,
    })),
  );
  return overdue.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.procurementId.localeCompare(b.procurementId) || a.departmentPartyId.localeCompare(b.departmentPartyId));
}
