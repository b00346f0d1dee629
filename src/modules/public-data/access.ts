import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState, notFound, type Localized } from '../../lib/errors.js';
import { requireVerifiedParty } from '../identity/service.js';
import { isBureau, type Caller } from './context.js';
import type { Entry, EntryRevision } from './entries.js';
import { shanghaiToday, type RequestHolding } from './request-access.js';
import { requestArticles, requestRefusal } from './request-rules.js';
import { articles, citing, refusal } from './rules.js';
import { entries, entryRevisions } from './tables.js';

/**
 * An entry as the caller may read it. Its department and the bureau read every entry they reach,
 * drafts and revisions under review included (`insider`); anyone else reads only a published entry,
 * and only its published revision: a draft or a rejected revision does not exist for them (404).
 */
export async function readableEntry(db: Database, caller: Caller, id: string): Promise<{ entry: Entry; live: EntryRevision | undefined; insider: boolean }> {
  const [row] = await db.select({ entry: entries, live: entryRevisions }).from(entries).leftJoin(entryRevisions, eq(entryRevisions.id, entries.liveRevisionId)).where(eq(entries.id, id));
  if (!row) throw notFound({ en: 'public-data entry', zh: '公共数据目录' });
  return { entry: row.entry, live: row.live ?? undefined, insider: readsEntry(caller, row.entry, row.live !== null) };
}

/**
 * The one decision of who reads an entry, on whatever row it was read from (the database, or the
 * per-process copy of entry-reads.ts): whether the caller is an insider; 404 for a caller who does
 * not reach it.
 */
export function readsEntry(caller: Caller, entry: Pick<Entry, 'departmentPartyId'>, published: boolean): boolean {
  const insider = isBureau(caller) || (caller.actor.partyId !== null && caller.actor.partyId === entry.departmentPartyId);
  if (!insider && !published) throw notFound({ en: 'public-data entry', zh: '公共数据目录' });
  return insider;
}

/** Whether the downloading party has passed identity verification now (Art. 18 ¶1). */
export type PartyStanding = { partyId: string; verified: true } | { partyId: string; verified: false; status: string; detail: Localized };

export async function partyStanding(db: Database, partyId: string | null): Promise<PartyStanding> {
  try {
    const party = await requireVerifiedParty(db, partyId);
    return { partyId: party.id, verified: true };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'party-not-verified') throw err;
    return { partyId: partyId!, verified: false, status: String(err.extensions.verificationStatus), detail: err.detail ?? { en: '', zh: '' } };
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
  if (!entry.published) return invalidState({ en: 'the entry is not published; its data is downloadable once the bureau has approved it', zh: '该目录尚未发布；经大数据发展局批准后其数据方可下载' });
  const listing = holdings.filter((h) => h.entryIds.includes(entry.id));
  const withinTerm = (h: RequestHolding) => h.termStart <= today && today <= h.termEnd;
  if (party.verified && listing.some((h) => h.kind === 'sharing' && withinTerm(h))) return undefined;
  if (entry.openClass === 'not_open') return refusal('data-not-open', articles.art17p2, { en: 'this data is classed not open and is never downloadable', zh: '该数据属于不予开放类，任何情况下均不可下载' });
  if (!party.verified) {
    const detail = { en: `open data is obtained after identity authentication; ${party.detail.en}`, zh: `开放数据须通过身份认证后获取；${party.detail.zh}` };
    return new AppError('party-not-verified', citing(articles.art18p1, detail), {
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
    return requestRefusal('access-suspended', requestArticles.art64, { en: 'the bureau suspended your access to the data of this agreement (GET /public-data/orders shows its decision)', zh: '大数据发展局已暂停您对该协议所涉数据的访问（GET /public-data/orders 可查看其决定）' }, { requestIds: inForce.map((h) => h.requestId) });
  }
  if (opened.length === 0) {
    if (holdings.some((h) => h.kind === 'open')) {
      return requestRefusal('entry-not-granted', requestArticles.art19p2, { en: 'your approved requests to this department do not list this entry; the agreement covers only the data it lists', zh: '您向该部门提出并获批准的申请未列出该目录；协议仅涵盖其所列数据' }, { requestIds: holdings.map((h) => h.requestId) });
    }
    return refusal('conditional-request-required', articles.art18p2, { en: 'this data is conditionally open: apply to the department with a conditional-open request', zh: '该数据为有条件开放：请向部门提出有条件开放申请' });
  }
  const requestIds = opened.map((h) => h.requestId);
  const current = opened.filter(withinTerm);
  if (current.length > 0 && !current.some((h) => h.agreementSealed)) {
    return requestRefusal('agreement-not-signed', requestArticles.art19p1, { en: 'the utilization agreement of your approved request is not yet signed by both parties and sealed', zh: '您获批准申请的数据利用协议尚未经双方签署并加盖印章' }, { requestIds });
  }
  return requestRefusal('request-term-outside', requestArticles.art19p2, { en: `today (${today}, Asia/Shanghai) is outside the term of use of your agreement, or the agreement has ended`, zh: `今天（${today}，Asia/Shanghai）不在协议约定的使用期限内，或协议已终止` }, {
    requestIds,
    terms: opened.map((h) => ({ start: h.termStart, end: h.termEnd })),
  });
}
