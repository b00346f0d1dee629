import { and, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import { isBureau, type Caller } from './context.js';
import type { RequestListQuery, RequestView } from './request-schema.js';
import { nextSteps } from './request-states.js';
import { publicDataRequests, type PublicDataRequest } from './request-tables.js';

export const ReceivedCursor = TimeAndIdCursor('receivedAt');

/**
 * A request for one of its sides or the bureau; nobody else learns it exists (404). The applicant's
 * own party reads it; a department reads the requests addressed to it.
 */
export async function readRequest(db: Database, caller: Caller, id: string): Promise<PublicDataRequest> {
  const [row] = await db.select().from(publicDataRequests).where(eq(publicDataRequests.id, id));
  const party = caller.actor.partyId;
  if (!row || !(isBureau(caller) || (party !== null && (party === row.applicantPartyId || party === row.departmentPartyId)))) throw notFound({ en: 'public-data request', zh: '公共数据申请' });
  return row;
}

/** The requests the caller's party made or received (the bureau: every one), latest first. */
export async function listRequests(
  db: Database,
  caller: Caller,
  q: Static<typeof RequestListQuery> & { after?: { receivedAt: string; id: string } | undefined; limit: number },
): Promise<PublicDataRequest[]> {
  const party = caller.actor.partyId;
  const t = publicDataRequests;
  let whose: SQL | undefined;
  if (!isBureau(caller)) {
    if (!party) return [];
    const made = eq(t.applicantPartyId, party);
    const received = eq(t.departmentPartyId, party);
    whose = q.role === 'applicant' ? made : q.role === 'department' ? received : or(made, received);
  }
  const after = q.after ? sql`(${t.receivedAt}, ${t.id}) < (${q.after.receivedAt}::timestamptz, ${q.after.id}::uuid)` : undefined;
  return db
    .select()
    .from(t)
    .where(and(whose, q.kind ? eq(t.kind, q.kind) : undefined, q.state ? eq(t.state, q.state) : undefined, after))
    .orderBy(desc(t.receivedAt), desc(t.id))
    .limit(q.limit);
}

/** The request as the caller reads it, with what the caller may do next. */
export function requestView(row: PublicDataRequest, caller: Caller): Static<typeof RequestView> {
  const party = caller.actor.partyId;
  const steps: Static<typeof RequestView>['nextSteps'] = [];
  if (party === row.departmentPartyId) steps.push(...nextSteps(row));
  // Both sides sign the utilization agreement through the agreements routes (Art. 19 ¶1).
  if (row.kind === 'open' && row.state === 'approved' && (party === row.departmentPartyId || party === row.applicantPartyId)) steps.push('sign_agreement');
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    nextSteps: steps,
    applicantPartyId: row.applicantPartyId,
    departmentPartyId: row.departmentPartyId,
    entryIds: row.entryIds,
    approvedEntryIds: row.approvedEntryIds,
    purpose: row.purpose,
    scenario: row.scenario,
    safeguards: row.safeguards,
    basis: row.basis,
    scope: row.scope,
    manner: row.manner,
    term: { start: row.termStart, end: row.termEnd },
    receivedAt: row.receivedAt.toISOString(),
    deadline: { answerWorkingDays: row.answerDays, dueAt: row.dueAt.toISOString(), dueDate: row.dueDate, provisional: row.deadlineProvisional, calendarVersions: row.calendarVersions },
    extension: row.extension,
    overdue: row.overdueAt !== null,
    overdueAt: row.overdueAt?.toISOString() ?? null,
    answeredAt: row.answeredAt?.toISOString() ?? null,
    answer: row.answer ? { decision: row.answer.decision, reasons: row.answer.reasons, legalBasis: row.answer.legalBasis } : null,
    agreementId: row.agreementId,
    reportEveryMonths: row.reportEveryMonths,
    updatedAt: row.updatedAt.toISOString(),
  };
}
