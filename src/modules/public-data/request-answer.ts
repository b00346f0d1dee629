import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Agreements } from '../agreements/index.js';
import type { Caller } from './context.js';
import { calendarFrom, deadlineColumns, requestDeadline } from './request-deadlines.js';
import { shanghaiToday } from './request-access.js';
import { answerArticle, BUREAU_NAME, maxExtensionWorkingDays, requestRefusal } from './request-rules.js';
import { lockRequest, transition } from './request-states.js';
import type { ExtensionRecord, PublicDataRequest } from './request-tables.js';
import type { LegalBasis } from './schema.js';
import { entries, entryRevisions } from './tables.js';
import { DEFAULT_REPORT_EVERY_MONTHS, REPORT_DAYS_AFTER_PERIOD } from './usage-schedule.js';

export interface ExtensionInput {
  workingDays: number;
  approverName: string;
  approverTitle: string;
  approvedAt: string;
  reason: string;
}

export interface AnswerInput {
  decision: 'approve' | 'refuse';
  /** The entries granted: all the request names when absent. */
  entryIds?: string[] | undefined;
  reasons?: string | undefined;
  legalBasis?: LegalBasis | undefined;
  /** Opening: how the data are disposed of when the agreement ends (Art. 19 ¶2). */
  disposal?: string | undefined;
  /** Opening: the agreement's schedule of usage reports (Art. 20 ¶1), every so many months. */
  reportEveryMonths?: number | undefined;
}

/** How far ahead of the server's clock a client's timestamp may be. */
const CLOCK_SKEW_MS = 5 * 60_000;

export const DEFAULT_DISPOSAL = '协议期满后，乙方删除全部数据及其副本，并出具删除证明。At the end of the term the user deletes the data and every copy and certifies the deletion.';

/** The request as its department answers it, locked; any other caller has no relation to it (404). */
async function requestOfDepartment(tx: Database, caller: Caller, id: string): Promise<PublicDataRequest> {
  const row = await lockRequest(tx, id);
  if (caller.actor.partyId === null || row.departmentPartyId !== caller.actor.partyId) throw notFound({ en: 'public-data request', zh: '公共数据申请' });
  return row;
}

/**
 * Art. 16 ¶2, Art. 18 ¶2: the department extends its deadline once, before it passes, by at most 5
 * (sharing) or 10 (opening) working days counted from the day after the current deadline, on the
 * approval of its head, which is recorded.
 */
export async function extendRequestDeadline(db: Database, caller: Caller, id: string, input: ExtensionInput, now = new Date()): Promise<PublicDataRequest> {
  return db.transaction(async (tx) => {
    const row = await requestOfDepartment(tx, caller, id);
    const article = answerArticle[row.kind];
    if (row.extension) throw requestRefusal('already-extended', article, { en: `the deadline was extended on ${row.extension.extendedAt.slice(0, 10)}; it is extended once only`, zh: `答复期限已于 ${row.extension.extendedAt.slice(0, 10)} 延长；只能延长一次` }, { state: row.state });
    if (row.state !== 'received') return transition(tx, caller.audit, row, 'extend');
    if (now.getTime() > row.dueAt.getTime()) throw requestRefusal('deadline-passed', article, { en: `the deadline passed at the end of ${row.dueDate}; extend before it passes`, zh: `答复期限已于 ${row.dueDate} 届满；须在届满前延长` }, { dueAt: row.dueAt.toISOString() });
    // The head approved this request's extension: on or after the day it was received (Asia/Shanghai), and not in the future.
    const approvedAt = new Date(input.approvedAt);
    if (shanghaiToday(approvedAt) < shanghaiToday(row.receivedAt) || approvedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw new AppError('validation-failed', { en: `the head's approval is dated from the day the request was received (${shanghaiToday(row.receivedAt)}) to now`, zh: `负责人批准的日期须在收到申请之日（${shanghaiToday(row.receivedAt)}）至今之间` }, {
        errors: [{ path: '/body/approvedAt', message: 'from the day of receipt to now' }],
      });
    }
    const max = maxExtensionWorkingDays[row.kind];
    if (input.workingDays > max) {
      throw requestRefusal('extension-too-long', article, { en: `an extension is at most ${max} working days`, zh: `延长期限最多为 ${max} 个工作日` }, { errors: [{ path: '/body/workingDays', message: `at most ${max}` }], maxWorkingDays: max });
    }
    const extension: ExtensionRecord = { ...input, approvedAt: approvedAt.toISOString(), extendedAt: now.toISOString(), previousDueAt: row.dueAt.toISOString() };
    const deadline = requestDeadline(await calendarFrom(tx, row.receivedAt), { ...row, extension });
    return transition(tx, caller.audit, row, 'extend', { extension, ...deadlineColumns(deadline) }, {
      workingDays: input.workingDays,
      approverName: input.approverName,
      approverTitle: input.approverTitle,
      previousDueDate: row.dueDate,
      dueDate: deadline.dueDate,
      provisional: deadline.provisional,
    });
  });
}

/** The agreement's data list: the approved entries as the open list publishes them. */
async function dataListOf(tx: Database, entryIds: string[]) {
  const rows = await tx.select({ id: entries.id, live: entryRevisions }).from(entries).innerJoin(entryRevisions, eq(entryRevisions.id, entries.liveRevisionId)).where(inArray(entries.id, entryIds));
  return rows.map(({ id, live }) => ({
    name: live.content.title.zh,
    description: `${live.content.summary.zh}（目录条目 entry ${id}）`,
    format: live.content.formats.join(', '),
    sha256: null,
  }));
}

/**
 * The department answers. A refusal states reasons and its legal basis. An approval grants the
 * listed entries; for opening it drafts the government data utilization agreement (Art. 19) in the
 * same transaction, which both sides then sign through the agreements routes. A sharing approval
 * is the grant itself, for the stated term (Art. 16 ¶2: 同意的應當予以共享). Of two answers at
 * once, the first wins and the second is a 409.
 */
export async function answerRequest(db: Database, agreements: Pick<Agreements, 'draftUtilizationAgreement'>, caller: Caller, id: string, input: AnswerInput): Promise<PublicDataRequest> {
  return db.transaction(async (tx) => {
    const row = await requestOfDepartment(tx, caller, id);
    const article = answerArticle[row.kind];
    if (input.decision === 'refuse') {
      const missing = [!input.reasons?.trim() ? '/body/reasons' : null, !input.legalBasis ? '/body/legalBasis' : null].filter((p): p is string => p !== null);
      if (missing.length > 0) {
        throw requestRefusal('refusal-grounds-required', article, { en: 'a refusal states its reasons and provides its legal basis', zh: '不予同意须说明理由并提供依据' }, { errors: missing.map((path) => ({ path, message: 'required for a refusal' })) });
      }
      return transition(tx, caller.audit, row, 'refuse', {
        answeredAt: new Date(),
        answer: { decision: 'refused', answeredBy: caller.actor.userId, reasons: input.reasons!.trim(), legalBasis: input.legalBasis! },
      }, { reasons: input.reasons!.trim(), legalBasis: input.legalBasis!.title });
    }
    const granted = input.entryIds ? [...new Set(input.entryIds)] : row.entryIds;
    const unknown = granted.find((e) => !row.entryIds.includes(e));
    if (unknown || granted.length === 0) throw new AppError('validation-failed', { en: 'approve entries the request names', zh: '请批准申请所列的目录' }, { errors: [{ path: '/body/entryIds', message: unknown ? `${unknown} is not in the request` : 'approve at least one entry' }] });
    let agreementId: string | null = null;
    const reportEveryMonths = row.kind === 'open' ? (input.reportEveryMonths ?? DEFAULT_REPORT_EVERY_MONTHS) : null;
    if (reportEveryMonths !== null) {
      const agreement = await agreements.draftUtilizationAgreement(tx, caller.audit, {
        departmentPartyId: row.departmentPartyId,
        userPartyId: row.applicantPartyId,
        requestReference: row.id,
        bureauName: BUREAU_NAME,
        dataList: await dataListOf(tx, granted),
        purpose: row.purpose,
        scenario: row.scenario ?? '',
        safeguards: row.safeguards ?? '',
        disposal: input.disposal?.trim() || DEFAULT_DISPOSAL,
        reportSchedule: { everyMonths: reportEveryMonths, daysAfterPeriod: REPORT_DAYS_AFTER_PERIOD },
        term: { start: new Date(`${row.termStart}T00:00:00.000+08:00`), end: new Date(`${row.termEnd}T23:59:59.999+08:00`) },
      });
      agreementId = agreement.id;
    }
    return transition(tx, caller.audit, row, 'approve', {
      approvedEntryIds: granted,
      agreementId,
      reportEveryMonths,
      answeredAt: new Date(),
      answer: { decision: 'approved', answeredBy: caller.actor.userId, reasons: input.reasons?.trim() || null, legalBasis: null },
    }, { entryIds: granted, agreementId, reportEveryMonths });
  });
}
