import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import { agreements } from '../agreements/tables.js';
import { procurementReportsOverdue as procurementReportsOverdueOf } from '../procurement/usage.js';
import { isBureau, type Caller } from './context.js';
import { shanghaiToday } from './request-access.js';
import { readRequest } from './request-reads.js';
import { publicDataRequests } from './request-tables.js';
import { dutyFrom, lapsed, scheduleOf, usageAgreementOf } from './usage.js';
import { periodsBy, periodsWithReports, reportView } from './usage-reports.js';
import { overduePeriods } from './usage-schedule.js';
import type { OrderListQuery, OrderView, OutcomeView, UsageDutiesView, UsageView } from './usage-schema.js';
import { usageOrders, usageOutcomes, usageReports, type UsageOrder, type UsageOutcome } from './usage-tables.js';

export const IssuedCursor = TimeAndIdCursor('issuedAt');

export const outcomeView = (o: UsageOutcome): Static<typeof OutcomeView> => ({
  id: o.id,
  requestId: o.requestId,
  userPartyId: o.userPartyId,
  departmentPartyId: o.departmentPartyId,
  kind: o.kind,
  title: o.title,
  description: o.description,
  reference: o.reference,
  citation: o.citation,
  cited: o.citation !== null,
  citedAt: o.citedAt?.toISOString() ?? null,
  registeredAt: o.registeredAt.toISOString(),
});

/** An order for its user, its department and the bureau; who issued or decided it is the role, not the person. */
export const orderView = (o: UsageOrder, now = new Date()): Static<typeof OrderView> => ({
  id: o.id,
  requestId: o.requestId,
  userPartyId: o.userPartyId,
  departmentPartyId: o.departmentPartyId,
  ground: o.ground,
  details: o.details,
  period: o.period,
  outcomeId: o.outcomeId,
  correctBy: o.correctBy,
  issuedAt: o.issuedAt.toISOString(),
  issuedAs: o.issuedAs,
  state: o.state,
  lapsed: o.state !== 'decided' && lapsed(o, shanghaiToday(now)),
  correction: o.correction
    ? { how: o.correction.how, statement: o.correction.statement, correctedAt: o.correction.correctedAt, late: shanghaiToday(new Date(o.correction.correctedAt)) > o.correctBy }
    : null,
  decision: o.decision
    ? { kind: o.decision.kind, amountYuan: o.decision.amountYuan, ground: o.decision.ground, seriousConsequences: o.decision.seriousConsequences, suspendedUntil: o.decision.suspendedUntil, decidedAt: o.decision.decidedAt }
    : null,
});

/** The request's usage: its schedule with each period's report, the outcomes, the orders. */
export async function usageOf(db: Database, caller: Caller, requestId: string, now = new Date()): Promise<Static<typeof UsageView>> {
  const request = await readRequest(db, caller, requestId);
  const usage = await usageAgreementOf(db, request);
  const today = shanghaiToday(now);
  const [reports, outcomes, orders] = await Promise.all([
    db.select().from(usageReports).where(eq(usageReports.requestId, request.id)),
    db.select().from(usageOutcomes).where(eq(usageOutcomes.requestId, request.id)).orderBy(asc(usageOutcomes.registeredAt), asc(usageOutcomes.id)),
    db.select().from(usageOrders).where(eq(usageOrders.requestId, request.id)).orderBy(asc(usageOrders.issuedAt), asc(usageOrders.id)),
  ]);
  return {
    requestId: request.id,
    userPartyId: request.applicantPartyId,
    departmentPartyId: request.departmentPartyId,
    reportEveryMonths: request.reportEveryMonths,
    dutyFrom: usage.dutyFrom,
    today,
    periods: periodsWithReports(scheduleOf(usage), reports, today, reportView),
    outcomes: outcomes.map(outcomeView),
    orders: orders.map((o) => orderView(o, now)),
  };
}

/**
 * Supervision of Art. 20 (a department: its own; the bureau: all, or one department's): periods
 * whose report is overdue, and outcomes registered without their citation; and the reports that
 * departments owe for data central procurement bought for them (a department: those it owes).
 */
export async function usageDuties(db: Database, caller: Caller, departmentPartyId: string | undefined, now = new Date()): Promise<Static<typeof UsageDutiesView>> {
  const department = isBureau(caller) ? departmentPartyId : (caller.actor.partyId ?? undefined);
  if (!isBureau(caller) && !department) return { today: shanghaiToday(now), overdueReports: [], uncitedOutcomes: [], procurementReportsOverdue: [] };
  const [publicData, procurementReportsOverdue] = await Promise.all([usageDutiesOf(db, department, now), procurementReportsOverdueOf(db, department, now)]);
  return { ...publicData, procurementReportsOverdue };
}

/** The same lists of public data for one department, or for all (`undefined`): the bureau's and the operators' supervision. */
export async function usageDutiesOf(db: Database, department: string | undefined, now = new Date()): Promise<Omit<Static<typeof UsageDutiesView>, 'procurementReportsOverdue'>> {
  const today = shanghaiToday(now);
  const whose = department ? eq(publicDataRequests.departmentPartyId, department) : undefined;
  const sealed = await db
    .select({ request: publicDataRequests, sealedAt: agreements.sealedAt })
    .from(publicDataRequests)
    .innerJoin(agreements, eq(agreements.id, publicDataRequests.agreementId))
    .where(and(whose, eq(publicDataRequests.kind, 'open'), isNotNull(publicDataRequests.reportEveryMonths), isNotNull(agreements.sealedAt)));
  const filed = sealed.length === 0 ? [] : await db.select({ requestId: usageReports.requestId, period: usageReports.period }).from(usageReports).where(inArray(usageReports.requestId, sealed.map((s) => s.request.id)));
  const reported = periodsBy(filed, (f) => f.requestId);
  const overdueReports = sealed.flatMap(({ request, sealedAt }) => {
    const schedule = { from: dutyFrom(request, sealedAt!), termEnd: request.termEnd, everyMonths: request.reportEveryMonths! };
    return overduePeriods(schedule, reported.get(request.id) ?? new Set(), today).map((p) => ({ requestId: request.id, userPartyId: request.applicantPartyId, departmentPartyId: request.departmentPartyId, period: p.period, periodEnd: p.end, dueDate: p.dueDate }));
  });
  overdueReports.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.requestId.localeCompare(b.requestId));
  const uncited = await db
    .select()
    .from(usageOutcomes)
    .where(and(isNull(usageOutcomes.citation), department ? eq(usageOutcomes.departmentPartyId, department) : undefined))
    .orderBy(asc(usageOutcomes.registeredAt), asc(usageOutcomes.id));
  return { today, overdueReports, uncitedOutcomes: uncited.map(outcomeView) };
}

/** The orders against the caller's party or about its department's data (the bureau: all), latest first. */
export async function listOrders(db: Database, caller: Caller, q: Static<typeof OrderListQuery> & { after?: { issuedAt: string; id: string } | undefined; limit: number }): Promise<UsageOrder[]> {
  const o = usageOrders;
  const party = caller.actor.partyId;
  let whose: SQL | undefined;
  if (!isBureau(caller)) {
    if (!party) return [];
    whose = q.role === 'user' ? eq(o.userPartyId, party) : q.role === 'department' ? eq(o.departmentPartyId, party) : or(eq(o.userPartyId, party), eq(o.departmentPartyId, party));
  }
  const after = q.after ? sql`(${o.issuedAt}, ${o.id}) < (${q.after.issuedAt}::timestamptz, ${q.after.id}::uuid)` : undefined;
  return db
    .select()
    .from(o)
    .where(and(whose, q.state ? eq(o.state, q.state) : undefined, after))
    .orderBy(desc(o.issuedAt), desc(o.id))
    .limit(q.limit);
}

export async function readOrder(db: Database, caller: Caller, id: string): Promise<UsageOrder> {
  const [order] = await db.select().from(usageOrders).where(eq(usageOrders.id, id));
  const party = caller.actor.partyId;
  if (!order || !(isBureau(caller) || (party !== null && (party === order.userPartyId || party === order.departmentPartyId)))) throw notFound({ en: 'order', zh: '责令改正' });
  return order;
}
