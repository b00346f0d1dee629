import { desc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { assertCanAccess } from '../../lib/authz.js';
import { InvalidatedCache } from '../../lib/cache.js';
import type { ChangeFeed } from '../../lib/changes.js';
import { preparedQuery, type Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { findPartyStanding, mayTrade, type PartyStanding } from '../identity/service.js';
import { viewerOf } from '../../lib/viewer.js';
import { isOperator, type Caller } from './context.js';
import type { DatasetVersion } from './files.js';
import { revealedTag, shapeLineage } from './lineage-view.js';
import { datasetVersions, listingRevisions, listings, provenanceDeclarations, tradabilityGrounds } from './tables.js';

/** A timestamp as `Date#toISOString` writes it (the columns keep milliseconds). */
const iso = (column: SQLWrapper) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The JSON text of one revision as RevisionView describes it, with its declarations and dataset version. */
function revisionDocument(revisionId: SQLWrapper): SQL<string | null> {
  const r = listingRevisions;
  const p = provenanceDeclarations;
  const g = tradabilityGrounds;
  const v = datasetVersions;
  return sql<string | null>`(select json_build_object(
    'id', ${r.id}, 'number', ${r.number}, 'reviewStatus', ${r.reviewStatus}, 'content', ${r.content},
    'provenance', (select json_build_object('id', ${p.id}, 'version', ${p.version}, 'schemaVersion', ${p.schemaVersion}, 'declaredAt', ${iso(p.createdAt)}, 'declaration', ${p.declaration}) from ${p} where ${p.id} = ${r.provenanceId}),
    'ground', (select json_build_object('id', ${g.id}, 'version', ${g.version}, 'schemaVersion', ${g.schemaVersion}, 'declaredAt', ${iso(g.createdAt)}, 'ground', ${g.ground}) from ${g} where ${g.id} = ${r.groundId}),
    'datasetVersion', (select json_build_object('id', ${v.id}, 'sha256', ${v.sha256}, 'sizeBytes', ${v.sizeBytes}, 'mediaType', ${v.mediaType}, 'filename', ${v.filename}, 'createdAt', ${iso(v.createdAt)}, 'listingId', ${v.listingId}, 'number', ${v.number}) from ${v} where ${v.id} = ${r.datasetVersionId}),
    'createdAt', ${iso(r.createdAt)}, 'submittedAt', ${iso(r.submittedAt)}, 'decidedAt', ${iso(r.decidedAt)}
  )::text from ${r} where ${r.id} = ${revisionId})`;
}

/**
 * A listing's current state and, in the same statement, the documents of its live revision and of
 * its working revision when that is another one: what any caller may be shown of it, decided per
 * caller when it is read.
 */
const listingStatement = preparedQuery((db) =>
  db
    .select({
      id: listings.id,
      ownerPartyId: listings.ownerPartyId,
      status: listings.status,
      liveRevisionId: listings.liveRevisionId,
      workingRevisionId: listings.workingRevisionId,
      listedAt: iso(listings.listedAt).mapWith(String),
      createdAt: iso(listings.createdAt).mapWith(String),
      updatedAt: iso(listings.updatedAt).mapWith(String),
      live: revisionDocument(listings.liveRevisionId),
      working: sql<string | null>`case when ${listings.workingRevisionId} is distinct from ${listings.liveRevisionId} then ${revisionDocument(listings.workingRevisionId)} end`,
    })
    .from(listings)
    .where(sql`${listings.id} = ${sql.placeholder('id')}::uuid`)
    .prepare('catalog_listing_view'),
);

const datasetVersionsStatement = preparedQuery((db) =>
  db.select().from(datasetVersions).where(eq(datasetVersions.listingId, sql.placeholder('id'))).orderBy(desc(datasetVersions.number)).prepare('catalog_dataset_versions_read'),
);

type StoredListing = NonNullable<Awaited<ReturnType<ReturnType<typeof listingStatement>['execute']>>[number]>;

/** A listing as JSON text, with the strong validator of exactly that text. */
export interface ListingDocument {
  etag: string;
  json: string;
}

/** About 2 KB a revision document: 20,000 listings with both documents stay near 64 MB. */
const MAX_LISTINGS = 20_000;
const MAX_PARTIES = 100_000;

/**
 * Listings from memory. A listing — its row, its revision documents — is kept per process and
 * dropped the moment the database announces a change to it (migration 0026: its row, its revisions
 * or its dataset versions), and the owner's standing (verification and suspension) likewise per
 * party; so a repeated read of an unchanged listing sends no statement. Who may see what, and
 * whether the owner may trade now, is decided afresh for each caller on each read.
 */
export class ListingViews {
  private readonly listings: InvalidatedCache<StoredListing>;
  private readonly standings: InvalidatedCache<PartyStanding>;
  private readonly versions: InvalidatedCache<DatasetVersion[]>;
  private readonly db: Database;

  constructor(db: Database, feed: ChangeFeed) {
    this.db = db;
    this.listings = new InvalidatedCache(feed, 'listing', MAX_LISTINGS, 64 * 1024 * 1024, (l) => 2 * ((l.live?.length ?? 0) + (l.working?.length ?? 0)));
    this.standings = new InvalidatedCache(feed, 'party', MAX_PARTIES);
    this.versions = new InvalidatedCache(feed, 'listing', MAX_LISTINGS);
  }

  private async stored(id: string, fresh: boolean): Promise<StoredListing | undefined> {
    const load = async () => (await listingStatement(this.db).execute({ id }))[0];
    return fresh ? load() : this.listings.get(id, load);
  }

  /**
   * A listing as the caller may see it. Its party and operators see every revision state; anyone
   * else sees only a listing on sale, and only its approved revision (404 otherwise: drafts,
   * suspended and delisted listings, and listings of a provider that may not trade, do not exist
   * for buyers). `fresh` reads the database: the answer to a change, before its notice is in.
   */
  async read(caller: Caller, id: string, opts: { fresh?: boolean } = {}): Promise<ListingDocument> {
    const row = await this.stored(id, opts.fresh ?? false);
    if (!row) throw notFound({ en: 'listing', zh: '数据产品' });
    const insider = isOperator(caller) || row.ownerPartyId === caller.actor.partyId;
    if (!insider) {
      if (row.status !== 'listed' || !row.liveRevisionId) throw notFound({ en: 'listing', zh: '数据产品' });
      const load = () => findPartyStanding(this.db, row.ownerPartyId);
      const standing = opts.fresh ? await load() : await this.standings.get(row.ownerPartyId, load);
      if (!standing || !mayTrade(standing)) throw notFound({ en: 'listing', zh: '数据产品' });
    }
    const liveJson = row.liveRevisionId ? row.live : null;
    const workingStored = insider ? (row.workingRevisionId === row.liveRevisionId ? liveJson : row.working) : null;
    // The cited trades' ids are shown per viewer (lineage-view.ts); the stored text is everyone's.
    const viewer = viewerOf(caller.actor, ['operator', 'bureau']);
    const live = liveJson === null ? null : shapeLineage(liveJson, viewer, row.ownerPartyId);
    const working = workingStored === null ? null : shapeLineage(workingStored, viewer, row.ownerPartyId);
    const liveJsonShown = live?.json ?? null;
    const workingJson = working?.json ?? null;
    const revealed = revealedTag([...new Set([...(live?.revealed ?? []), ...(working?.revealed ?? [])])].sort());
    const json =
      `{"id":${JSON.stringify(row.id)},"ownerPartyId":${JSON.stringify(row.ownerPartyId)},"status":${JSON.stringify(row.status)},` +
      `"listedAt":${row.listedAt === null ? 'null' : JSON.stringify(row.listedAt)},"live":${liveJsonShown ?? 'null'},"working":${workingJson ?? 'null'},` +
      `"createdAt":${JSON.stringify(row.createdAt)},"updatedAt":${JSON.stringify(row.updatedAt)}}`;
    // Every change to a listing or its working revision stamps the listing's updatedAt; the live
    // revision never changes in place; `revealed` names the cited trades this viewer sees. So these
    // name exactly one representation.
    const etag = insider
      ? `"i.${row.liveRevisionId ?? '-'}.${row.workingRevisionId}.${Date.parse(row.updatedAt)}${revealed}"`
      : `"b.${row.liveRevisionId}.${Date.parse(row.updatedAt)}${revealed}"`;
    return { etag, json };
  }

  /** The dataset versions of a listing, newest first: for its party and operators (others: 404). */
  async datasetVersionsOf(caller: Caller, id: string): Promise<DatasetVersion[]> {
    const row = await this.stored(id, false);
    if (!row) throw notFound({ en: 'listing', zh: '数据产品' });
    assertCanAccess(caller.actor, { partyId: row.ownerPartyId }, { en: 'listing', zh: '数据产品' }, ['operator']);
    return (await this.versions.get(id, () => datasetVersionsStatement(this.db).execute({ id }))) ?? [];
  }
}
