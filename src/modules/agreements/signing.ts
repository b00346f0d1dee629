import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { systemActor } from '../audit/events.js';
import { getUser } from '../accounts/service.js';
import { confirmFreshAuthentication, type FreshAuthentication, type SignerProof } from '../accounts/step-up.js';
import { requirePartyRole } from '../identity/members.js';
import { requireVerifiedParty } from '../identity/service.js';
import type { AgreementsContext, Caller } from './context.js';
import { renderSealedCopy, type AgreementRow } from './document.js';
import { moveAgreement } from './lifecycle.js';
import { agreementBureauCopies, agreementSignatures, agreements } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    /**
     * Where the signer was is the event's context (its leaf commits to it by digest), kept from the
     * other party; events before that was settled also carry it here as `ip`.
     */
    /**
     * `authentication`: how the signer confirmed it was them just before signing (the password with
     * the signature, or a step-up token, with when its password was checked); absent on events
     * recorded before step-up tokens existed, which all confirmed with the password.
     */
    'agreement.signed': { number: string; partyId: string; contentSha256: string; revision: number; ip?: string | null; authentication?: FreshAuthentication };
    'agreement.sealed': { number: string; sealedSha256: string; contentSha256: string; signatureEventIds: string[]; copiedToBureau: boolean };
  }
}

export type SignatureRow = typeof agreementSignatures.$inferSelect;

export const signaturesOf = (db: Database, agreementId: string) =>
  db.select().from(agreementSignatures).where(eq(agreementSignatures.agreementId, agreementId)).orderBy(asc(agreementSignatures.signedAt), asc(agreementSignatures.id));

/**
 * A party signs: an admin of the party (the member the party has authorised to bind it), who
 * confirms afresh that it is them (their password, or a step-up token of this session), over the
 * content hash they were shown. The signature is an audit event both parties hold a receipt for,
 * and it records that confirmation. The second signature seals the agreement in the same transaction.
 */
export async function signAgreement(db: Database, ctx: AgreementsContext, caller: Caller, agreementId: string, input: { contentSha256: string; proof: SignerProof }): Promise<void> {
  const partyId = caller.actor.partyId;
  const [visible] = await db.select({ partyIds: agreements.partyIds }).from(agreements).where(eq(agreements.id, agreementId));
  if (!visible || !partyId || !visible.partyIds.includes(partyId)) throw notFound({ en: 'agreement', zh: '协议' });
  await requirePartyRole(db, partyId, caller.actor.userId, 'admin');
  // A fresh confirmation by the person, beyond the bearer token: argon2 against the account's hash
  // now, or a step-up token from one a few minutes ago in this same session.
  const authentication = await confirmFreshAuthentication(db, { userId: caller.actor.userId, sessionId: caller.actor.sessionId ?? null }, input.proof);
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(agreements).where(eq(agreements.id, agreementId)).for('update');
    if (!row) throw notFound({ en: 'agreement', zh: '协议' });
    const signatures = await signaturesOf(tx, row.id);
    if (signatures.some((s) => s.partyId === partyId)) throw new AppError('already-signed');
    if (row.status !== 'draft' && row.status !== 'awaiting_signatures') {
      throw new AppError('invalid-state', { en: `the agreement is ${row.status}; it can no longer be signed`, zh: `协议状态为 ${row.status}，已不能签署` }, { status: row.status });
    }
    if (input.contentSha256 !== row.contentSha256) {
      throw new AppError('agreement-superseded', { en: `you signed revision content ${input.contentSha256.slice(0, 12)}…; the agreement is now revision ${row.revision}`, zh: `您签署的修订内容为 ${input.contentSha256.slice(0, 12)}…；该协议现为修订版本 ${row.revision}` }, {
        contentSha256: row.contentSha256,
        revision: row.revision,
      });
    }
    await requireVerifiedParty(tx, partyId);
    const user = await getUser(tx, caller.actor.userId);
    const signedAt = new Date();
    const event = await appendAudit(tx, caller.audit, {
      action: 'agreement.signed',
      subject: { type: 'agreement', id: row.id },
      payload: { number: row.number, partyId, contentSha256: row.contentSha256, revision: row.revision, authentication },
      parties: row.partyIds,
    });
    const [signature] = await tx
      .insert(agreementSignatures)
      .values({ agreementId: row.id, partyId, userId: user.id, userName: user.displayName, signedAt, ip: caller.audit.ip, contentSha256: row.contentSha256, revision: row.revision, auditEventId: event.id })
      .returning();
    if (row.status === 'draft') await moveAgreement(tx, row, 'first_signature');
    const all = [...signatures, signature!];
    const signers = row.parties.filter((p) => p.signs).map((p) => p.partyId);
    if (signers.every((id) => all.some((s) => s.partyId === id))) {
      await sealAgreement(tx, ctx, { ...row, status: 'awaiting_signatures' }, all, signedAt, caller.audit.requestId);
    }
  });
}

/**
 * Both have signed: the final PDF (the content plus a page with both signatures) sealed by the
 * exchange, stored, recorded; the bureau's copy of a utilization agreement (Art. 19 ¶1); and for an
 * order's agreement (trade, or central procurement), trading is told in this same transaction.
 */
async function sealAgreement(tx: Database, ctx: AgreementsContext, row: AgreementRow, signatures: SignatureRow[], at: Date, requestId: string | null): Promise<void> {
  const sealed = await renderSealedCopy(ctx, row, signatures, at);
  const copiedToBureau = row.kind === 'utilization';
  const event = await appendAudit(tx, systemActor(requestId), {
    action: 'agreement.sealed',
    subject: { type: 'agreement', id: row.id },
    payload: { number: row.number, sealedSha256: sealed.sha256, contentSha256: row.contentSha256, signatureEventIds: signatures.map((s) => s.auditEventId), copiedToBureau },
    parties: row.partyIds,
  });
  await moveAgreement(tx, row, 'seal', { sealedSha256: sealed.sha256, sealedBytes: sealed.bytes, sealedAt: at, sealAuditEventId: event.id });
  if (copiedToBureau) await tx.insert(agreementBureauCopies).values({ agreementId: row.id, notifiedAt: at });
  // A trade agreement, or the procurement agreement of an order the bureau placed (Art. 27 ¶3).
  if ((row.kind === 'trade' || row.kind === 'procurement') && row.orderId) await ctx.events.signed(tx, row.orderId, row.id, at);
}
