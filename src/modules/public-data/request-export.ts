import { and, asc, eq, gt, gte, lt, or } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { keysetPages, type ExportDataset, type ExportPeriod } from '../../lib/tabular-export.js';
import { publicDataRequests as t, type PublicDataRequest } from './request-tables.js';

async function* requestPages(db: Database, { from, to }: ExportPeriod): AsyncGenerator<PublicDataRequest[]> {
  const read = (after: { receivedAt: Date; id: string } | undefined, limit: number) =>
    db
      .select()
      .from(t)
      .where(
        and(
          gte(t.receivedAt, from),
          lt(t.receivedAt, to),
          after ? or(gt(t.receivedAt, after.receivedAt), and(eq(t.receivedAt, after.receivedAt), gt(t.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(t.receivedAt), asc(t.id))
      .limit(limit);
  yield* keysetPages(read, (r) => ({ receivedAt: r.receivedAt, id: r.id }));
}

/**
 * Conditional-open and sharing requests received in a period, as the request view shows them to the
 * bureau: parties by id only, and no person (who answered, the head who approved an extension).
 */
export const publicDataRequestExport: ExportDataset<PublicDataRequest> = {
  name: 'public-data-requests',
  sheet: '公共数据申请 Requests',
  pages: requestPages,
  columns: [
    { header: '申请编号 Request ID', kind: 'code', value: (r) => r.id },
    { header: '收到时间 Received at', kind: 'instant', value: (r) => r.receivedAt },
    { header: '类型 Kind', kind: 'code', value: (r) => r.kind },
    { header: '状态 State', kind: 'code', value: (r) => r.state },
    { header: '申请方编号 Applicant party ID', kind: 'code', value: (r) => r.applicantPartyId },
    { header: '部门编号 Department party ID', kind: 'code', value: (r) => r.departmentPartyId },
    { header: '数据目录 Entries', kind: 'code', value: (r) => r.entryIds.join(' ') },
    { header: '获准目录 Approved entries', kind: 'code', value: (r) => r.approvedEntryIds?.join(' ') },
    { header: '用途 Purpose', kind: 'text', value: (r) => r.purpose },
    { header: '应用场景 Scenario', kind: 'text', value: (r) => r.scenario },
    { header: '安全措施 Safeguards', kind: 'text', value: (r) => r.safeguards },
    { header: '依据 Basis', kind: 'text', value: (r) => r.basis },
    { header: '范围 Scope', kind: 'text', value: (r) => r.scope },
    { header: '方式 Manner', kind: 'text', value: (r) => r.manner },
    { header: '期限开始 Term start', kind: 'date', value: (r) => r.termStart },
    { header: '期限结束 Term end', kind: 'date', value: (r) => r.termEnd },
    { header: '答复时限（工作日） Answer within (working days)', kind: 'integer', value: (r) => r.answerDays },
    { header: '答复截止 Due at', kind: 'instant', value: (r) => r.dueAt },
    { header: '延期（工作日） Extended by (working days)', kind: 'integer', value: (r) => r.extension?.workingDays },
    { header: '逾期时间 Overdue at', kind: 'instant', value: (r) => r.overdueAt },
    { header: '答复时间 Answered at', kind: 'instant', value: (r) => r.answeredAt },
    { header: '决定 Decision', kind: 'code', value: (r) => r.answer?.decision },
    { header: '理由 Reasons', kind: 'text', value: (r) => r.answer?.reasons },
  ],
};
