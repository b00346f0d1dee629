import { and, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound, type Localized } from '../../lib/errors.js';
import { agreements } from '../agreements/tables.js';
import { appendAudit } from '../audit/service.js';
import { isBureau, type Caller } from './context.js';
import { shanghaiToday } from './request-access.js';
import { FINE_RANGE_YUAN, requestArticles, requestRefusal } from './request-rules.js';
import { lockRequest } from './request-states.js';
import type { PublicDataRequest } from './request-tables.js';
import { chineseReference } from './rules.js';
import { alreadyReported, periodStatus, periodToReport, reportPeriod, type ReportPeriod, type ReportSchedule } from './usage-schedule.js';
import { usageOrders, usageOutcomes, usageReports, type CorrectionRecord, type DecisionRecord, type OrderGround, type OutcomeKind, type UsageOrder, type UsageOutcome, type UsageReport } from './usage-tables.js';

/**
 * The user's duties under a utilization agreement (Art. 20) and their enforcement (Art. 64): usage
 * reports on the agreement's schedule, outcomes that cite their source, orders to correct and the
 * bureau's decisions. Every write locks the request first, so the writes about one agreement run
 * one after another and an order is never closed and decided at once.
 */

type UsageAudit = { requestId: string; departmentPartyId: string; userPartyId: string; details?: Record<string, string | number | boolean | null> };
declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.usage_report_filed': UsageAudit;
    'public_data.outcome_registered': UsageAudit;
    'public_data.outcome_cited': UsageAudit;
    'public_data.order_issued': UsageAudit;
    'public_data.order_corrected': UsageAudit;
    'public_data.order_decided': UsageAudit;
  }
}

/** An opened request under a sealed agreement: the day its usage duties began (Asia/Shanghai). */
export interface UsageAgreement {
  request: PublicDataRequest;
  /** The later of the term's start and the day the agreement was sealed; null: not sealed yet. */
  dutyFrom: string | null;
}

/** The later of the term's start and the day (Asia/Shanghai) the agreement was sealed. */
export function dutyFrom(request: Pick<PublicDataRequest, 'termStart'>, sealedAt: Date): string {
  const sealedOn = shanghaiToday(sealedAt);
  return sealedOn > request.termStart ? sealedOn : request.termStart;
}

export async function usageAgreementOf(db: Database, request: PublicDataRequest): Promise<UsageAgreement> {
  if (request.kind !== 'open' || !request.agreementId) return { request, dutyFrom: null };
  const [agreement] = await db.select({ sealedAt: agreements.sealedAt }).from(agreements).where(eq(agreements.id, request.agreementId));
  return { request, dutyFrom: agreement?.sealedAt ? dutyFrom(request, agreement.sealedAt) : null };
}

/** The agreement's schedule of reports, once its duties began. */
export const scheduleOf = (u: UsageAgreement): ReportSchedule | null =>
  u.dutyFrom && u.request.reportEveryMonths ? { from: u.dutyFrom, termEnd: u.request.termEnd, everyMonths: u.request.reportEveryMonths } : null;

/** Period `n` of the agreement's schedule, or undefined when the term has no such period. */
export function periodOf(u: UsageAgreement, n: number): ReportPeriod | undefined {
  const schedule = scheduleOf(u);
  return schedule ? reportPeriod(schedule.from, schedule.termEnd, schedule.everyMonths, n) : undefined;
}

/** Usage duties begin with the sealed agreement of an opened request; before, there is nothing to report. */
function requireDuties(u: UsageAgreement): asserts u is UsageAgreement & { dutyFrom: string } {
  if (u.request.kind !== 'open') throw invalidState({ en: 'usage reports and outcomes belong to conditional opening (Art. 20); a sharing request records its scope and term instead', zh: '使用报告和成果登记属于有条件开放（第二十条）；共享申请改为记录其范围和期限' });
  if (!u.dutyFrom) throw requestRefusal('agreement-not-signed', requestArticles.art19p1, { en: 'the utilization agreement is not yet signed and sealed: the duties of Art. 20 begin with it', zh: '数据利用协议尚未签署并加盖印章：第二十条规定的义务自协议签署起开始' }, { state: u.request.state });
}

/** The request, locked, for one of its sides or the bureau; anyone else learns nothing (404). */
async function lockedRequestFor(tx: Database, caller: Caller, id: string): Promise<PublicDataRequest> {
  const row = await lockRequest(tx, id);
  const party = caller.actor.partyId;
  if (!isBureau(caller) && (party === null || (party !== row.applicantPartyId && party !== row.departmentPartyId))) throw notFound({ en: 'public-data request', zh: '公共数据申请' });
  return row;
}

function requireUser(caller: Caller, row: PublicDataRequest) {
  if (caller.actor.partyId !== row.applicantPartyId) {
    throw requestRefusal('not-agreement-user', requestArticles.art20p1, { en: 'only the user under the agreement (the applicant’s party) reports its use and registers its outcomes', zh: '只有协议约定的使用方（申请人所在主体）报告其使用情况并登记成果' });
  }
}

const auditUsage = (tx: Database, caller: Caller, action: 'public_data.usage_report_filed' | 'public_data.outcome_registered' | 'public_data.outcome_cited', row: PublicDataRequest, subject: { type: string; id: string }, details: UsageAudit['details']) =>
  appendAudit(tx, caller.audit, {
    action,
    subject,
    payload: { requestId: row.id, departmentPartyId: row.departmentPartyId, userPartyId: row.applicantPartyId, details },
    parties: [row.departmentPartyId, row.applicantPartyId],
  });

/** Closes the open orders that the fact now before them corrects (a report filed, a source cited). */
async function closeOrdersBy(tx: Database, caller: Caller, row: PublicDataRequest, how: 'report_filed' | 'outcome_cited', which: { period?: number; outcomeId?: string }, now: Date) {
  const o = usageOrders;
  const matching = how === 'report_filed' ? and(eq(o.ground, 'usage_not_reported'), eq(o.period, which.period!)) : and(eq(o.ground, 'source_not_cited'), eq(o.outcomeId, which.outcomeId!));
  const open = await tx.select().from(o).where(and(eq(o.requestId, row.id), eq(o.state, 'open'), matching));
  for (const order of open) await correct(tx, caller, order, { how, statement: null, correctedAt: now.toISOString(), correctedBy: caller.actor.userId });
}

export interface ReportInput {
  period: number;
  summary: string;
  safeguards: string;
  results?: string | undefined;
}

/** Art. 20 ¶1: the user reports one period of the schedule, once; a report that names an open order's period corrects it. */
export async function fileUsageReport(db: Database, caller: Caller, requestId: string, input: ReportInput, now = new Date()): Promise<UsageReport> {
  return db.transaction(async (tx) => {
    const row = await lockedRequestFor(tx, caller, requestId);
    requireUser(caller, row);
    const usage = await usageAgreementOf(tx, row);
    requireDuties(usage);
    const today = shanghaiToday(now);
    const period = periodToReport(scheduleOf(usage), input.period, today);
    const [filed] = await tx.select({ id: usageReports.id }).from(usageReports).where(and(eq(usageReports.requestId, row.id), eq(usageReports.period, period.period)));
    if (filed) throw alreadyReported(period.period, filed.id);
    const [report] = await tx
      .insert(usageReports)
      .values({ requestId: row.id, period: period.period, periodStart: period.start, periodEnd: period.end, dueDate: period.dueDate, summary: input.summary.trim(), safeguards: input.safeguards.trim(), results: input.results?.trim() || null, filedAt: now, filedBy: caller.actor.userId })
      .returning();
    await auditUsage(tx, caller, 'public_data.usage_report_filed', row, { type: 'public_data_request', id: row.id }, { reportId: report!.id, period: period.period, dueDate: period.dueDate, status: periodStatus(period, today, today) });
    await closeOrdersBy(tx, caller, row, 'report_filed', { period: period.period }, now);
    return report!;
  });
}

export interface OutcomeInput {
  kind: OutcomeKind;
  title: string;
  description?: string | undefined;
  reference?: string | undefined;
  citation?: string | undefined;
}

/** Art. 20 ¶1: the user registers what the data went into, with the citation of its source as the outcome carries it. */
export async function registerOutcome(db: Database, caller: Caller, requestId: string, input: OutcomeInput, now = new Date()): Promise<UsageOutcome> {
  return db.transaction(async (tx) => {
    const row = await lockedRequestFor(tx, caller, requestId);
    requireUser(caller, row);
    requireDuties(await usageAgreementOf(tx, row));
    const citation = input.citation?.trim() || null;
    const [outcome] = await tx
      .insert(usageOutcomes)
      .values({
        requestId: row.id,
        userPartyId: row.applicantPartyId,
        departmentPartyId: row.departmentPartyId,
        kind: input.kind,
        title: input.title.trim(),
        description: input.description?.trim() || null,
        reference: input.reference?.trim() || null,
        citation,
        citedAt: citation ? now : null,
        registeredAt: now,
        registeredBy: caller.actor.userId,
      })
      .returning();
    await auditUsage(tx, caller, 'public_data.outcome_registered', row, { type: 'public_data_outcome', id: outcome!.id }, { outcomeId: outcome!.id, kind: input.kind, cited: citation !== null });
    return outcome!;
  });
}

/** The user adds (or corrects) the citation an outcome carries; it corrects an order that names the outcome. */
export async function citeOutcome(db: Database, caller: Caller, outcomeId: string, citationText: string, now = new Date()): Promise<UsageOutcome> {
  return db.transaction(async (tx) => {
    const [found] = await tx.select({ requestId: usageOutcomes.requestId }).from(usageOutcomes).where(eq(usageOutcomes.id, outcomeId));
    if (!found) throw notFound({ en: 'outcome', zh: '成果' });
    const row = await lockRequest(tx, found.requestId);
    const party = caller.actor.partyId;
    if (party !== row.applicantPartyId) {
      if (!isBureau(caller) && party !== row.departmentPartyId) throw notFound({ en: 'outcome', zh: '成果' });
      requireUser(caller, row);
    }
    const [outcome] = await tx.update(usageOutcomes).set({ citation: citationText.trim(), citedAt: now }).where(eq(usageOutcomes.id, outcomeId)).returning();
    await auditUsage(tx, caller, 'public_data.outcome_cited', row, { type: 'public_data_outcome', id: outcomeId }, { outcomeId });
    await closeOrdersBy(tx, caller, row, 'outcome_cited', { outcomeId }, now);
    return outcome!;
  });
}

export interface OrderInput {
  ground: OrderGround;
  details: string;
  correctBy: string;
  period?: number | undefined;
  outcomeId?: string | undefined;
}

const auditOrder = (tx: Database, caller: Caller, action: 'public_data.order_issued' | 'public_data.order_corrected' | 'public_data.order_decided', order: UsageOrder, details: UsageAudit['details']) =>
  appendAudit(tx, caller.audit, {
    action,
    subject: { type: 'public_data_order', id: order.id },
    payload: { requestId: order.requestId, departmentPartyId: order.departmentPartyId, userPartyId: order.userPartyId, details },
    // The user holds a receipt of every step of an order against it; so does the department.
    parties: [order.departmentPartyId, order.userPartyId],
  });

const unfounded = (path: string, detail: Localized) => requestRefusal('order-ground-unfounded', requestArticles.art64, detail, { errors: [{ path, message: detail.en }] });

/**
 * Art. 64: the department that opened the data, or the bureau, orders the user to correct a breach
 * of Art. 20 within a time limit. An order about a report names a period now overdue; one about a
 * citation names an outcome registered without one: the record must show the breach. One open
 * order per breach.
 */
export async function issueOrder(db: Database, caller: Caller, requestId: string, input: OrderInput, now = new Date()): Promise<UsageOrder> {
  return db.transaction(async (tx) => {
    const row = await lockedRequestFor(tx, caller, requestId);
    const asBureau = isBureau(caller);
    if (!asBureau && caller.actor.partyId !== row.departmentPartyId) {
      throw requestRefusal('not-order-issuer', requestArticles.art64, { en: 'the department that opened the data, or the bureau, orders a correction; not the user', zh: '责令改正由开放数据的部门或大数据发展局作出，而非使用方' });
    }
    const usage = await usageAgreementOf(tx, row);
    requireDuties(usage);
    const today = shanghaiToday(now);
    if (input.correctBy <= today) throw new AppError('validation-failed', { en: `the time limit to correct is a day after today (${today}, Asia/Shanghai)`, zh: `改正期限须晚于今天（${today}，Asia/Shanghai）` }, { errors: [{ path: '/body/correctBy', message: `after ${today}` }] });
    let period: number | null = null;
    let outcomeId: string | null = null;
    if (input.ground === 'usage_not_reported') {
      if (input.period === undefined) throw unfounded('/body/period', { en: 'name the period of the schedule that is not reported', zh: '请指明报告安排中未报告的报告期' });
      const p = periodOf(usage, input.period);
      if (!p) throw unfounded('/body/period', { en: `the term has no period ${input.period}`, zh: `约定期限内没有第 ${input.period} 期` });
      const [filed] = await tx.select({ filedAt: usageReports.filedAt }).from(usageReports).where(and(eq(usageReports.requestId, row.id), eq(usageReports.period, p.period)));
      const status = periodStatus(p, today, filed ? shanghaiToday(filed.filedAt) : null);
      if (status !== 'overdue') throw unfounded('/body/period', { en: `period ${p.period} is ${status.replace('_', ' ')}, not overdue (due ${p.dueDate})`, zh: `第 ${p.period} 期的状态为 ${status}，并未逾期（应于 ${p.dueDate} 报告）` });
      period = p.period;
    } else if (input.ground === 'source_not_cited') {
      if (!input.outcomeId) throw unfounded('/body/outcomeId', { en: 'name the outcome that does not cite the source', zh: '请指明未注明数据来源的成果' });
      const [outcome] = await tx.select().from(usageOutcomes).where(and(eq(usageOutcomes.id, input.outcomeId), eq(usageOutcomes.requestId, row.id)));
      if (!outcome) throw unfounded('/body/outcomeId', { en: 'the user registered no such outcome under this agreement', zh: '使用方未在该协议下登记此成果' });
      if (outcome.citation !== null) throw unfounded('/body/outcomeId', { en: 'the outcome cites its source', zh: '该成果已注明数据来源' });
      outcomeId = outcome.id;
    }
    const o = usageOrders;
    // One open order per report or outcome; a breach of scope or of the data is each its own.
    if (period !== null || outcomeId !== null) {
      const breach = period !== null ? eq(o.period, period) : eq(o.outcomeId, outcomeId!);
      const [duplicate] = await tx.select({ id: o.id }).from(o).where(and(eq(o.requestId, row.id), eq(o.state, 'open'), eq(o.ground, input.ground), breach));
      if (duplicate) throw conflict({ en: 'an open order already names this breach', zh: '已有尚未办结的责令改正指明该违规行为' }, { orderId: duplicate.id });
    }
    const [order] = await tx
      .insert(o)
      .values({
        requestId: row.id,
        userPartyId: row.applicantPartyId,
        departmentPartyId: row.departmentPartyId,
        ground: input.ground,
        details: input.details.trim(),
        period,
        outcomeId,
        correctBy: input.correctBy,
        issuedAt: now,
        issuedBy: caller.actor.userId,
        issuedAs: asBureau ? 'bureau' : 'department',
        state: 'open',
      })
      .returning();
    await auditOrder(tx, caller, 'public_data.order_issued', order!, { ground: input.ground, correctBy: input.correctBy, period, outcomeId, issuedAs: order!.issuedAs });
    return order!;
  });
}

async function correct(tx: Database, caller: Caller, order: UsageOrder, correction: CorrectionRecord): Promise<UsageOrder> {
  const [updated] = await tx.update(usageOrders).set({ state: 'corrected', correction, updatedAt: new Date(correction.correctedAt) }).where(and(eq(usageOrders.id, order.id), eq(usageOrders.state, 'open'))).returning();
  if (!updated) throw invalidState({ en: 'the order moved on meanwhile; read it again', zh: '责令改正已被同时变更，请重新读取' });
  const late = shanghaiToday(new Date(correction.correctedAt)) > order.correctBy;
  await auditOrder(tx, caller, 'public_data.order_corrected', updated, { how: correction.how, late });
  return updated;
}

/** The order, locked after its request, for its user, its department and the bureau; 404 for anyone else. */
async function lockedOrderFor(tx: Database, caller: Caller, id: string): Promise<{ order: UsageOrder; request: PublicDataRequest }> {
  const [found] = await tx.select({ requestId: usageOrders.requestId }).from(usageOrders).where(eq(usageOrders.id, id));
  if (!found) throw notFound({ en: 'order', zh: '责令改正' });
  const request = await lockRequest(tx, found.requestId);
  const party = caller.actor.partyId;
  if (!isBureau(caller) && (party === null || (party !== request.applicantPartyId && party !== request.departmentPartyId))) throw notFound({ en: 'order', zh: '责令改正' });
  const [order] = await tx.select().from(usageOrders).where(eq(usageOrders.id, id));
  return { order: order!, request };
}

/**
 * The user answers an order. A report or a citation is corrected by the fact (filing the report,
 * citing the source), which closes the order by itself; for use beyond the scope or harm to the
 * data, the user states what it did to correct, for the department and the bureau to weigh.
 */
export async function correctOrder(db: Database, caller: Caller, id: string, statement: string, now = new Date()): Promise<UsageOrder> {
  return db.transaction(async (tx) => {
    const { order, request } = await lockedOrderFor(tx, caller, id);
    requireUser(caller, request);
    if (order.state !== 'open') throw invalidState({ en: `the order is ${order.state}`, zh: `责令改正状态为 ${order.state}` }, { state: order.state });
    if (order.ground === 'usage_not_reported') {
      throw requestRefusal('correction-incomplete', requestArticles.art64, { en: `file the report for period ${order.period} (POST /public-data/requests/${order.requestId}/usage-reports): that corrects this order`, zh: `请提交第 ${order.period} 期的报告（POST /public-data/requests/${order.requestId}/usage-reports），即完成改正` });
    }
    if (order.ground === 'source_not_cited') {
      throw requestRefusal('correction-incomplete', requestArticles.art64, { en: `add the citation to the outcome (PUT /public-data/outcomes/${order.outcomeId}/citation): that corrects this order`, zh: `请在成果中补充数据来源标注（PUT /public-data/outcomes/${order.outcomeId}/citation），即完成改正` });
    }
    return correct(tx, caller, order, { how: 'statement', statement: statement.trim(), correctedAt: now.toISOString(), correctedBy: caller.actor.userId });
  });
}

export interface DecisionInput {
  kind: 'fine' | 'suspension';
  ground: string;
  amountYuan?: number | undefined;
  seriousConsequences?: boolean | undefined;
  suspendedUntil?: string | undefined;
}

/** Whether the time limit passed with the order unheeded: still open after it, or corrected only after it. */
export function lapsed(order: UsageOrder, today: string): boolean {
  if (order.state === 'open') return today > order.correctBy;
  if (order.state === 'corrected' && order.correction) return shanghaiToday(new Date(order.correction.correctedAt)) > order.correctBy;
  return false;
}

/**
 * Art. 64: the bureau records its decision on an order not heeded within its time limit (or, at
 * once, where the consequences are serious): a fine of 10,000 to 100,000 yuan with its ground, or
 * the suspension of the user's access to the data of the agreement. Final: one decision per order.
 */
export async function decideOrder(db: Database, caller: Caller, id: string, input: DecisionInput, now = new Date()): Promise<UsageOrder> {
  return db.transaction(async (tx) => {
    const { order } = await lockedOrderFor(tx, caller, id);
    if (order.state === 'decided') throw invalidState({ en: 'the bureau decided on this order already', zh: '大数据发展局已就该责令改正作出决定' }, { state: order.state });
    const today = shanghaiToday(now);
    const serious = input.seriousConsequences === true;
    if (!serious && !lapsed(order, today)) {
      throw requestRefusal('order-not-lapsed', requestArticles.art64, { en: order.state === 'corrected' ? 'the order was corrected within its time limit' : `the time limit runs to the end of ${order.correctBy}; decide after it, or state serious consequences`, zh: order.state === 'corrected' ? '该责令改正已在期限内改正' : `改正期限至 ${order.correctBy} 届满；请在期满后作出决定，或说明造成的严重后果` }, {
        state: order.state,
        correctBy: order.correctBy,
      });
    }
    const invalid = (path: string, message: Localized) =>
      new AppError('validation-failed', { en: `${requestArticles.art64.ref}: ${message.en}`, zh: `${chineseReference(requestArticles.art64.ref)}：${message.zh}` }, { errors: [{ path, message: message.en }], article: requestArticles.art64 });
    if (input.kind === 'fine' && input.amountYuan === undefined) throw invalid('/body/amountYuan', { en: `a fine states its amount, ${FINE_RANGE_YUAN.min} to ${FINE_RANGE_YUAN.max} yuan`, zh: `罚款须写明金额，为 ${FINE_RANGE_YUAN.min} 元至 ${FINE_RANGE_YUAN.max} 元` });
    if (input.kind === 'suspension' && input.amountYuan !== undefined) throw invalid('/body/amountYuan', { en: 'a suspension carries no amount', zh: '暂停访问不涉及金额' });
    if (input.kind === 'fine' && input.suspendedUntil !== undefined) throw invalid('/body/suspendedUntil', { en: 'a fine suspends nothing', zh: '罚款不暂停任何访问' });
    if (input.suspendedUntil !== undefined && input.suspendedUntil < today) throw invalid('/body/suspendedUntil', { en: `the suspension ends on or after today (${today})`, zh: `暂停的结束日不得早于今天（${today}）` });
    const decision: DecisionRecord = {
      kind: input.kind,
      amountYuan: input.kind === 'fine' ? input.amountYuan! : null,
      ground: input.ground.trim(),
      seriousConsequences: serious,
      suspendedUntil: input.kind === 'suspension' ? (input.suspendedUntil ?? null) : null,
      decidedAt: now.toISOString(),
      decidedBy: caller.actor.userId,
    };
    const [updated] = await tx.update(usageOrders).set({ state: 'decided', decision, updatedAt: now }).where(eq(usageOrders.id, order.id)).returning();
    await auditOrder(tx, caller, 'public_data.order_decided', updated!, { kind: decision.kind, amountYuan: decision.amountYuan, seriousConsequences: serious, suspendedUntil: decision.suspendedUntil, from: order.state });
    return updated!;
  });
}
