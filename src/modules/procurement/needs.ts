import { and, desc, eq, sql } from 'drizzle-orm';
import { assertCanAccess } from '../../lib/authz.js';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import { TimeAndIdCursor, decodeCursor, pageOf } from '../../lib/http.js';
import { appendAudit } from '../audit/service.js';
import { queryTerms } from '../catalog/search-text.js';
import { searchEntries } from '../public-data/search.js';
import { BUDGET_CURRENCY, budgetOf, committedMinor } from './budgets.js';
import { actingPublicBody, hasRole, invalidInput, type Caller } from './context.js';
import { procurementNeeds, type Need, type NeedStatus, type PublicDataMatch } from './tables.js';
import { needView } from './views.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'procurement.need_filed': { title: string; budgetMinor: number; budgetYear: number; overBudget: boolean; availableAsPublicData: string[] };
    'procurement.need_withdrawn': { title: string; reason: string };
  }
}

export interface NeedInput {
  title: string;
  description: string;
  duty: string;
  legalBasis: string;
  budgetMinor: number;
  term: { start: string; end: string };
  budgetYear: number;
}

/** How many published entries are looked at for the Art. 13(2) check. */
const PUBLIC_DATA_CANDIDATES = 50;

/**
 * Art. 13(2): data that can be had by sharing must not be collected again. The open list is searched
 * with the need's title (as anyone searches it); an entry counts when the department could obtain it
 * by sharing (another department's entry, shared unconditionally or on conditions) or by opening
 * (open unconditionally or on conditions).
 */
export async function publicDataAvailableFor(db: Database, departmentPartyId: string, title: string): Promise<PublicDataMatch[]> {
  // A title of punctuation alone has no terms: an empty query would list the whole open list.
  if (queryTerms(title).length === 0) return [];
  const found = await searchEntries(db, { q: title, limit: PUBLIC_DATA_CANDIDATES });
  const matches: PublicDataMatch[] = [];
  for (const entry of found.items) {
    const ways: PublicDataMatch['ways'] = [];
    if (entry.departmentPartyId !== departmentPartyId && entry.sharingClass !== 'not_shared') ways.push('sharing');
    if (entry.openClass !== 'not_open') ways.push('opening');
    if (ways.length) matches.push({ entryId: entry.id, departmentPartyId: entry.departmentPartyId, title: entry.title, openClass: entry.openClass, sharingClass: entry.sharingClass, ways });
  }
  return matches;
}

/**
 * A department files a purchase need. Filing always succeeds; the bureau sees two flags: over budget
 * (the need plus the year's committed shares exceed the department's budget, or none is set), and
 * the published public data the department could have instead (Art. 13(2)).
 */
export async function fileNeed(db: Database, caller: Caller, input: NeedInput): Promise<Need> {
  if (input.term.end < input.term.start) throw invalidInput('/body/term/end', { en: 'the term ends before it starts', zh: '期限的结束早于开始' });
  const departmentPartyId = await actingPublicBody(db, caller, 'department');
  const availableAsPublicData = await publicDataAvailableFor(db, departmentPartyId, input.title);
  const now = new Date();
  return db.transaction(async (tx) => {
    const budget = await budgetOf(tx, departmentPartyId, input.budgetYear);
    const committed = await committedMinor(tx, departmentPartyId, input.budgetYear);
    const overBudget = budget === null || committed + input.budgetMinor > budget;
    const [need] = await tx
      .insert(procurementNeeds)
      .values({
        departmentPartyId,
        filedBy: caller.actor.userId,
        status: 'filed',
        title: input.title,
        description: input.description,
        duty: input.duty,
        legalBasis: input.legalBasis,
        budgetMinor: input.budgetMinor,
        currency: BUDGET_CURRENCY,
        termStart: input.term.start,
        termEnd: input.term.end,
        budgetYear: input.budgetYear,
        overBudget,
        budgetAtFilingMinor: budget,
        committedAtFilingMinor: committed,
        availableAsPublicData,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await appendAudit(tx, caller.audit, {
      action: 'procurement.need_filed',
      subject: { type: 'procurement-need', id: need!.id },
      payload: { title: input.title, budgetMinor: input.budgetMinor, budgetYear: input.budgetYear, overBudget, availableAsPublicData: availableAsPublicData.map((m) => m.entryId) },
    });
    return need!;
  });
}

/** A need its department (or the bureau) may see; anyone else is told it does not exist. */
export async function findNeedFor(db: Database, caller: Caller, id: string, opts: { lock?: boolean; ownerOnly?: boolean } = {}): Promise<Need> {
  const query = db.select().from(procurementNeeds).where(eq(procurementNeeds.id, id));
  const [need] = opts.lock ? await query.for('update') : await query;
  if (!need) throw notFound({ en: 'purchase need', zh: '采购需求' });
  assertCanAccess(caller.actor, { partyId: need.departmentPartyId }, { en: 'purchase need', zh: '采购需求' }, opts.ownerOnly ? [] : ['bureau']);
  return need;
}

/** The department withdraws a need it filed, before the bureau consolidates it. */
export async function withdrawNeed(db: Database, caller: Caller, id: string, reason: string): Promise<Need> {
  return db.transaction(async (tx) => {
    const need = await findNeedFor(tx, caller, id, { lock: true, ownerOnly: true });
    if (need.status !== 'filed') throw invalidState({ en: `only a filed need can be withdrawn; this one is ${need.status}`, zh: `只有已提交的需求可以撤回；该需求状态为 ${need.status}` }, { status: need.status });
    const [withdrawn] = await tx.update(procurementNeeds).set({ status: 'withdrawn', withdrawnReason: reason, updatedAt: new Date() }).where(eq(procurementNeeds.id, id)).returning();
    await appendAudit(tx, caller.audit, { action: 'procurement.need_withdrawn', subject: { type: 'procurement-need', id }, payload: { title: need.title, reason } });
    return withdrawn!;
  });
}

const NeedCursor = TimeAndIdCursor('createdAt');

/** A department's own needs; the bureau's view of every department's. Newest first. */
export async function listNeeds(
  db: Database,
  caller: Caller,
  q: { status?: NeedStatus | undefined; budgetYear?: number | undefined; departmentPartyId?: string | undefined; cursor?: string | undefined; limit: number },
) {
  // A broken cursor is bad input whatever the list holds: read it before anything else.
  const after = decodeCursor(q.cursor, NeedCursor);
  const bureau = hasRole(caller, 'bureau');
  const department = bureau ? q.departmentPartyId : caller.actor.partyId;
  if (!department && !bureau) return { items: [], next: null };
  if (!bureau && q.departmentPartyId && q.departmentPartyId !== department) return { items: [], next: null };
  const rows = await db
    .select()
    .from(procurementNeeds)
    .where(
      and(
        department ? eq(procurementNeeds.departmentPartyId, department) : undefined,
        q.status ? eq(procurementNeeds.status, q.status) : undefined,
        q.budgetYear ? eq(procurementNeeds.budgetYear, q.budgetYear) : undefined,
        after ? sql`(${procurementNeeds.createdAt}, ${procurementNeeds.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(procurementNeeds.createdAt), desc(procurementNeeds.id))
    .limit(q.limit + 1);
  return pageOf(rows, q.limit, needView, (n) => ({ createdAt: n.createdAt.toISOString(), id: n.id }));
}
