import { and, asc, count, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import { TimeAndIdCursor } from '../../lib/http.js';
import { appendAudit } from '../audit/service.js';
import { requireVerifiedParty } from '../identity/service.js';
import type { NamedUpload } from '../catalog/files.js';
import { readableEntry } from './access.js';
import { isBureau, type Caller, type PublicDataContext } from './context.js';
import { awaitingAnswer, findObjectionFor, unresolved, type Objection } from './objections.js';
import { objectionEvidenceFiles, objections, type ObjectionStatus } from './objection-tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.objection_evidence_uploaded': { sha256: string; sizeBytes: number; mediaType: string; filename: string | null };
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
type EvidenceFile = typeof objectionEvidenceFiles.$inferSelect;

export const evidenceFileView = (f: EvidenceFile) => ({ id: f.id, sha256: f.sha256, sizeBytes: f.sizeBytes, mediaType: f.mediaType, filename: f.filename, createdAt: f.createdAt.toISOString() });

/**
 * An objection for the parties to it and the bureau: the objector as its party, never its person
 * (a party never sees another party's people).
 */
export const objectionView = (o: Objection, evidence: EvidenceFile | undefined, now = new Date()) => ({
  id: o.id,
  entryId: o.entryId,
  departmentPartyId: o.departmentPartyId,
  objectorPartyId: o.objectorPartyId,
  kind: o.kind,
  description: o.description,
  evidenceText: o.evidenceText,
  evidenceFile: evidence ? evidenceFileView(evidence) : null,
  status: o.status,
  receivedAt: o.receivedAt.toISOString(),
  deadline: { workingDays: o.workingDays, dueAt: o.dueAt.toISOString(), dueDate: o.dueDate, provisional: o.deadlineProvisional, calendarVersions: o.calendarVersions },
  overdue: awaitingAnswer.includes(o.status) && o.dueAt < now,
  answeredAt: iso(o.answeredAt),
  reasons: o.reasons,
  correctionVersionId: o.correctionVersionId,
  closedAt: iso(o.closedAt),
});

/** What every reader of the entry sees of an unresolved objection: what is doubted, not who doubts it. */
export const objectionSummary = (o: Objection) => ({ id: o.id, kind: o.kind, description: o.description, status: o.status, receivedAt: o.receivedAt.toISOString(), dueDate: o.dueDate });

export async function objectionWithEvidence(db: Database, o: Objection) {
  const [file] = o.evidenceFileId ? await db.select().from(objectionEvidenceFiles).where(eq(objectionEvidenceFiles.id, o.evidenceFileId)) : [];
  return objectionView(o, file);
}

/** The entry's unresolved objections, for anyone who can read the entry. */
export async function entryObjections(db: Database, caller: Caller, entryId: string) {
  await readableEntry(db, caller, entryId);
  const rows = await db.select().from(objections).where(and(eq(objections.entryId, entryId), inArray(objections.status, [...unresolved]))).orderBy(asc(objections.receivedAt));
  const [total] = await db.select({ n: count() }).from(objections).where(eq(objections.entryId, entryId));
  return { openCount: rows.length, totalCount: Number(total!.n), open: rows.map(objectionSummary) };
}

export const ReceivedCursor = TimeAndIdCursor('receivedAt');

/**
 * Objections as the caller's role reaches them: the bureau every one (or one department's), a
 * party those it raised and, for a department, those on its entries. `overdue`: still unanswered past
 * the deadline, most overdue first in the order received.
 */
export async function listObjections(
  db: Database,
  caller: Caller,
  q: { status?: ObjectionStatus | undefined; overdue?: boolean | undefined; entryId?: string | undefined; departmentPartyId?: string | undefined; after?: { receivedAt: string; id: string } | undefined; limit: number },
) {
  const party = caller.actor.partyId;
  let scope: SQL | undefined;
  if (isBureau(caller)) scope = q.departmentPartyId ? eq(objections.departmentPartyId, q.departmentPartyId) : undefined;
  else if (!party) return [];
  else scope = or(eq(objections.departmentPartyId, party), eq(objections.objectorPartyId, party));
  return db
    .select()
    .from(objections)
    .where(
      and(
        scope,
        q.status ? eq(objections.status, q.status) : undefined,
        q.overdue ? and(inArray(objections.status, [...awaitingAnswer]), lt(objections.dueAt, new Date())) : undefined,
        q.entryId ? eq(objections.entryId, q.entryId) : undefined,
        q.after ? sql`(${objections.receivedAt}, ${objections.id}) < (${q.after.receivedAt}::timestamptz, ${q.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(objections.receivedAt), desc(objections.id))
    .limit(q.limit);
}

/** A verified party uploads a file of evidence for an objection it is about to raise. */
export async function uploadEvidenceFile(ctx: PublicDataContext, caller: Caller, upload: NamedUpload): Promise<EvidenceFile> {
  const party = await requireVerifiedParty(ctx.db, caller.actor.partyId);
  const blob = await ctx.blobs.put(upload.body, { maxBytes: ctx.config.catalogDatasetMaxBytes, declaredBytes: upload.declaredBytes });
  return ctx.db.transaction(async (tx) => {
    const [file] = await tx
      .insert(objectionEvidenceFiles)
      .values({ partyId: party.id, sha256: blob.sha256, sizeBytes: blob.size, mediaType: upload.mediaType, filename: upload.filename ?? null, uploadedBy: caller.actor.userId })
      .returning();
    const f = file!;
    await appendAudit(tx, caller.audit, {
      action: 'public_data.objection_evidence_uploaded',
      subject: { type: 'public_data_objection_evidence', id: f.id },
      payload: { sha256: f.sha256, sizeBytes: f.sizeBytes, mediaType: f.mediaType, filename: f.filename },
    });
    return f;
  });
}

/** The evidence file of an objection, for the parties to it and the bureau. */
export async function evidenceFileOf(db: Database, caller: Caller, objectionId: string): Promise<EvidenceFile> {
  const objection = await findObjectionFor(db, caller, objectionId);
  const [file] = objection.evidenceFileId ? await db.select().from(objectionEvidenceFiles).where(eq(objectionEvidenceFiles.id, objection.evidenceFileId)) : [];
  if (!file) throw new AppError('not-found', { en: 'the objection has no evidence file', zh: '该异议没有证明文件' });
  return file;
}
