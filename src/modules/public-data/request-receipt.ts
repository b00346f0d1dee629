import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, type Localized } from '../../lib/errors.js';
import { systemActor } from '../audit/events.js';
import { requireVerifiedParty } from '../identity/service.js';
import { actingDepartment, type Caller } from './context.js';
import { calendarFrom, deadlineColumns, requestDeadline } from './request-deadlines.js';
import { answerWorkingDays, requestArticles, requestRefusal } from './request-rules.js';
import { auditRequest, transition } from './request-states.js';
import { publicDataRequests, type PublicDataRequest, type RequestKind } from './request-tables.js';
import { articles, refusal } from './rules.js';
import { entries, entryRevisions } from './tables.js';

export interface Term {
  start: string;
  end: string;
}

export interface OpenRequestInput {
  entryIds: string[];
  purpose: string;
  scenario: string;
  safeguards: string;
  term: Term;
}

export interface SharingRequestInput {
  entryIds: string[];
  basis: string;
  purpose: string;
  scope: string;
  manner: string;
  term: Term;
}

const invalid = (path: string, message: Localized) => new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });

/**
 * The published entries a request names, all of one department. A draft, a rejected entry or an
 * unknown id is not on the open list: invalid input naming it (as an order's listing not on sale),
 * which neither tells a draft from an unknown id nor says the request itself is missing.
 */
async function requestedEntries(db: Database, entryIds: string[]) {
  const ids = [...new Set(entryIds)];
  const rows = await db.select({ entry: entries, live: entryRevisions }).from(entries).innerJoin(entryRevisions, eq(entryRevisions.id, entries.liveRevisionId)).where(inArray(entries.id, ids));
  if (rows.length !== ids.length) {
    const found = new Set(rows.map((r) => r.entry.id));
    const errors = entryIds.flatMap((id, i) => (found.has(id) ? [] : [{ path: `/body/entryIds/${i}`, message: 'no published public-data entry has this id' }]));
    throw new AppError('validation-failed', { en: errors[0]!.message, zh: '没有使用该 id 的已发布公共数据目录' }, { errors });
  }
  const departments = new Set(rows.map((r) => r.entry.departmentPartyId));
  if (departments.size !== 1) throw new AppError('one-department-per-request', { en: 'ask each department for its own entries in a request of its own', zh: '请就每个部门的目录分别向该部门提出申请' }, { departmentPartyIds: [...departments] });
  return { ids, rows, departmentPartyId: rows[0]!.entry.departmentPartyId };
}

/**
 * Receives a request: stored with its deadline, counted once now on the stored calendar (10 or 5
 * working days from the day after receipt), the calendar versions it used and whether it is
 * provisional, and audited, in one transaction.
 */
async function receive(tx: Database, caller: Caller, kind: RequestKind, values: Omit<typeof publicDataRequests.$inferInsert, 'kind' | 'state' | 'receivedAt' | 'answerDays' | 'dueAt' | 'dueDate' | 'deadlineProvisional' | 'calendarVersions' | 'createdBy'>, receivedAt: Date): Promise<PublicDataRequest> {
  const answerDays = answerWorkingDays[kind];
  const deadline = requestDeadline(await calendarFrom(tx, receivedAt), { receivedAt, answerDays, extension: null });
  const [row] = await tx
    .insert(publicDataRequests)
    .values({ ...values, kind, state: 'received', receivedAt, answerDays, ...deadlineColumns(deadline), createdBy: caller.actor.userId })
    .returning();
  await auditRequest(tx, caller.audit, row!, 'received', null, { entryIds: row!.entryIds, dueDate: deadline.dueDate, provisional: deadline.provisional, calendarVersions: deadline.versions });
  return row!;
}

const checkTerm = (term: Term) => {
  if (term.end < term.start) throw invalid('/body/term/end', { en: 'the term ends on or after the day it starts', zh: '期限的结束日不得早于开始日' });
};

/**
 * Art. 18 ¶2: a verified person or organisation applies to one department for its conditionally
 * open entries, stating purpose, scenario, safeguards and term (what the agreement of Art. 19 ¶2
 * will state). Not-open data is refused (Art. 17 ¶2); open data needs no request (Art. 18 ¶1).
 */
export async function submitOpenRequest(db: Database, caller: Caller, input: OpenRequestInput, now = new Date()): Promise<PublicDataRequest> {
  checkTerm(input.term);
  return db.transaction(async (tx) => {
    const applicant = await requireVerifiedParty(tx, caller.actor.partyId);
    const { ids, rows, departmentPartyId } = await requestedEntries(tx, input.entryIds);
    for (const { entry, live } of rows) {
      if (live.openClass === 'not_open') throw refusal('data-not-open', articles.art17p2, { en: `entry ${entry.id} is classed not open and cannot be requested`, zh: `目录 ${entry.id} 属于不予开放类，不能申请` });
      if (live.openClass === 'unconditional') throw requestRefusal('entry-not-conditional', requestArticles.art18p1, { en: `entry ${entry.id} is unconditionally open: download it directly`, zh: `目录 ${entry.id} 为无条件开放，请直接下载` }, { entryId: entry.id });
    }
    if (departmentPartyId === applicant.id) throw requestRefusal('own-department-data', requestArticles.art18p2, { en: 'a department does not apply for its own data', zh: '部门不就本部门的数据提出申请' });
    return receive(tx, caller, 'open', {
      applicantPartyId: applicant.id,
      departmentPartyId,
      entryIds: ids,
      purpose: input.purpose,
      scenario: input.scenario,
      safeguards: input.safeguards,
      termStart: input.term.start,
      termEnd: input.term.end,
    }, now);
  });
}

/**
 * Art. 16: a department asks another for entries by their sharing class, stating basis, purpose,
 * scope and manner. `not_shared` data is refused at once with the entry's legal basis (Art. 15 ¶2);
 * a request for `unconditional` data only is granted at once; otherwise the holder answers
 * within 5 working days.
 */
export async function submitSharingRequest(db: Database, caller: Caller, input: SharingRequestInput, now = new Date()): Promise<PublicDataRequest> {
  checkTerm(input.term);
  return db.transaction(async (tx) => {
    const requester = await actingDepartment(tx, caller);
    await requireVerifiedParty(tx, requester);
    const { ids, rows, departmentPartyId } = await requestedEntries(tx, input.entryIds);
    if (departmentPartyId === requester) throw requestRefusal('own-department-data', requestArticles.art16p1, { en: 'a department shares other departments’ data; its own entries are its already', zh: '部门共享的是其他部门的数据；本部门的目录已归其所有' });
    const refused = rows.find((r) => r.live.sharingClass === 'not_shared');
    if (refused) {
      throw requestRefusal('data-not-shared', requestArticles.art15p2, { en: `entry ${refused.entry.id} is not shared, on the legal basis it names`, zh: `目录 ${refused.entry.id} 依其所列法律依据不予共享` }, {
        entryId: refused.entry.id,
        legalBasis: refused.live.content.sharing.legalBasis ?? null,
      });
    }
    const row = await receive(tx, caller, 'sharing', {
      applicantPartyId: requester,
      departmentPartyId,
      entryIds: ids,
      purpose: input.purpose,
      basis: input.basis,
      scope: input.scope,
      manner: input.manner,
      termStart: input.term.start,
      termEnd: input.term.end,
    }, now);
    if (rows.some((r) => r.live.sharingClass !== 'unconditional')) return row;
    // Unconditionally shared data is granted on the stated request: by the rule, not by a person.
    return transition(tx, systemActor(), row, 'approve', {
      approvedEntryIds: ids,
      answeredAt: now,
      answer: { decision: 'approved', answeredBy: null, reasons: 'unconditional sharing (Art. 15 ¶2)', legalBasis: null },
    });
  });
}
