import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { seesPeopleOf, type Viewer } from '../../lib/viewer.js';
import type { AgreementSummary } from '../trading/ports.js';
import { isStaff, type Caller } from './context.js';
import type { AgreementRow } from './document.js';
import { termDays } from './model-text.js';
import { signaturesOf, type SignatureRow } from './signing.js';
import { agreementBureauCopies, agreementDisposals, agreements, type AgreementStatus } from './tables.js';
import { inForce } from './verification.js';

/** The agreement if the caller's party is a party to it, or the caller is staff; otherwise 404. */
export async function findAgreementFor(db: Database, caller: Caller, agreementId: string): Promise<AgreementRow> {
  const [row] = await db.select().from(agreements).where(eq(agreements.id, agreementId));
  const mine = row && caller.actor.partyId !== null && row.partyIds.includes(caller.actor.partyId);
  if (!row || !(mine || isStaff(caller))) throw notFound({ en: 'agreement', zh: '协议' });
  return row;
}

export async function agreementSummary(db: Database, agreementId: string, viewer: Viewer): Promise<AgreementSummary | null> {
  const [row] = await db.select().from(agreements).where(eq(agreements.id, agreementId));
  if (!row) return null;
  const signatures = await signaturesOf(db, row.id);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    modelText: { kind: row.kind, version: row.modelVersion, sha256: row.modelSha256 },
    contentSha256: row.contentSha256,
    sealedSha256: row.sealedSha256,
    signatures: signatures.map((s) => {
      const { partyId, role, partyName, userId, signedAt, auditEventId } = signatureView(row, s, viewer);
      return { partyId, role, partyName, userId, signedAt, auditEventId };
    }),
  };
}

/**
 * A signature as the viewer may see it: the one place that decides it. Every reader learns that the
 * party signed, in which role and when; which of the party's people signed (user id and name) only
 * that party itself and staff (operators, the bureau) see.
 */
function signatureView(row: AgreementRow, s: SignatureRow, viewer: Viewer) {
  const party = row.parties.find((p) => p.partyId === s.partyId);
  const ownPeople = seesPeopleOf(viewer, s.partyId);
  return {
    partyId: s.partyId,
    role: party?.role ?? '',
    partyName: party?.name ?? '',
    userId: ownPeople ? s.userId : null,
    userName: ownPeople ? s.userName : null,
    signedAt: s.signedAt.toISOString(),
    contentSha256: s.contentSha256,
    revision: s.revision,
    auditEventId: s.auditEventId,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function agreementSummaryView(row: AgreementRow) {
  return {
    id: row.id,
    number: row.number,
    kind: row.kind,
    status: row.status,
    inForce: inForce(row),
    title: row.title,
    parties: row.parties.map((p) => ({ partyId: p.partyId, role: p.role, name: p.name })),
    term: termDays(row),
    contentSha256: row.contentSha256,
    sealedSha256: row.sealedSha256,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** An agreement as the viewer may see it (a party to it, or staff: findAgreementFor decides that). */
export async function agreementView(db: Database, row: AgreementRow, viewer: Viewer) {
  const signatures: SignatureRow[] = await signaturesOf(db, row.id);
  const [disposal] = await db.select().from(agreementDisposals).where(eq(agreementDisposals.agreementId, row.id));
  return {
    ...agreementSummaryView(row),
    orderId: row.orderId,
    sourceReference: row.sourceReference,
    modelText: { kind: row.kind, version: row.modelVersion, sha256: row.modelSha256 },
    basis: row.basis,
    parties: row.parties,
    recipientPartyId: row.recipientPartyId,
    clauses: row.clauses,
    dataList: row.dataList,
    revision: row.revision,
    contentBytes: row.contentBytes,
    sealedBytes: row.sealedBytes,
    sealedAt: iso(row.sealedAt),
    sealAuditEventId: row.sealAuditEventId,
    expiredAt: iso(row.expiredAt),
    terminatedAt: iso(row.terminatedAt),
    terminationReason: row.terminationReason,
    signatures: signatures.map((s) => signatureView(row, s, viewer)),
    disposal: disposal
      ? { method: disposal.method, statement: disposal.statement, newAgreementNumber: disposal.newAgreementNumber, certifiedAt: disposal.certifiedAt.toISOString(), auditEventId: disposal.auditEventId }
      : null,
    createdAt: row.createdAt.toISOString(),
  };
}

export interface AgreementCursor {
  updatedAt: string;
  id: string;
}

/** A party's agreements (staff: all, or one party's), most recently changed first. */
export function listAgreements(
  db: Database,
  q: { partyId?: string | undefined; status?: AgreementStatus | undefined; kind?: AgreementRow['kind'] | undefined; after?: AgreementCursor | undefined; limit: number },
): Promise<AgreementRow[]> {
  return db
    .select()
    .from(agreements)
    .where(
      and(
        q.partyId ? sql`${agreements.partyIds} @> array[${q.partyId}]::uuid[]` : undefined,
        q.status ? eq(agreements.status, q.status) : undefined,
        q.kind ? eq(agreements.kind, q.kind) : undefined,
        q.after ? sql`(${agreements.updatedAt}, ${agreements.id}) < (${q.after.updatedAt}::timestamptz, ${q.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(agreements.updatedAt), desc(agreements.id))
    .limit(q.limit);
}

/** Art. 19 ¶1: the bureau's inbox of signed utilization agreements, newest first. */
export function listBureauInbox(db: Database, q: { unreadOnly: boolean; after?: { notifiedAt: string; id: string } | undefined; limit: number }) {
  return db
    .select({ copy: agreementBureauCopies, agreement: agreements })
    .from(agreementBureauCopies)
    .innerJoin(agreements, eq(agreements.id, agreementBureauCopies.agreementId))
    .where(
      and(
        q.unreadOnly ? isNull(agreementBureauCopies.readAt) : undefined,
        q.after ? sql`(${agreementBureauCopies.notifiedAt}, ${agreementBureauCopies.id}) < (${q.after.notifiedAt}::timestamptz, ${q.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(agreementBureauCopies.notifiedAt), desc(agreementBureauCopies.id))
    .limit(q.limit);
}

/** The bureau marks copies as read; answers how many changed. */
export async function markBureauCopiesRead(db: Database, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(agreementBureauCopies)
    .set({ readAt: new Date() })
    .where(and(inArray(agreementBureauCopies.id, ids), isNull(agreementBureauCopies.readAt)))
    .returning({ id: agreementBureauCopies.id });
  return rows.length;
}
