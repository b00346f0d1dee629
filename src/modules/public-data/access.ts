import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState, notFound } from '../../lib/errors.js';
import { requireVerifiedParty } from '../identity/service.js';
import { isBureau, type Caller } from './context.js';
import type { Entry, EntryRevision } from './entries.js';
import { shanghaiToday, type RequestHolding } from './request-access.js';
import { requestArticles, requestRefusal } from './request-rules.js';
import { articles, refusal } from './rules.js';
import { entries, entryRevisions } from './tables.js';

/**
 * An entry as the caller may read it. Its department and the bureau read every entry they reach,
 * drafts and revisions under review included (`insider`); anyone else reads only a published entry,
 * and only its published revision: a draft or a rejected revision does not exist for them (404).
 */
export async function readableEntry(db: Database, caller: Caller, id: string): Promise<{ entry: Entry; live: EntryRevision | undefined; insider: boolean }> {
  const [row] = await db.select({ entry: entries, live: entryRevisions }).from(entries).leftJoin(entryRevisions, eq(entryRevisions.id, entries.liveRevisionId)).where(eq(entries.id, id));
  if (!row) throw notFound('public-data entry');
  return { entry: row.entry, live: row.live ?? undefined, insider: readsEntry(caller, row.entry, row.live !== null) };
}

/**
 * The one decision of who reads an entry, on whatever row it was read from (the database, or the
 * per-process copy of entry-reads.ts): whether the caller is an insider; 404 for a caller who does
 * not reach it.
 */
export function readsEntry(caller: Caller, entry: Pick<Entry, 'departmentPartyId'>, published: boolean): boolean {
  const insider = isBureau(caller) || (caller.actor.partyId !== null && caller.actor.partyId === entry.departmentPartyId);
  if (!insider && !published) throw notFound('public-data entry');
  return insider;
}

/** Whether the downloading party has passed identity verification now (Art. 18 ¶1). */
export type PartyStanding = { partyId: string; verified: true } | { partyId: string; verified: false; status: string; detail: string };

export async function partyStanding(db: Database, partyId: string | null): Promise<PartyStanding> {
  try {
    const party = await requireVerifiedParty(db, partyId);
    return { partyId: party.id, verified: true };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'party-not-verified') throw err;
    return { partyId: partyId!, verified: false, status: String(err.extensions.verificationStatus), detail: err.detail ?? '' };
  }
}

/**
 * The one access decision for the data of an entry: every download asks it, and nothing else
 * decides. `unconditional` data is obtained directly by a verified party (Art. 18 ¶1).
 * `conditional` data is obtained on an approved request under a utilization agreement (Art. 18 ¶2,
 * Art. 19): only while the party holds an approved request listing the entry whose agreement is
 * signed and sealed and whose term includes `today` (Asia/Shanghai), unless the bureau suspended
 * that access on an unheeded order to correct (Art. 64). A department holding an
 * approved sharing request (Art. 15-16) uses the data it lists within its term, whatever the open
 * class. `not_open` data is otherwise never downloaded. Undefined: allowed; otherwise the problem.
 */
export function canDownload(
  entry: { id: string; published: boolean; openClass: EntryRevision['openClass'] },
  party: PartyStanding,
  holdings: readonly RequestHolding[] = [],
  today = shanghaiToday(),
): AppError | undefined {
  if (!entry.published) return invalidState('the entry is not published; its data is downloadable once the bureau has approved it');
  const listing = holdings.filter((h) => h.entryIds.includes(entry.id));
  const withinTerm = (h: RequestHolding) => h.termStart <= today && today <= h.termEnd;
  if (party.verified && listing.some((h) => h.kind === 'sharing' && withinTerm(h))) return undefined;
  if (entry.openClass === 'not_open') return refusal('data-not-open', articles.art17p2, 'this data is classed not open and is never downloadable');
  if (!party.verified) {
    return new AppError('party-not-verified', `${articles.art18p1.ref} (${articles.art18p1.text}): open data is obtained after identity authentication; ${party.detail}`, {
      article: articles.art18p1,
      verificationStatus: party.status,
      partyId: party.partyId,
    });
  }
  if (entry.openClass === 'unconditional') return undefined;
  const opened = listing.filter((h) => h.kind === 'open');
  const inForce = opened.filter((h) => h.agreementInForce && withinTerm(h));
  const suspended = (h: RequestHolding) => h.suspensions.some((until) => until === null || until >= today);
  if (inForce.some((h) => !suspended(h))) return undefined;
  if (inForce.length > 0) {
    return requestRefusal('access-suspended', requestArticles.art64, 'the bureau suspended your access to the data of this agreement (GET /public-data/orders shows its decision)', { requestIds: inForce.map((h) => h.requestId) });
  }
  if (opened.length === 0) {
    if (holdings.some((h) => h.kind === 'open')) {
      return requestRefusal('entry-not-granted', requestArticles.art19p2, 'your approved requests to this department do not list this entry; the agreement covers only the data it lists', { requestIds: holdings.map((h) => h.requestId) });
    }
    return refusal('conditional-request-required', articles.art18p2, 'this data is conditionally open: apply to the department with a conditional-open request');
  }
  const requestIds = opened.map((h) => h.requestId);
  const current = opened.filter(withinTerm);
  if (current.length > 0 && !current.some((h) => h.agreementSealed)) {
    return requestRefusal('agreement-not-signed', requestArticles.art19p1, 'the utilization agreement of your approved request is not yet signed by both parties and sealed', { requestIds });
  }
  return requestRefusal('request-term-outside', requestArticles.art19p2, `today (${today}, Asia/Shanghai) is outside the term of use of your agreement, or the agreement has ended`, {
    requestIds,
    terms: opened.map((h) => ({ start: h.termStart, end: h.termEnd })),
  });
}
