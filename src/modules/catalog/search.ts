import { and, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { Type, type TSchema } from 'typebox';
import { CursorTime, Uuid, decodeCursor, pageOf } from '../../lib/http.js';
import { partyMayTrade, partyVerifiedUntil } from '../identity/service.js';
import { Lru } from '../../lib/cache.js';
import type { ChangeFeed } from '../../lib/changes.js';
import { queryTerms, tsqueryText, type QueryTerm } from './search-text.js';
import { catalogSearch } from './tables.js';

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

/** What a search answers: a page as JSON text, kept as text so a cached page is sent as it is. */
export interface SearchPageText {
  json: string;
}

/**
 * A cached page is never kept past this, nor past the end of a shown provider's verification. The
 * notices drop pages the moment anything they show changes, so this only bounds how long a page
 * that nobody asks for stays. It is long on purpose: with a minute, each of a thousand popular
 * queries was answered afresh every minute on every worker, which kept a 2-core server busy.
 */
const CACHE_SECONDS = 600;

/**
 * Buyers' search over listings on sale: only the approved revision of listings that are listed
 * (not drafts, not suspended, not delisted). Full text per search-text.ts, filters, four sorts, and
 * keyset pagination on (sort key, id) so pages neither skip nor repeat while listings change.
 *
 * Pages are cached per normalised query. Any change to a listing or to a party's standing empties
 * the cache on every process (the `catalog` notice, src/lib/changes.ts), and a page is dropped when
 * the verification of a provider it shows ends, so a suspended or lapsed provider's listings leave
 * search at once, as they leave the listing view.
 */
export class CatalogSearch {
  private readonly pages = new Lru<string, { expiresAt: number; json: string }>(20_000, 48 * 1024 * 1024, (p) => p.json.length * 2);
  /** Searches running now, by key: a page asked for by many at once is computed once. */
  private readonly running = new Map<string, { generation: number; answer: Promise<SearchPageText> }>();
  private generation = 0;
  private readonly db: Database;
  private readonly feed: ChangeFeed;
  private readonly relevanceWindow: number;

  constructor(
    db: Database,
    feed: ChangeFeed,
    /**
     * Relevance ranks the most recently listed matches up to this many. Ranking is per row
     * (ts_rank reads each match's vector), so an unbounded rank costs time in proportion to the
     * catalog: a word found in a tenth of 100,000 listings took 110 ms of scanning and ranking.
     * Bounded, a search costs the same at any catalog size; more words or a filter narrow a broad
     * query, and `sort=newest` or a price sort still walks every match.
     */
    relevanceWindow: number,
  ) {
    this.db = db;
    this.feed = feed;
    this.relevanceWindow = relevanceWindow;
    const drop = () => {
      this.generation++;
      this.pages.clear();
    };
    feed.on('catalog', drop);
    feed.onReset(drop);
  }

  async search(q: SearchQuery): Promise<SearchPageText> {
    const terms = q.q ? queryTerms(q.q) : [];
    const key = JSON.stringify([tsqueryText(terms), q.sort, q.category, q.grade, q.deliveryMethod, q.governmentDerived, q.providerPartyId, q.tag, q.currency, q.priceMin, q.priceMax, q.cursor, q.limit]);
    const now = Date.now();
    const hit = this.feed.live ? this.pages.get(key) : undefined;
    if (hit && hit.expiresAt > now) return hit;
    // Join a search for the same page that started after the last change, never an older one.
    const running = this.running.get(key);
    if (running && running.generation === this.generation && this.feed.live) return running.answer;
    const started = this.generation;
    const answer = (async () => {
      const { page, providersVerifiedUntil } = await searchListings(this.db, q, terms, this.relevanceWindow);
      const json = JSON.stringify(page);
      const expiresAt = Math.min(now + CACHE_SECONDS * 1000, ...providersVerifiedUntil.map((d) => d.getTime()));
      if (this.feed.live && started === this.generation) this.pages.set(key, { expiresAt, json });
      return { json };
    })();
    this.running.set(key, { generation: started, answer });
    try {
      return await answer;
    } finally {
      if (this.running.get(key)?.answer === answer) this.running.delete(key);
    }
  }
}

/** The columns a result shows (not the search vector, which is large). */
const summaryColumns = {
  id: catalogSearch.listingId,
  ownerPartyId: catalogSearch.ownerPartyId,
  status: catalogSearch.status,
  listedAt: catalogSearch.listedAt,
  updatedAt: catalogSearch.updatedAt,
  revisionId: catalogSearch.revisionId,
  reviewStatus: catalogSearch.reviewStatus,
  title: catalogSearch.title,
  category: catalogSearch.category,
  grade: catalogSearch.grade,
  deliveryMethod: catalogSearch.deliveryMethod,
  governmentDerived: catalogSearch.governmentDerived,
  minPriceMinor: catalogSearch.minPriceMinor,
  currency: catalogSearch.currency,
  ownerVerifiedUntil: partyVerifiedUntil(catalogSearch.ownerPartyId),
};

/** A search whose words match at most this many listings sorts them all; more walk a sort's index. */
const FEW_MATCHES = 500;

/** One or two statements over catalog_search, which holds only listings on sale (tables.ts). */
async function searchListings(db: Database, q: SearchQuery, terms: QueryTerm[], relevanceWindow: number) {
  const s = catalogSearch;
  const tsquery = terms.length > 0 ? sql`${tsqueryText(terms)}::tsquery` : undefined;
  // A query without letters or digits (only punctuation or operators) filters nothing.
  const sort: SearchSort = q.sort === 'relevance' && !tsquery ? 'newest' : (q.sort ?? (tsquery ? 'relevance' : 'newest'));
  const rank = tsquery ? sql<number>`round(ts_rank(${s.searchVector}, ${tsquery}) * 1000000)::bigint` : sql<number>`0::bigint`;
  const key: SQL = {
    relevance: rank,
    newest: sql`${s.listedAt}`,
    price_asc: sql`${s.minPriceMinor}`,
    price_desc: sql`${s.minPriceMinor}`,
  }[sort];
  const ascending = sort === 'price_asc';
  const after = decodeCursor(q.cursor, cursorSchemas[sort]) as SearchCursor | undefined;
  const afterKey = after ? (sort === 'newest' ? sql`${new Date(after.k as string).toISOString()}::timestamptz` : sql`${after.k}::bigint`) : undefined;

  // Art. 28(2): only parties verified now; a suspended or expired provider leaves the catalog at once.
  const standing = partyMayTrade(s.ownerPartyId);
  const filters: (SQL | undefined)[] = [
    tsquery ? sql`${s.searchVector} @@ ${tsquery}` : undefined,
    q.category ? eq(s.category, q.category) : undefined,
    q.grade ? eq(s.grade, q.grade) : undefined,
    q.deliveryMethod ? eq(s.deliveryMethod, q.deliveryMethod) : undefined,
    q.governmentDerived === undefined ? undefined : eq(s.governmentDerived, q.governmentDerived),
    q.providerPartyId ? eq(s.ownerPartyId, q.providerPartyId) : undefined,
    q.tag ? sql`${s.tags} @> ${JSON.stringify([q.tag])}::jsonb` : undefined,
    q.currency ? eq(s.currency, q.currency) : undefined,
    q.priceMin === undefined ? undefined : gte(s.minPriceMinor, q.priceMin),
    q.priceMax === undefined ? undefined : lte(s.minPriceMinor, q.priceMax),
  ];
  // Words can be common alone and never meet (two topics), which no statistics show: ordered by a
  // sort key, such a search would walk the whole index. So words are first looked up in the word
  // index: up to FEW_MATCHES of them are sorted as they are, and only more walk the sort's index.
  let scope: SQL | undefined;
  let matched = Infinity;
  if (tsquery) {
    const matches = await db.select({ id: s.listingId }).from(s).where(and(...filters)).limit(FEW_MATCHES + 1);
    if (matches.length === 0) return { page: { sort, items: [], next: null }, providersVerifiedUntil: [] };
    if (matches.length <= FEW_MATCHES) [scope, matched] = [inArray(s.listingId, matches.map((m) => m.id)), matches.length];
  }
  const window =
    sort === 'relevance' && matched > relevanceWindow
      ? inArray(s.listingId, db.select({ id: s.listingId }).from(s).where(and(scope, standing, ...filters)).orderBy(desc(s.listedAt)).limit(relevanceWindow))
      : undefined;
  const position = [
    scope,
    window,
    after ? (ascending ? sql`(${key}, ${s.listingId}) > (${afterKey}, ${after.id}::uuid)` : sql`(${key}, ${s.listingId}) < (${afterKey}, ${after.id}::uuid)`) : undefined,
  ];
  const rows = await db
    .select({ ...summaryColumns, rank })
    .from(s)
    .where(and(standing, ...filters, ...position))
    .orderBy(ascending ? sql`${key} asc, ${s.listingId} asc` : sql`${key} desc, ${s.listingId} desc`)
    .limit(q.limit + 1);

  type Row = (typeof rows)[number];
  const keyOf = (r: Row): number | string => (sort === 'newest' ? r.listedAt!.toISOString() : sort === 'relevance' ? Number(r.rank) : r.minPriceMinor);
  const toSummary = (r: Row) => ({
    id: r.id,
    ownerPartyId: r.ownerPartyId,
    status: r.status,
    revisionId: r.revisionId,
    reviewStatus: r.reviewStatus,
    title: r.title,
    category: r.category,
    grade: r.grade,
    deliveryMethod: r.deliveryMethod,
    governmentDerived: r.governmentDerived,
    minPrice: { amountMinor: r.minPriceMinor, currency: r.currency },
    listedAt: r.listedAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
  });
  const page = { sort, ...pageOf(rows, q.limit, toSummary, (r): SearchCursor => ({ s: sort, k: keyOf(r), id: r.id })) };
  const providersVerifiedUntil = rows.map((r) => r.ownerVerifiedUntil).filter((d): d is Date => d !== null).map((d) => new Date(d));
  return { page, providersVerifiedUntil };
}
