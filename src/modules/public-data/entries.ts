import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { assertCanAccess } from '../../lib/authz.js';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { searchVector } from '../catalog/listings.js';
import { documentLexemes } from '../catalog/search-text.js';
import { actingDepartment, type Caller } from './context.js';
import { checkEntryContent } from './rules.js';
import type { EntryContent } from './schema.js';
import { entries, entryRevisions } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.entry_created': { revisionId: string; title: string; openClass: string; sharingClass: string };
    'public_data.draft_edited': { revisionId: string; changed: string[] };
    'public_data.entry_revised': { revisionId: string; number: number; basedOn: string; changed: string[] };
  }
}

export type Entry = typeof entries.$inferSelect;
export type EntryRevision = typeof entryRevisions.$inferSelect;

/**
 * An entry the caller may work on: its own department's, or (unless `ownerOnly`) any for the
 * bureau. Others get 404. Inside a transaction, `lock` takes the row lock that orders changes.
 */
export async function findEntryFor(db: Database, caller: Caller, id: string, opts: { ownerOnly: boolean; lock?: boolean }): Promise<Entry> {
  const query = db.select().from(entries).where(eq(entries.id, id));
  const [entry] = opts.lock ? await query.for('update') : await query;
  if (!entry) throw notFound({ en: 'public-data entry', zh: '公共数据目录' });
  assertCanAccess(caller.actor, { partyId: entry.departmentPartyId }, { en: 'public-data entry', zh: '公共数据目录' }, opts.ownerOnly ? [] : ['bureau']);
  return entry;
}

export async function getEntryRevision(db: Database, id: string): Promise<EntryRevision> {
  const [revision] = await db.select().from(entryRevisions).where(eq(entryRevisions.id, id));
  if (!revision) throw notFound({ en: 'revision', zh: '修订版本' });
  return revision;
}

/** Columns derived from the content for filters and the catalog's Chinese full-text search. */
function derivedColumns(c: EntryContent) {
  const weighted = documentLexemes([c.title.zh, c.title.en ?? '']);
  const rest = documentLexemes([c.summary.zh, c.summary.en ?? '', ...c.dataItems, ...c.fields.flatMap((f) => [f.name, f.description])]);
  return { title: c.title.zh, openClass: c.open.class, sharingClass: c.sharing.class, searchVector: searchVector(weighted, rest) };
}

/** Art. 15, 17: a department drafts an entry of its catalogue. */
export async function createEntry(db: Database, caller: Caller, content: EntryContent): Promise<Entry> {
  checkEntryContent(content);
  const departmentPartyId = await actingDepartment(db, caller);
  return db.transaction(async (tx) => {
    const revisionId = randomUUID();
    const [entry] = await tx.insert(entries).values({ departmentPartyId, workingRevisionId: revisionId, createdBy: caller.actor.userId }).returning();
    await tx.insert(entryRevisions).values({ id: revisionId, entryId: entry!.id, number: 1, content, createdBy: caller.actor.userId, ...derivedColumns(content) });
    await appendAudit(tx, caller.audit, {
      action: 'public_data.entry_created',
      subject: { type: 'public_data_entry', id: entry!.id },
      payload: { revisionId, title: content.title.zh, openClass: content.open.class, sharingClass: content.sharing.class },
    });
    return entry!;
  });
}

/**
 * An edit: a draft changes in place; a submitted or decided revision is a record of what was
 * reviewed, so the edit becomes a new draft revision, and a published revision stays published until
 * its successor is approved.
 */
export async function updateEntry(db: Database, caller: Caller, entryId: string, change: Partial<EntryContent>): Promise<EntryRevision> {
  return db.transaction(async (tx) => {
    const entry = await findEntryFor(tx, caller, entryId, { ownerOnly: true, lock: true });
    const working = await getEntryRevision(tx, entry.workingRevisionId);
    if (working.reviewStatus === 'submitted') throw invalidState({ en: 'the entry is under review by the bureau; wait for the decision before changing it', zh: '该目录正由大数据发展局审核，请在审核决定作出后再作变更' });
    const content = { ...working.content, ...change } as EntryContent;
    checkEntryContent(content);
    const changed = Object.keys(change);
    const subject = { type: 'public_data_entry', id: entry.id };
    const now = new Date();
    if (working.reviewStatus === 'draft') {
      const [updated] = await tx.update(entryRevisions).set({ content, ...derivedColumns(content), updatedAt: now }).where(eq(entryRevisions.id, working.id)).returning();
      await tx.update(entries).set({ updatedAt: now }).where(eq(entries.id, entry.id));
      await appendAudit(tx, caller.audit, { action: 'public_data.draft_edited', subject, payload: { revisionId: working.id, changed } });
      return updated!;
    }
    const [revision] = await tx
      .insert(entryRevisions)
      .values({ entryId: entry.id, number: working.number + 1, content, createdBy: caller.actor.userId, ...derivedColumns(content) })
      .returning();
    await tx.update(entries).set({ workingRevisionId: revision!.id, updatedAt: now }).where(eq(entries.id, entry.id));
    await appendAudit(tx, caller.audit, { action: 'public_data.entry_revised', subject, payload: { revisionId: revision!.id, number: revision!.number, basedOn: working.id, changed } });
    return revision!;
  });
}
