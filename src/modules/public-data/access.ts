import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState, notFound } from '../../lib/errors.js';
import { requireVerifiedParty } from '../identity/service.js';
import { isBureau, type Caller } from './context.js';
import type { Entry, EntryRevision } from './entries.js';
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
  const insider = isBureau(caller) || (caller.actor.partyId !== null && caller.actor.partyId === row.entry.departmentPartyId);
  if (!insider && !row.live) throw notFound('public-data entry');
  return { entry: row.entry, live: row.live ?? undefined, insider };
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
 * decides. Today only `unconditional` data is obtained directly (Art. 18 ¶1), by a verified party,
 * with no request and no fee. `conditional` data will be obtained on an approved request under a
 * utilization agreement (Art. 18 ¶2, Art. 19): that workflow adds its case here (the approved
 * request the party holds for this entry) and nowhere else. `not_open` data is never downloaded.
 * Undefined: allowed; otherwise the problem to answer.
 */
export function canDownload(entry: { published: boolean; openClass: EntryRevision['openClass'] }, party: PartyStanding): AppError | undefined {
  if (!entry.published) return invalidState('the entry is not published; its data is downloadable once the bureau has approved it');
  if (entry.openClass === 'not_open') return refusal('data-not-open', articles.art17p2, 'this data is classed not open and is never downloadable');
  if (entry.openClass === 'conditional') {
    return refusal('conditional-request-required', articles.art18p2, 'this data is conditionally open: apply to the department with a conditional-open request');
  }
  if (!party.verified) {
    return new AppError('party-not-verified', `${articles.art18p1.ref} (${articles.art18p1.text}): open data is obtained after identity authentication; ${party.detail}`, {
      article: articles.art18p1,
      verificationStatus: party.status,
      partyId: party.partyId,
    });
  }
  return undefined;
}
