import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import type { Entry, EntryRevision } from './entries.js';
import type { EntryReviewStatus } from './schema.js';
import { entries, entryRevisions, type entryReviews } from './tables.js';
import type { DataVersion } from './versions.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** What a reader is shown of a revision (its search columns stay in the database). */
export type ShownRevision = Pick<EntryRevision, 'id' | 'number' | 'reviewStatus' | 'content' | 'createdAt' | 'submittedAt' | 'decidedAt'>;

export const revisionView = (r: ShownRevision) => ({
  id: r.id,
  number: r.number,
  reviewStatus: r.reviewStatus,
  content: r.content,
  createdAt: r.createdAt.toISOString(),
  submittedAt: iso(r.submittedAt),
  decidedAt: iso(r.decidedAt),
});

/**
 * An entry as its reader may see it: everyone the published revision; the department and the
 * bureau (`insider`) also the working revision under way and the download count.
 */
export function entryView(entry: Entry, live: ShownRevision | undefined, working: ShownRevision | undefined, insider: boolean) {
  return {
    id: entry.id,
    departmentPartyId: entry.departmentPartyId,
    publishedAt: iso(entry.publishedAt),
    live: live ? revisionView(live) : null,
    working: insider && working && working.id !== live?.id ? revisionView(working) : null,
    ...(insider ? { downloadCount: entry.downloadCount } : {}),
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
  };
}

export const summaryView = ({ entry, revision }: { entry: Entry; revision: EntryRevision }) => ({
  id: entry.id,
  departmentPartyId: entry.departmentPartyId,
  revisionId: revision.id,
  reviewStatus: revision.reviewStatus,
  title: revision.title,
  openClass: revision.openClass,
  sharingClass: revision.sharingClass,
  publishedAt: iso(entry.publishedAt),
  updatedAt: entry.updatedAt.toISOString(),
});

export const versionView = (v: DataVersion) => ({
  id: v.id,
  entryId: v.entryId,
  number: v.number,
  changeNote: v.changeNote,
  sha256: v.sha256,
  sizeBytes: v.sizeBytes,
  mediaType: v.mediaType,
  filename: v.filename,
  createdAt: v.createdAt.toISOString(),
});

export const reviewView = (r: typeof entryReviews.$inferSelect) => ({
  id: r.id,
  revisionId: r.revisionId,
  reviewerUserId: r.reviewerUserId,
  decision: r.decision,
  reasons: r.reasons,
  createdAt: r.createdAt.toISOString(),
});

export const UpdatedCursor = TimeAndIdCursor('updatedAt');

/**
 * Entries with their working revision, most recently changed first: one department's (its own
 * list) or every department's (the bureau's, e.g. `reviewStatus=submitted` as its queue).
 */
export async function listWorkingEntries(
  db: Database,
  q: { departmentPartyId?: string | undefined; reviewStatus?: EntryReviewStatus | undefined; after?: { updatedAt: string; id: string } | undefined; limit: number },
) {
  const after: SQL | undefined = q.after ? sql`(${entries.updatedAt}, ${entries.id}) < (${q.after.updatedAt}::timestamptz, ${q.after.id}::uuid)` : undefined;
  return db
    .select({ entry: entries, revision: entryRevisions })
    .from(entries)
    .innerJoin(entryRevisions, eq(entryRevisions.id, entries.workingRevisionId))
    .where(and(q.departmentPartyId ? eq(entries.departmentPartyId, q.departmentPartyId) : undefined, q.reviewStatus ? eq(entryRevisions.reviewStatus, q.reviewStatus) : undefined, after))
    .orderBy(desc(entries.updatedAt), desc(entries.id))
    .limit(q.limit);
}
