import { and, asc, desc, eq, gt, inArray, isNotNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Static } from 'typebox';
import { preparedQuery, type Database } from '../../lib/database.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import { notFound } from '../../lib/errors.js';
import { parties, partyDocuments, partyMembers, partyReviews, type Party, type VerificationStatus } from './tables.js';

/** A party with its documents and the last decision on it, for the detail view. */
export async function getPartyDetails(db: Database, partyId: string) {
  const [party] = await db.select().from(parties).where(eq(parties.id, partyId));
  if (!party) throw notFound({ en: 'party', zh: '主体' });
  const documents = await db.select().from(partyDocuments).where(eq(partyDocuments.partyId, partyId)).orderBy(asc(partyDocuments.createdAt));
  const [lastReview] = await db.select().from(partyReviews).where(eq(partyReviews.partyId, partyId)).orderBy(desc(partyReviews.createdAt)).limit(1);
  return { party, documents, lastReview: lastReview ?? null };
}

/** Position in a list ordered by (createdAt, id); createdAt is set in code, so millisecond precision is exact. */
export const PartyCursor = TimeAndIdCursor('createdAt');
export type PartyCursor = Static<typeof PartyCursor>;

function afterCursor(after: PartyCursor | undefined) {
  if (!after) return undefined;
  const at = new Date(after.createdAt);
  return or(gt(parties.createdAt, at), and(eq(parties.createdAt, at), gt(parties.id, after.id)));
}

/** Operators' list, oldest first (the review queue with `status=submitted`). */
export async function listParties(db: Database, q: { status?: VerificationStatus | undefined; after?: PartyCursor | undefined; limit: number }): Promise<Party[]> {
  return db
    .select()
    .from(parties)
    .where(and(q.status ? eq(parties.verificationStatus, q.status) : undefined, afterCursor(q.after)))
    .orderBy(asc(parties.createdAt), asc(parties.id))
    .limit(q.limit);
}

/** The parties a user belongs to, with the user's role in each. */
export async function listMyParties(db: Database, userId: string, q: { after?: PartyCursor | undefined; limit: number }) {
  return db
    .select({ party: parties, role: partyMembers.role })
    .from(partyMembers)
    .innerJoin(parties, eq(parties.id, partyMembers.partyId))
    .where(and(eq(partyMembers.userId, userId), afterCursor(q.after)))
    .orderBy(asc(parties.createdAt), asc(parties.id))
    .limit(q.limit);
}

/**
 * SQL over `parties` that is true while a row's verification stands: in date, and no decision has
 * withdrawn it (a renewal under review keeps it). `mayTrade` in service.ts adds: not suspended.
 */
export const verificationInDate = (): SQL => sql`${parties.verificationStatus} in ('verified', 'submitted', 'needs_more_info') and ${parties.verifiedUntil} > now()`;

/**
 * SQL that is true when the party whose id is `partyId` may trade now: the rule of `mayTrade` in
 * service.ts, which `requireVerifiedParty` applies. Other modules filter with it, e.g. so that a
 * suspended provider's listings leave the catalog at once, without knowing identity's tables.
 */
export function partyMayTrade(partyId: SQLWrapper): SQL {
  return sql`exists (select 1 from ${parties} where ${parties.id} = ${partyId} and ${verificationInDate()} and ${parties.suspendedAt} is null)`;
}

const standingById = preparedQuery((db) =>
  db
    .select({ verificationStatus: parties.verificationStatus, verifiedUntil: parties.verifiedUntil, suspendedAt: parties.suspendedAt })
    .from(parties)
    .where(eq(parties.id, sql.placeholder('id')))
    .prepare('party_standing'),
);

/** What `mayTrade` (service.ts) decides on, for a cache that decides it afresh on every read. */
export type PartyStanding = Pick<Party, 'verificationStatus' | 'verifiedUntil' | 'suspendedAt'>;

export async function findPartyStanding(db: Database, partyId: string): Promise<PartyStanding | undefined> {
  const [row] = await standingById(db).execute({ id: partyId });
  return row;
}

/**
 * Whether the exchange has suspended the party now. `lock` takes a share lock on it, so that a
 * suspension committing meanwhile waits for the caller's transaction (and then sees what it did):
 * settlement takes it before it sends a payout.
 */
export async function isPartySuspended(db: Database, partyId: string, opts: { lock?: boolean } = {}): Promise<boolean> {
  const query = db.select({ suspendedAt: parties.suspendedAt }).from(parties).where(eq(parties.id, partyId));
  const [row] = await (opts.lock ? query.for('share') : query);
  return row?.suspendedAt != null;
}

/** Which of these parties the exchange has suspended now. */
export async function suspendedParties(db: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ id: parties.id }).from(parties).where(and(inArray(parties.id, [...new Set(ids)]), isNotNull(parties.suspendedAt)));
  return new Set(rows.map((r) => r.id));
}

/**
 * SQL for when the party whose id is `partyId` stops trading of itself (its verification ends), so
 * other modules can bound how long they keep what they showed of it.
 */
export function partyVerifiedUntil(partyId: SQLWrapper): SQL<Date | null> {
  return sql<Date | null>`(select ${parties.verifiedUntil} from ${parties} where ${parties.id} = ${partyId})`;
}

/** Legal names by party id, for views that show many parties. */
export async function partyNames(db: Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: parties.id, legalName: parties.legalName }).from(parties).where(inArray(parties.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.legalName]));
}

/** The kind of a party (public data asks whether it is a public body), or undefined when there is none. */
export async function partyKind(db: Database, partyId: string): Promise<Party['kind'] | undefined> {
  const [row] = await db.select({ kind: parties.kind }).from(parties).where(eq(parties.id, partyId));
  return row?.kind;
}
