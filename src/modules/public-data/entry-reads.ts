import { desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { InvalidatedCache } from '../../lib/cache.js';
import type { ChangeFeed } from '../../lib/changes.js';
import { preparedQuery, type Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { readsEntry } from './access.js';
import type { Caller } from './context.js';
import type { Entry } from './entries.js';
import { dataVersions, entries, entryRevisions } from './tables.js';
import type { DataVersion } from './versions.js';
import { entryView, type ShownRevision } from './views.js';

const liveRevision = alias(entryRevisions, 'live_revision');
const workingRevision = alias(entryRevisions, 'working_revision');
const shown = <R extends typeof liveRevision | typeof workingRevision>(r: R) => ({
  id: r.id,
  number: r.number,
  reviewStatus: r.reviewStatus,
  content: r.content,
  createdAt: r.createdAt,
  submittedAt: r.submittedAt,
  decidedAt: r.decidedAt,
});

/** An entry with its published and its working revision, in one statement. */
const entryStatement = preparedQuery((db) =>
  db
    .select({ entry: entries, live: shown(liveRevision), working: shown(workingRevision) })
    .from(entries)
    .leftJoin(liveRevision, eq(liveRevision.id, entries.liveRevisionId))
    .leftJoin(workingRevision, eq(workingRevision.id, entries.workingRevisionId))
    .where(eq(entries.id, sql.placeholder('id')))
    .prepare('public_data_entry_read'),
);

const versionsStatement = preparedQuery((db) =>
  db.select().from(dataVersions).where(eq(dataVersions.entryId, sql.placeholder('id'))).orderBy(desc(dataVersions.number)).prepare('public_data_versions_read'),
);

interface StoredEntry {
  entry: Entry;
  live: ShownRevision | null;
  working: ShownRevision | null;
}

/** A catalogue holds thousands of entries, each a few kilobytes with its revisions. */
const MAX_ENTRIES = 20_000;

/**
 * Public-data entries and the lists of their data versions from memory: each is kept per process
 * and dropped the moment the database announces a change to the entry, its revisions or its data
 * versions (migration 0026), so a repeated read of an unchanged entry sends no statement. What is
 * kept is the same for every caller; who reads it (`readsEntry`: published entries for anyone
 * signed in, drafts for the department and the bureau) is decided for each caller on each read,
 * exactly as the uncached path decides. Downloads are not answered here: they are counted and
 * audited, and decide the caller's access to the data itself (access.ts `canDownload`).
 */
export class EntryReads {
  private readonly entries: InvalidatedCache<StoredEntry>;
  private readonly versions: InvalidatedCache<DataVersion[]>;
  private readonly db: Database;

  constructor(db: Database, feed: ChangeFeed) {
    this.db = db;
    this.entries = new InvalidatedCache(feed, 'public-data-entry', MAX_ENTRIES);
    this.versions = new InvalidatedCache(feed, 'public-data-entry', MAX_ENTRIES);
  }

  private async readable(caller: Caller, id: string): Promise<{ stored: StoredEntry; insider: boolean }> {
    const stored = await this.entries.get(id, async () => {
      const [row] = await entryStatement(this.db).execute({ id });
      // A revision the entry does not point at (no published one yet) comes back as null; drizzle's
      // types say columns of nulls.
      const revision = (r: NonNullable<typeof row>['live'] | null) => (r?.id == null ? null : (r as ShownRevision));
      return row && { entry: row.entry, live: revision(row.live), working: revision(row.working) };
    });
    if (!stored) throw notFound({ en: 'public-data entry', zh: '公共数据目录' });
    return { stored, insider: readsEntry(caller, stored.entry, stored.live !== null) };
  }

  /** The entry as the caller may see it (views.ts `entryView`). */
  async view(caller: Caller, id: string) {
    const { stored, insider } = await this.readable(caller, id);
    return entryView(stored.entry, stored.live ?? undefined, stored.working ?? undefined, insider);
  }

  /** The versions of an entry the caller may read (a published one's for anyone signed in), newest first. */
  async versionsOf(caller: Caller, id: string): Promise<DataVersion[]> {
    await this.readable(caller, id);
    return (await this.versions.get(id, () => versionsStatement(this.db).execute({ id }))) ?? [];
  }
}
