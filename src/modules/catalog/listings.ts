import { randomUUID } from 'node:crypto';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { assertCanAccess } from '../../lib/authz.js';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import type { AuditEventInput } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { actingParty, invalidInput, type Caller } from './context.js';
import { assertEvidenceOwned } from './evidence.js';
import type { LineagePort } from './ports.js';
import type { GroundRecord, ListingContent, ProvenanceRecord } from './schema.js';
import { documentLexemes } from './search-text.js';
import { datasetVersions, listingRevisions, listings, provenanceDeclarations, tradabilityGrounds } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'listing.created': { revisionId: string; title: string };
    'listing.revised': { revisionId: string; number: number; basedOn: string; changed: string[] };
    'listing.draft_edited': { revisionId: string; changed: string[] };
    'listing.provenance_declared': { declarationId: string; version: number; revisionId: string; sourceType: string; evidence: string[]; citedOrders?: string[] };
    'listing.ground_declared': { groundId: string; version: number; revisionId: string; ground: GroundRecord['ground']; evidence: string[] };
  }
}

export type Listing = typeof listings.$inferSelect;
export type Revision = typeof listingRevisions.$inferSelect;

/** Current shape versions of the versioned records; readers branch on the stored one. */
export const PROVENANCE_SCHEMA_VERSION = 1;
export const GROUND_SCHEMA_VERSION = 1;

/**
 * A listing the caller may work on: its own party's, or (unless `ownerOnly`) any for operators.
 * Others get 404. Inside a transaction, `lock` takes the row lock that orders concurrent changes.
 */
export async function findListingFor(db: Database, caller: Caller, id: string, opts: { ownerOnly: boolean; lock?: boolean }): Promise<Listing> {
  const query = db.select().from(listings).where(eq(listings.id, id));
  const [listing] = opts.lock ? await query.for('update') : await query;
  if (!listing) throw notFound({ en: 'listing', zh: '数据产品' });
  assertCanAccess(caller.actor, { partyId: listing.ownerPartyId }, { en: 'listing', zh: '数据产品' }, opts.ownerOnly ? [] : ['operator']);
  return listing;
}

export async function getRevision(db: Database, id: string): Promise<Revision> {
  const [revision] = await db.select().from(listingRevisions).where(eq(listingRevisions.id, id));
  if (!revision) throw notFound({ en: 'revision', zh: '修订版本' });
  return revision;
}

/** Rules across fields that a JSON schema cannot say. */
function checkContent(content: ListingContent): void {
  if (content.personalInformation.contains && content.personalInformation.subjectCount === undefined) {
    throw invalidInput('/body/personalInformation/subjectCount', { en: 'say how many data subjects the personal information covers', zh: '请说明个人信息涉及的数据主体数量' });
  }
  const currencies = new Set(content.pricePlans.map((p) => p.currency));
  if (currencies.size > 1) throw invalidInput('/body/pricePlans', { en: 'all price plans of a listing use one currency', zh: '数据产品的所有价格方案须使用同一币种' });
  content.pricePlans.forEach((plan, i) => {
    if (plan.kind === 'subscription' && !plan.period) throw invalidInput(`/body/pricePlans/${i}/period`, { en: 'a subscription needs a period', zh: '订阅方案须有周期' });
    if (plan.kind === 'one_off' && plan.period) throw invalidInput(`/body/pricePlans/${i}/period`, { en: 'a one-off plan has no period', zh: '一次性方案没有周期' });
  });
  const { start, end } = content.coverage.period;
  if (end !== undefined && end < start) throw invalidInput('/body/coverage/period/end', { en: 'the coverage period ends before it starts', zh: '覆盖期间的结束早于开始' });
}

/** Columns derived from the content for filters, sorting and full-text search. */
function derivedColumns(content: ListingContent) {
  const weighted = documentLexemes([content.title.zh ?? '', content.title.en ?? '', ...content.tags]);
  const rest = documentLexemes([
    content.description.zh ?? '',
    content.description.en ?? '',
    content.category,
    content.coverage.area,
    ...content.schema.fields.flatMap((f) => [f.name, f.description]),
  ]);
  return {
    title: content.title.zh ?? content.title.en ?? '',
    category: content.category,
    grade: content.grade,
    deliveryMethod: content.deliveryMethod,
    governmentDerived: content.governmentDerived,
    personalInformation: content.personalInformation.contains,
    minPriceMinor: Math.min(...content.pricePlans.map((p) => p.amountMinor)),
    currency: content.pricePlans[0]!.currency,
    searchVector: searchVector(weighted, rest),
  };
}

/**
 * The search vector of a revision: the lexemes as they are (no parser involved), those of the title
 * and tags weighted A so that ts_rank puts a title match above a description match. A lexeme needs
 * a position to carry a weight (`array_to_tsvector` gives none, and `setweight` then does nothing),
 * so each gets position 1, which is all ts_rank reads. Lexemes hold only letters and digits
 * (search-text.ts); quotes and backslashes are escaped all the same.
 */
export function searchVector(weighted: string[], rest: string[]): SQL {
  const literal = (lexemes: string[], weight: 'A' | 'D') => lexemes.map((l) => `'${l.replaceAll('\\', '\\\\').replaceAll("'", "''")}':1${weight}`).join(' ');
  return sql`${literal(weighted, 'A')}::tsvector || ${literal(rest, 'D')}::tsvector`;
}

export async function createListing(db: Database, caller: Caller, content: ListingContent): Promise<Listing> {
  const partyId = actingParty(caller);
  checkContent(content);
  return db.transaction(async (tx) => {
    const revisionId = randomUUID();
    const [listing] = await tx
      .insert(listings)
      .values({ ownerPartyId: partyId, workingRevisionId: revisionId, createdBy: caller.actor.userId })
      .returning();
    await tx.insert(listingRevisions).values({
      id: revisionId,
      listingId: listing!.id,
      number: 1,
      content,
      createdBy: caller.actor.userId,
      ...derivedColumns(content),
    });
    await appendAudit(tx, caller.audit, {
      action: 'listing.created',
      subject: { type: 'listing', id: listing!.id },
      payload: { revisionId, title: content.title.zh ?? content.title.en ?? '' },
    });
    return listing!;
  });
}

interface RevisionChange {
  content?: Partial<ListingContent> | undefined;
  datasetVersionId?: string | null | undefined;
  provenanceId?: string;
  groundId?: string;
}

/**
 * Applies a change to the working revision. A draft is changed in place; a revision that was
 * submitted or decided is a record of what was reviewed and stays as it is: the change becomes a
 * new draft revision, while an approved revision stays live until its successor is approved.
 */
async function changeWorkingRevision(tx: Database, caller: Caller, listing: Listing, change: RevisionChange): Promise<Revision> {
  if (listing.status === 'delisted') throw invalidState({ en: 'the listing is delisted and cannot change', zh: '该数据产品已下架，不能变更' });
  const working = await getRevision(tx, listing.workingRevisionId);
  if (working.reviewStatus === 'submitted') throw invalidState({ en: 'the listing is under review; wait for the decision before changing it', zh: '该数据产品正在审核中，请在审核决定作出后再作变更' });
  const content = { ...working.content, ...change.content } as ListingContent;
  checkContent(content);
  const columns = {
    content,
    provenanceId: change.provenanceId ?? working.provenanceId,
    groundId: change.groundId ?? working.groundId,
    datasetVersionId: change.datasetVersionId === undefined ? working.datasetVersionId : change.datasetVersionId,
    ...derivedColumns(content),
  };
  const changed = [
    ...Object.keys(change.content ?? {}),
    ...(change.datasetVersionId !== undefined ? ['datasetVersionId'] : []),
    ...(change.provenanceId ? ['provenance'] : []),
    ...(change.groundId ? ['ground'] : []),
  ];
  const subject = { type: 'listing', id: listing.id };
  if (working.reviewStatus === 'draft') {
    const [updated] = await tx.update(listingRevisions).set({ ...columns, updatedAt: new Date() }).where(eq(listingRevisions.id, working.id)).returning();
    // A new provenance or ground version is audited by its own event, naming this revision.
    if (change.content || change.datasetVersionId !== undefined) {
      await appendAudit(tx, caller.audit, { action: 'listing.draft_edited', subject, payload: { revisionId: working.id, changed } });
    }
    await tx.update(listings).set({ updatedAt: new Date() }).where(eq(listings.id, listing.id));
    return updated!;
  }
  const [revision] = await tx
    .insert(listingRevisions)
    .values({ listingId: listing.id, number: working.number + 1, createdBy: caller.actor.userId, ...columns })
    .returning();
  await tx.update(listings).set({ workingRevisionId: revision!.id, updatedAt: new Date() }).where(eq(listings.id, listing.id));
  await appendAudit(tx, caller.audit, {
    action: 'listing.revised',
    subject,
    payload: { revisionId: revision!.id, number: revision!.number, basedOn: working.id, changed },
  });
  return revision!;
}

export async function updateListing(
  db: Database,
  caller: Caller,
  listingId: string,
  change: { content?: Partial<ListingContent> | undefined; datasetVersionId?: string | null | undefined },
): Promise<Revision> {
  return db.transaction(async (tx) => {
    const listing = await findListingFor(tx, caller, listingId, { ownerOnly: true, lock: true });
    if (change.datasetVersionId) {
      const [version] = await tx
        .select({ id: datasetVersions.id })
        .from(datasetVersions)
        .where(and(eq(datasetVersions.id, change.datasetVersionId), eq(datasetVersions.listingId, listingId)));
      if (!version) throw invalidInput('/body/datasetVersionId', { en: 'not a dataset version of this listing', zh: '不是该数据产品的数据集版本' });
    }
    return changeWorkingRevision(tx, caller, listing, change);
  });
}

/**
 * The next number of a per-listing sequence (declaration versions, dataset versions). Callers hold
 * the listing's row lock, so concurrent writers number one after another.
 */
export async function nextNumberFor(tx: Database, table: PgTable, numberColumn: AnyPgColumn, listingColumn: AnyPgColumn, listingId: string): Promise<number> {
  const [row] = await tx.select({ next: sql<number>`coalesce(max(${numberColumn}), 0) + 1` }).from(table).where(eq(listingColumn, listingId));
  return Number(row?.next ?? 1);
}

interface Declaration {
  /** Writes the new version's row. */
  insert(tx: Database, version: number): Promise<{ id: string; version: number }>;
  /** Where the working revision points at it. */
  pointAt(id: string): RevisionChange;
  /** The audit event that records it. */
  audit(row: { id: string; version: number }, revisionId: string): AuditEventInput;
}

/**
 * A new version of one of the listing's declarations (provenance, ground): earlier versions are kept
 * as they were, and the working revision points at the new one.
 */
async function declare(
  db: Database,
  caller: Caller,
  listingId: string,
  table: typeof provenanceDeclarations | typeof tradabilityGrounds,
  evidence: readonly { sha256: string }[],
  declaration: Declaration,
): Promise<Revision> {
  return db.transaction(async (tx) => {
    const listing = await findListingFor(tx, caller, listingId, { ownerOnly: true, lock: true });
    await assertEvidenceOwned(tx, listing.ownerPartyId, evidence.map((e) => e.sha256));
    const row = await declaration.insert(tx, await nextNumberFor(tx, table, table.version, table.listingId, listingId));
    const revision = await changeWorkingRevision(tx, caller, listing, declaration.pointAt(row.id));
    await appendAudit(tx, caller.audit, declaration.audit(row, revision.id));
    return revision;
  });
}

/** Art. 28(1): a new version of the provenance declaration; `lineage` checks the orders it cites. */
export async function declareProvenance(db: Database, lineage: LineagePort, caller: Caller, listingId: string, body: ProvenanceRecord): Promise<Revision> {
  return declare(db, caller, listingId, provenanceDeclarations, body.evidence, {
    insert: async (tx, version) => {
      // Lineage: trading checks each cited order and says what the listing may show of it.
      const declaration = body.citedOrders?.length ? { ...body, lineage: await lineage.checkCitations(tx, actingParty(caller), body.citedOrders) } : body;
      const [row] = await tx
        .insert(provenanceDeclarations)
        .values({ listingId, version, schemaVersion: PROVENANCE_SCHEMA_VERSION, declaration, declaredBy: caller.actor.userId })
        .returning();
      return row!;
    },
    pointAt: (id) => ({ provenanceId: id }),
    audit: (row, revisionId) => ({
      action: 'listing.provenance_declared',
      subject: { type: 'listing', id: listingId },
      payload: { declarationId: row.id, version: row.version, revisionId, sourceType: body.sourceType, evidence: body.evidence.map((e) => e.sha256), ...(body.citedOrders?.length ? { citedOrders: body.citedOrders } : {}) },
    }),
  });
}

/** Art. 26: a new version of the ground the listing is tradable on. */
export async function declareGround(db: Database, caller: Caller, listingId: string, ground: GroundRecord): Promise<Revision> {
  if (ground.ground === 'authorised' && !ground.selfProduced && !ground.authorisedBy) {
    throw invalidInput('/body/authorisedBy', { en: 'name the data provider whose express authorisation this is', zh: '请指明作出明示授权的数据提供方' });
  }
  return declare(db, caller, listingId, tradabilityGrounds, ground.evidence, {
    insert: async (tx, version) => {
      const [row] = await tx
        .insert(tradabilityGrounds)
        .values({ listingId, version, schemaVersion: GROUND_SCHEMA_VERSION, ground, declaredBy: caller.actor.userId })
        .returning();
      return row!;
    },
    pointAt: (id) => ({ groundId: id }),
    audit: (row, revisionId) => ({
      action: 'listing.ground_declared',
      subject: { type: 'listing', id: listingId },
      payload: { groundId: row.id, version: row.version, revisionId, ground: ground.ground, evidence: ground.evidence.map((e) => e.sha256) },
    }),
  });
}

/**
 * A listing on sale with its live revision, for other modules (trading) that check it themselves;
 * undefined when it is not on sale. No caller check: the caller decides what to reveal.
 */
export async function getListingOnSale(db: Database, listingId: string): Promise<{ listing: Listing; revision: Revision } | undefined> {
  const [row] = await db
    .select({ listing: listings, revision: listingRevisions })
    .from(listings)
    .innerJoin(listingRevisions, eq(listingRevisions.id, listings.liveRevisionId))
    .where(and(eq(listings.id, listingId), eq(listings.status, 'listed')));
  return row;
}

/**
 * Whether the exchange suspended the listing (Art. 28(4)), for trading, which stops moving its data
 * and money until the listing is reinstated.
 */
export async function isListingSuspended(db: Database, listingId: string): Promise<boolean> {
  const [row] = await db.select({ status: listings.status }).from(listings).where(eq(listings.id, listingId));
  return row?.status === 'suspended';
}

/** The provenance declaration a revision was reviewed with (trading reads the lineage it cites). */
export async function getRevisionProvenance(db: Database, revisionId: string): Promise<ProvenanceRecord | undefined> {
  const [row] = await db
    .select({ declaration: provenanceDeclarations.declaration })
    .from(listingRevisions)
    .innerJoin(provenanceDeclarations, eq(provenanceDeclarations.id, listingRevisions.provenanceId))
    .where(eq(listingRevisions.id, revisionId));
  return row?.declaration;
}
