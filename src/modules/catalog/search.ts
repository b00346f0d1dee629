import { and, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { Type, type TSchema } from 'typebox';
import { CursorTime, Uuid, decodeCursor, pageOf } from '../../lib/http.js';
import { partyMayTrade } from '../identity/service.js';
import { queryTerms, tsqueryText } from './search-text.js';
import { listingRevisions, listings } from './tables.js';
import { summaryView, type SummaryRow } from './views.js';

export const searchSorts = ['relevance', 'newest', 'price_asc', 'price_desc'] as const;
export type SearchSort = (typeof searchSorts)[number];

export interface SearchQuery {
  q?: string | undefined;
  category?: string | undefined;
  grade?: 'general' | 'important' | 'core' | undefined;
  deliveryMethod?: 'download' | 'api' | 'sandbox' | undefined;
  governmentDerived?: boolean | undefined;
  providerPartyId?: string | undefined;
  tag?: string | undefined;
  currency?: string | undefined;
  priceMin?: number | undefined;
  priceMax?: number | undefined;
  sort?: SearchSort | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Position after the last item shown: the sort it belongs to, that item's sort key and its id. */
interface SearchCursor {
  s: SearchSort;
  k: number | string;
  id: string;
}

/** A cursor of one sort only: the key is a listing time for `newest`, an integer (rank or price) otherwise. */
const cursorSchemas = Object.fromEntries(
  searchSorts.map((sort) => [
    sort,
    Type.Object(
      { s: Type.Literal(sort), k: sort === 'newest' ? CursorTime : Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), id: Uuid },
      { additionalProperties: false },
    ),
  ]),
) as unknown as Record<SearchSort, TSchema>;

/**
 * Buyers' search over listings on sale: only the approved revision of listings that are listed
 * (not drafts, not suspended, not delisted). Full text per search-text.ts, filters, four sorts, and
 * keyset pagination on (sort key, id) so pages neither skip nor repeat while listings change.
 */
export async function searchListings(db: Database, q: SearchQuery) {
  const terms = q.q ? queryTerms(q.q) : [];
  const tsquery = terms.length > 0 ? sql`${tsqueryText(terms)}::tsquery` : undefined;
  // A query without letters or digits (only punctuation or operators) filters nothing.
  const sort: SearchSort = q.sort === 'relevance' && !tsquery ? 'newest' : (q.sort ?? (tsquery ? 'relevance' : 'newest'));
  const rank = tsquery ? sql<number>`round(ts_rank(${listingRevisions.searchVector}, ${tsquery}) * 1000000)::bigint` : sql<number>`0::bigint`;
  const key: SQL = {
    relevance: rank,
    newest: sql`${listings.listedAt}`,
    price_asc: sql`${listingRevisions.minPriceMinor}`,
    price_desc: sql`${listingRevisions.minPriceMinor}`,
  }[sort];
  const ascending = sort === 'price_asc';
  const after = decodeCursor(q.cursor, cursorSchemas[sort]) as SearchCursor | undefined;
  const afterKey = after ? (sort === 'newest' ? sql`${new Date(after.k as string).toISOString()}::timestamptz` : sql`${after.k}::bigint`) : undefined;

  const filters: (SQL | undefined)[] = [
    eq(listings.status, 'listed'),
    // Art. 28(2): only parties verified now; a suspended or expired provider leaves the catalog at once.
    partyMayTrade(listings.ownerPartyId),
    tsquery ? sql`${listingRevisions.searchVector} @@ ${tsquery}` : undefined,
    q.category ? eq(listingRevisions.category, q.category) : undefined,
    q.grade ? eq(listingRevisions.grade, q.grade) : undefined,
    q.deliveryMethod ? eq(listingRevisions.deliveryMethod, q.deliveryMethod) : undefined,
    q.governmentDerived === undefined ? undefined : eq(listingRevisions.governmentDerived, q.governmentDerived),
    q.providerPartyId ? eq(listings.ownerPartyId, q.providerPartyId) : undefined,
    q.tag ? sql`${listingRevisions.content}->'tags' @> ${JSON.stringify([q.tag])}::jsonb` : undefined,
    q.currency ? eq(listingRevisions.currency, q.currency) : undefined,
    q.priceMin === undefined ? undefined : gte(listingRevisions.minPriceMinor, q.priceMin),
    q.priceMax === undefined ? undefined : lte(listingRevisions.minPriceMinor, q.priceMax),
    after ? (ascending ? sql`(${key}, ${listings.id}) > (${afterKey}, ${after.id}::uuid)` : sql`(${key}, ${listings.id}) < (${afterKey}, ${after.id}::uuid)`) : undefined,
  ];
  const rows = await db
    .select({ listing: listings, revision: listingRevisions, rank })
    .from(listings)
    .innerJoin(listingRevisions, eq(listingRevisions.id, listings.liveRevisionId))
    .where(and(...filters))
    .orderBy(ascending ? sql`${key} asc, ${listings.id} asc` : sql`${key} desc, ${listings.id} desc`)
    .limit(q.limit + 1);

  const keyOf = (r: SummaryRow & { rank: number }): number | string =>
    sort === 'newest' ? r.listing.listedAt!.toISOString() : sort === 'relevance' ? Number(r.rank) : r.revision.minPriceMinor;
  return { sort, ...pageOf(rows, q.limit, summaryView, (r): SearchCursor => ({ s: sort, k: keyOf(r), id: r.listing.id })) };
}
