import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { Lru } from '../../lib/cache.js';
import { preparedQuery, type Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { partyMayTrade } from '../identity/service.js';
import { viewerOf } from '../../lib/viewer.js';
import { isOperator, type Caller } from './context.js';
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
 * A listing's current state and, in the same statement, the documents of its revisions that the
 * caller may see and does not already hold: the live revision unless its id is `knownLive`, the
 * working revision (when it is not the live one) for its party and operators.
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
      ownerMayTrade: partyMayTrade(listings.ownerPartyId).mapWith(Boolean),
      insider: sql<boolean>`(${sql.placeholder('operator')}::boolean or ${listings.ownerPartyId} = ${sql.placeholder('callerParty')}::uuid)`.mapWith(Boolean),
      live: sql<string | null>`case when ${listings.liveRevisionId} is distinct from ${sql.placeholder('knownLive')}::uuid then ${revisionDocument(listings.liveRevisionId)} end`,
      working: sql<string | null>`case when (${sql.placeholder('operator')}::boolean or ${listings.ownerPartyId} = ${sql.placeholder('callerParty')}::uuid) and ${listings.workingRevisionId} is distinct from ${listings.liveRevisionId} then ${revisionDocument(listings.workingRevisionId)} end`,
    })
    .from(listings)
    .where(sql`${listings.id} = ${sql.placeholder('id')}::uuid`)
    .prepare('catalog_listing_view'),
);

/** A listing as JSON text, with the strong validator of exactly that text. */
export interface ListingDocument {
  etag: string;
  json: string;
}

/**
 * The approved revision on sale never changes (a change is a new revision), so its JSON is kept
 * per listing, by revision id, in memory. What can change — which revision is live, the listing's
 * status, the provider's standing — is read fresh on every request, in the one statement above.
 */
export class ListingViews {
  private readonly live = new Lru<string, { revisionId: string; json: string }>(20_000, 64 * 1024 * 1024, (e) => e.json.length * 2);

  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  /**
   * A listing as the caller may see it. Its party and operators see every revision state; anyone
   * else sees only a listing on sale, and only its approved revision (404 otherwise: drafts,
   * suspended and delisted listings, and listings of a provider that may not trade, do not exist
   * for buyers).
   */
  async read(caller: Caller, id: string): Promise<ListingDocument> {
    const cached = this.live.get(id);
    const [row] = await listingStatement(this.db).execute({ id, operator: isOperator(caller), callerParty: caller.actor.partyId, knownLive: cached?.revisionId ?? null });
    if (!row) throw notFound('listing');
    if (!row.insider && (row.status !== 'listed' || !row.liveRevisionId || !row.ownerMayTrade)) throw notFound('listing');
    // The statement leaves `live` out only when its id is the one this process already holds.
    const liveJson = row.liveRevisionId ? (row.live ?? cached!.json) : null;
    if (row.liveRevisionId && row.live) this.live.set(id, { revisionId: row.liveRevisionId, json: row.live });
    const workingStored = row.insider ? (row.workingRevisionId === row.liveRevisionId ? liveJson : row.working) : null;
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
    const etag = row.insider
      ? `"i.${row.liveRevisionId ?? '-'}.${row.workingRevisionId}.${Date.parse(row.updatedAt)}${revealed}"`
      : `"b.${row.liveRevisionId}.${Date.parse(row.updatedAt)}${revealed}"`;
    return { etag, json };
  }
}
