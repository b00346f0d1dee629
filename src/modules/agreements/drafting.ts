import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import { requirePartyRole } from '../identity/members.js';
import { appendAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/events.js';
import { getPartyDetails, requireVerifiedParty } from '../identity/service.js';
import { invalidInput, type AgreementsContext, type Caller } from './context.js';
import { documentOf, renderAndStore, type AgreementRow } from './document.js';
import { fillClauses, numberPrefixes, parseModelText, termDays, type AgreementKind, type Bilingual } from './model-text.js';
import { getModelText, latestModelText } from './model-texts.js';
import { agreementNumberCounters, agreements, type AgreementPartyRecord, type DataListItem } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'agreement.drafted': { number: string; kind: string; modelVersion: number; contentSha256: string; orderId: string | null; sourceReference: string | null };
    'agreement.amended': { number: string; revision: number; contentSha256: string; previousSha256: string };
  }
}

export interface DraftParty {
  partyId: string;
  /** The placeholder prefix and record role: `provider`, `buyer`, `department`, `user`, `bureau`. */
  role: string;
  label: Bilingual;
}

export interface DraftInput {
  kind: AgreementKind;
  orderId?: string | undefined;
  sourceReference?: string | undefined;
  /** The two signing parties, first party first. */
  parties: [DraftParty, DraftParty];
  /** Receives the data and certifies their disposal at the end (Art. 19 ¶2). */
  recipientPartyId: string;
  /** The kind's own placeholders (purpose, scenario, ...); parties, number, term and disposal days are added here. */
  values: Record<string, string>;
  dataList: DataListItem[];
  term: { start: Date; end: Date };
  specialTerms?: string | undefined;
}

export const NO_SPECIAL_TERMS = '无其他约定。No other terms.';
const ms = (d: Date) => new Date(Math.floor(d.getTime()));

/** The next number of a kind in a year, without gaps among committed agreements: `DTA-2026-000123`. */
async function nextNumber(tx: Database, kind: AgreementKind, at: Date): Promise<string> {
  const prefix = numberPrefixes[kind];
  const year = at.getUTCFullYear();
  const [row] = await tx
    .insert(agreementNumberCounters)
    .values({ prefix, year, last: 1 })
    .onConflictDoUpdate({ target: [agreementNumberCounters.prefix, agreementNumberCounters.year], set: { last: sql`${agreementNumberCounters.last} + 1` } })
    .returning({ last: agreementNumberCounters.last });
  return `${prefix}-${year}-${String(row!.last).padStart(6, '0')}`;
}

/**
 * Makes an agreement from the latest model text of its kind, in the caller's transaction: the
 * parties as they are now (verified, names and masked identity numbers frozen into the record),
 * the filled clauses, the rendered PDF and its hash. The record alone reproduces the PDF.
 */
export async function draftAgreement(tx: Database, ctx: AgreementsContext, actor: AuditActor, input: DraftInput): Promise<AgreementRow> {
  if (!(input.term.end.getTime() > input.term.start.getTime())) throw invalidInput('/body/term', { en: 'the term must end after it starts', zh: '期限的结束须晚于开始' });
  const parties: AgreementPartyRecord[] = [];
  for (const p of input.parties) {
    // Art. 28(2): the exchange has verified the identity of both parties.
    await requireVerifiedParty(tx, p.partyId);
    const { party } = await getPartyDetails(tx, p.partyId);
    parties.push({ partyId: p.partyId, role: p.role, label: p.label, name: party.legalName, identityNumberMasked: party.identityNumberMasked, signs: true });
  }
  const { row: model, text } = await latestModelText(tx, input.kind);
  const createdAt = ms(new Date());
  const number = await nextNumber(tx, input.kind, createdAt);
  // The PDF states the term exactly as the API does (termDays): calendar days in Asia/Shanghai.
  const term = termDays({ termStart: input.term.start, termEnd: input.term.end });
  const values: Record<string, string> = {
    ...input.values,
    ...Object.fromEntries(parties.flatMap((p) => [[`${p.role}.name`, p.name], [`${p.role}.identityNumber`, p.identityNumberMasked]])),
    'agreement.number': number,
    'term.start': term.start,
    'term.end': term.end,
    disposalDays: String(ctx.config.agreementDisposalDays),
    specialTerms: input.specialTerms?.trim() || NO_SPECIAL_TERMS,
  };
  const record = {
    number,
    kind: input.kind,
    revision: 1,
    title: text.title,
    basis: text.basis,
    modelVersion: model.version,
    modelSha256: model.sha256,
    parties,
    clauses: fillClauses(text, values),
    dataList: input.dataList,
    createdAt,
  };
  const content = await renderAndStore(ctx, documentOf(record));
  const [row] = await tx
    .insert(agreements)
    .values({
      ...record,
      orderId: input.orderId ?? null,
      sourceReference: input.sourceReference ?? null,
      status: 'draft',
      modelTextId: model.id,
      partyIds: parties.map((p) => p.partyId),
      recipientPartyId: input.recipientPartyId,
      values,
      termStart: ms(input.term.start),
      termEnd: ms(input.term.end),
      contentSha256: content.sha256,
      contentBytes: content.bytes,
      updatedAt: createdAt,
    })
    .returning();
  await appendAudit(tx, actor, {
    action: 'agreement.drafted',
    subject: { type: 'agreement', id: row!.id },
    payload: { number, kind: input.kind, modelVersion: model.version, contentSha256: content.sha256, orderId: input.orderId ?? null, sourceReference: input.sourceReference ?? null },
    parties: row!.partyIds,
  });
  return row!;
}

/** An admin of a party to the draft amends its other terms (see amendDraft). */
export async function amendAgreement(db: Database, ctx: AgreementsContext, caller: Caller, agreementId: string, specialTerms: string): Promise<AgreementRow> {
  const partyId = caller.actor.partyId;
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(agreements).where(eq(agreements.id, agreementId)).for('update');
    if (!row || !partyId || !row.partyIds.includes(partyId)) throw notFound({ en: 'agreement', zh: '协议' });
    await requirePartyRole(tx, partyId, caller.actor.userId, 'admin');
    return amendDraft(tx, ctx, caller.audit, row, specialTerms);
  });
}

/**
 * A party amends the other terms of a draft nobody has signed yet: a new revision, a new PDF and a
 * new content hash, so a signature over the old one is refused as superseded.
 */
export async function amendDraft(tx: Database, ctx: AgreementsContext, actor: AuditActor, row: AgreementRow, specialTerms: string): Promise<AgreementRow> {
  if (row.status !== 'draft') throw invalidState({ en: `only a draft nobody has signed can be amended; this agreement is ${row.status}`, zh: `只有尚无人签署的草案可以修改；该协议状态为 ${row.status}` }, { status: row.status });
  const model = await modelTextOf(tx, row);
  const values = { ...row.values, specialTerms: specialTerms.trim() || NO_SPECIAL_TERMS };
  const next = { ...row, revision: row.revision + 1, values, clauses: fillClauses(model, values) };
  const content = await renderAndStore(ctx, documentOf(next));
  const [updated] = await tx
    .update(agreements)
    .set({ revision: next.revision, values, clauses: next.clauses, contentSha256: content.sha256, contentBytes: content.bytes, updatedAt: new Date() })
    .where(and(eq(agreements.id, row.id), eq(agreements.status, 'draft')))
    .returning();
  await appendAudit(tx, actor, {
    action: 'agreement.amended',
    subject: { type: 'agreement', id: row.id },
    payload: { number: row.number, revision: next.revision, contentSha256: content.sha256, previousSha256: row.contentSha256 },
    parties: row.partyIds,
  });
  return updated!;
}

/** The model text an agreement was made from (never a later one). */
async function modelTextOf(tx: Database, row: AgreementRow) {
  return parseModelText((await getModelText(tx, row.kind, row.modelVersion)).source);
}
