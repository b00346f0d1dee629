import { and, asc, eq, gt, gte, lt } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { keysetPages, type ExportDataset, type ExportPeriod } from '../../lib/tabular-export.js';
import type { AuditEventRow } from './service.js';
import { auditEvents, auditLogLeaves } from './tables.js';

/**
 * The events that occurred in a period, in the order they were written (`seq`, the primary key, so
 * each page is an index range however long the log). There is no index on `occurred_at`: the first
 * page scans from the start of the log to the period and the last one to its end; a period is read
 * in one pass either way.
 */
async function* eventPages(db: Database, { from, to }: ExportPeriod): AsyncGenerator<AuditEventRow[]> {
  const read = async (after: number | undefined, limit: number) => {
    const rows = await db
      .select({ event: auditEvents, leafIndex: auditLogLeaves.leafIndex })
      .from(auditEvents)
      .leftJoin(auditLogLeaves, eq(auditLogLeaves.eventSeq, auditEvents.seq))
      .where(and(gte(auditEvents.occurredAt, from), lt(auditEvents.occurredAt, to), after === undefined ? undefined : gt(auditEvents.seq, after)))
      .orderBy(asc(auditEvents.seq))
      .limit(limit);
    return rows.map((r) => ({ ...r.event, leafIndex: r.leafIndex }));
  };
  yield* keysetPages(read, (e) => e.seq);
}

/** The audit log (Art. 28(3)) as the operators' own view shows it: everything, the payload as JSON. */
export const auditEventExport: ExportDataset<AuditEventRow> = {
  name: 'audit-events',
  sheet: '审计日志 Audit events',
  pages: eventPages,
  columns: [
    { header: '序号 Seq', kind: 'integer', value: (e) => e.seq },
    { header: '日志位置 Leaf index', kind: 'integer', value: (e) => e.leafIndex },
    { header: '事件编号 Event ID', kind: 'code', value: (e) => e.id },
    { header: '发生时间 Occurred at', kind: 'instant', value: (e) => e.occurredAt },
    { header: '操作 Action', kind: 'code', value: (e) => e.action },
    { header: '对象类型 Subject type', kind: 'code', value: (e) => e.subjectType },
    { header: '对象编号 Subject ID', kind: 'text', value: (e) => e.subjectId },
    { header: '角色 Actor role', kind: 'code', value: (e) => e.actorRole },
    { header: '操作人编号 Actor user ID', kind: 'code', value: (e) => e.actorUserId },
    { header: '操作方编号 Actor party ID', kind: 'code', value: (e) => e.actorPartyId },
    { header: 'IP 地址 IP address', kind: 'code', value: (e) => e.ip },
    { header: '请求编号 Request ID', kind: 'text', value: (e) => e.requestId },
    { header: '相关方 Parties', kind: 'code', value: (e) => e.partyIds.join(' ') },
    { header: '内容 Payload (JSON)', kind: 'text', value: (e) => JSON.stringify(e.payload) },
  ],
};
