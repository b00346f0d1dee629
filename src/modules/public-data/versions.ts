import { and, eq, sql } from 'drizzle-orm';
import { requestedRange, spanOf, type StoredFileDownload } from '../../lib/byte-range.js';
import { notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import type { NamedUpload } from '../catalog/files.js';
import { canDownload, partyStanding, readableEntry } from './access.js';
import type { Caller, PublicDataContext } from './context.js';
import { requestHoldings } from './request-access.js';
import { findEntryFor } from './entries.js';
import { checkCorrectable, closeByCorrection } from './objections.js';
import { dataDownloads, dataVersions, entries } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.version_uploaded': { versionId: string; number: number; sha256: string; sizeBytes: number; mediaType: string; filename: string | null; changeNote: string };
    'public_data.downloaded': { versionId: string; sha256: string; openClass: string; rangeStart: number; rangeEnd: number; counted: boolean };
  }
}

export type DataVersion = typeof dataVersions.$inferSelect;

/**
 * The department uploads a version of an entry's data with a note of what changed. Authorisation
 * comes before the body is read, so a stranger's upload stores nothing; the version never changes.
 */
export async function uploadDataVersion(ctx: PublicDataContext, caller: Caller, entryId: string, upload: NamedUpload, note: string, corrects?: string): Promise<DataVersion> {
  await findEntryFor(ctx.db, caller, entryId, { ownerOnly: true });
  // Art. 22: a version that corrects an objection names it in its change note, and closes it.
  if (corrects) await checkCorrectable(ctx.db, caller, entryId, corrects);
  const changeNote = corrects ? `${note} (corrects objection ${corrects})` : note;
  const blob = await ctx.blobs.put(upload.body, { maxBytes: ctx.config.catalogDatasetMaxBytes, declaredBytes: upload.declaredBytes });
  return ctx.db.transaction(async (tx) => {
    // The entry's row lock numbers concurrent uploads one after another.
    await tx.select({ id: entries.id }).from(entries).where(eq(entries.id, entryId)).for('update');
    const [next] = await tx.select({ n: sql<number>`coalesce(max(${dataVersions.number}), 0) + 1` }).from(dataVersions).where(eq(dataVersions.entryId, entryId));
    const [version] = await tx
      .insert(dataVersions)
      .values({ entryId, number: Number(next!.n), changeNote, sha256: blob.sha256, sizeBytes: blob.size, mediaType: upload.mediaType, filename: upload.filename ?? null, uploadedBy: caller.actor.userId })
      .returning();
    const v = version!;
    if (corrects) await closeByCorrection(tx, caller, entryId, corrects, v.id);
    await appendAudit(tx, caller.audit, {
      action: 'public_data.version_uploaded',
      subject: { type: 'public_data_entry', id: entryId },
      payload: { versionId: v.id, number: v.number, sha256: v.sha256, sizeBytes: v.sizeBytes, mediaType: v.mediaType, filename: v.filename, changeNote },
    });
    return v;
  });
}

/**
 * A party downloads a version of an entry's data as `canDownload` allows. Every request is audited
 * and logged with its byte range; one that starts at byte 0 counts as a download of the entry (a
 * resumed range does not count again).
 */
export async function downloadDataVersion(ctx: PublicDataContext, caller: Caller, entryId: string, versionId: string, range: string | undefined, ifRange: string | undefined): Promise<StoredFileDownload> {
  const served = await ctx.db.transaction(async (tx) => {
    const { entry, live } = await readableEntry(tx, caller, entryId);
    const [version] = await tx.select().from(dataVersions).where(and(eq(dataVersions.id, versionId), eq(dataVersions.entryId, entryId)));
    if (!version) throw notFound({ en: 'data version', zh: '数据版本' });
    const holdings = await requestHoldings(tx, caller.actor.partyId, entry.departmentPartyId);
    const refused = canDownload({ id: entry.id, published: live !== undefined, openClass: live?.openClass ?? 'not_open' }, await partyStanding(tx, caller.actor.partyId), holdings);
    if (refused) throw refused;
    const asked = requestedRange(version, range, ifRange);
    const span = asked ?? { start: 0, end: Math.max(version.sizeBytes - 1, 0) };
    const counted = span.start === 0;
    const now = new Date();
    const { id: auditEventId } = await appendAudit(tx, caller.audit, {
      action: 'public_data.downloaded',
      subject: { type: 'public_data_entry', id: entry.id },
      // The department sees the count, not who downloaded: the event concerns the downloader only.
      payload: { versionId: version.id, sha256: version.sha256, openClass: live!.openClass, rangeStart: span.start, rangeEnd: span.end, counted },
    });
    await tx.insert(dataDownloads).values({ entryId, versionId, partyId: caller.actor.partyId!, userId: caller.actor.userId, rangeStart: span.start, rangeEnd: span.end, counted, auditEventId, at: now });
    if (counted) await tx.update(entries).set({ downloadCount: sql`${entries.downloadCount} + 1` }).where(eq(entries.id, entryId));
    return { version, asked };
  });
  const { version, asked } = served;
  return { file: version, range: asked, body: await ctx.blobs.open(version.sha256, spanOf(version, asked)) };
}
