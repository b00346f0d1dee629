import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { TimeAndIdCursor, decodeCursor, pageOf } from '../../lib/http.js';
import { queryTerms, tsqueryText } from '../catalog/search-text.js';
import type { OpenClass, SharingClass } from './schema.js';
import { entries, entryRevisions } from './tables.js';
import { summaryView } from './views.js';

export interface EntrySearch {
  q?: string | undefined;
  openClass?: OpenClass | undefined;
  sharingClass?: SharingClass | undefined;
  departmentPartyId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

const PublishedCursor = TimeAndIdCursor('publishedAt');

/**
 * The open list as anyone signed in searches it: published entries only, each by its published
 * revision, newest first. Words are matched as the catalog matches them (catalog/search-text.ts:
 * the same lexemes for Chinese, so `交通` finds 交通运输), every term must match.
 */
export async function searchEntries(db: Database, q: EntrySearch) {
  const terms = q.q ? queryTerms(q.q) : [];
  const after = decodeCursor(q.cursor, PublishedCursor);
  const rows = await db
    .select({ entry: entries, revision: entryRevisions })
    .from(entries)
    .innerJoin(entryRevisions, eq(entryRevisions.id, entries.liveRevisionId))
    .where(
      and(
        isNotNull(entries.publishedAt),
        terms.length > 0 ? sql`${entryRevisions.searchVector} @@ ${tsqueryText(terms)}::tsquery` : undefined,
        q.openClass ? eq(entryRevisions.openClass, q.openClass) : undefined,
        q.sharingClass ? eq(entryRevisions.sharingClass, q.sharingClass) : undefined,
        q.departmentPartyId ? eq(entries.departmentPartyId, q.departmentPartyId) : undefined,
        after ? sql`(${entries.publishedAt}, ${entries.id}) < (${after.publishedAt}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(entries.publishedAt), desc(entries.id))
    .limit(q.limit + 1);
  return pageOf(rows, q.limit, summaryView, (r) => ({ publishedAt: r.entry.publishedAt!.toISOString(), id: r.entry.id }));
}
