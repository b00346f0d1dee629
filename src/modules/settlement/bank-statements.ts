import { and, desc, eq, sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../lib/database.js';
import { invalidState, notFound } from '../../lib/errors.js';
import { decodeCursor, pageOf, TimeAndIdCursor } from '../../lib/http.js';
import { appendAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/events.js';
import { receiveBankCredit } from './bank-rail.js';
import type { SettlementContext } from './context.js';
import { normaliseBankReference } from './money.js';
import { referencesIn, type ParsedLine, type ParsedStatement } from './statement-parsing.js';
import { bankStatementLines, bankStatements, type LineStatus, type UnmatchedReason } from './statement-tables.js';
import { bankReceipts, payments, payouts, providerRepayments, refunds } from './tables.js';

/**
 * Art. 28(4): money the buyers sent reaches their payments from the bank's own statement. Each
 * credit line that quotes a payment's reference is posted through the bank rail
 * (`receiveBankCredit`, as a receipt an operator types) in the transaction that records the line;
 * the rest wait for an operator, who names the payment or dismisses the line with a reason. A
 * statement is imported once and a line recorded once (the bank's reference), so importing a file
 * again, or an export that overlaps another, posts nothing twice.
 */

export type Statement = typeof bankStatements.$inferSelect;
export type StatementLine = typeof bankStatementLines.$inferSelect;

export interface BankLineAudit {
  statementId: string;
  lineId: string;
  bankReference: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  currency: string;
  paymentId?: string | null;
  reference?: string | null;
  reason?: string;
}

declare module '../audit/events.js' {
  interface AuditPayloads {
    'settlement.bank_statement_imported': { statementId: string; identity: string; format: string; account: string | null; currency: string; lines: number; posted: number; unmatched: number; known: number; closingBalanceMinor: number | null };
    'settlement.bank_line_resolved': BankLineAudit;
    'settlement.bank_line_dismissed': BankLineAudit;
  }
}

export interface ImportOutcome {
  /** false: this statement was imported before; nothing changed. */
  created: boolean;
  statement: Statement;
  lines: (StatementLine & { known: boolean })[];
}

export async function importStatement(ctx: SettlementContext, db: Database, actor: AuditActor, parsed: ParsedStatement): Promise<ImportOutcome> {
  return db.transaction(async (tx) => {
    // Two imports of one statement at once: the second waits here for the first and finds it.
    const [statement] = await tx
      .insert(bankStatements)
      .values({
        identity: parsed.identity,
        format: parsed.format,
        statementId: parsed.statementId,
        account: parsed.account,
        currency: parsed.currency,
        openingBalanceMinor: parsed.openingBalanceMinor,
        closingBalanceMinor: parsed.closingBalanceMinor,
        closingDate: parsed.closingDate,
        sha256: parsed.sha256,
        lineCount: parsed.lines.length,
        importedBy: actor.userId!,
      })
      .onConflictDoNothing({ target: bankStatements.identity })
      .returning();
    if (!statement) {
      const [known] = await tx.select().from(bankStatements).where(eq(bankStatements.identity, parsed.identity));
      const lines = await tx.select().from(bankStatementLines).where(eq(bankStatementLines.statementId, known!.id)).orderBy(bankStatementLines.position);
      return { created: false, statement: known!, lines: lines.map((l) => ({ ...l, known: true })) };
    }
    const lines: ImportOutcome['lines'] = [];
    for (const [i, line] of parsed.lines.entries()) lines.push(await recordLine(ctx, tx, actor, statement, i + 1, line));
    const count = (status: LineStatus) => lines.filter((l) => !l.known && l.status === status).length;
    await appendAudit(tx, actor, {
      action: 'settlement.bank_statement_imported',
      subject: { type: 'bank-statement', id: statement.id },
      payload: {
        statementId: statement.statementId,
        identity: statement.identity,
        format: statement.format,
        account: statement.account,
        currency: statement.currency,
        lines: lines.length,
        posted: count('posted'),
        unmatched: count('unmatched'),
        known: lines.filter((l) => l.known).length,
        closingBalanceMinor: statement.closingBalanceMinor,
      },
    });
    return { created: true, statement, lines };
  });
}

/** One line of a new statement: recorded once; a credit quoting one known reference is posted. */
async function recordLine(ctx: SettlementContext, tx: Database, actor: AuditActor, statement: Statement, position: number, line: ParsedLine) {
  const decision = await decide(tx, line);
  const [row] = await tx
    .insert(bankStatementLines)
    .values({
      statementId: statement.id,
      position,
      bankReference: line.bankReference,
      direction: line.direction,
      amountMinor: line.amountMinor,
      currency: line.currency,
      bookingDate: line.bookingDate,
      remittance: line.remittance,
      status: decision.status,
      unmatchedReason: decision.reason ?? null,
      paymentReference: decision.reference ?? null,
      paymentId: decision.paymentId ?? null,
    })
    .onConflictDoNothing({ target: bankStatementLines.bankReference })
    .returning();
  if (!row) {
    // Another statement brought this line already: it stays as it was.
    const [known] = await tx.select().from(bankStatementLines).where(eq(bankStatementLines.bankReference, line.bankReference));
    return { ...known!, known: true };
  }
  if (decision.status === 'posted') {
    await receiveBankCredit(ctx, tx, actor, { reference: decision.reference!, amountMinor: line.amountMinor, currency: line.currency, bankReference: line.bankReference });
  }
  return { ...row, known: false };
}

interface Decision {
  status: LineStatus;
  reason?: UnmatchedReason;
  reference?: string;
  paymentId?: string;
}

async function decide(tx: Database, line: ParsedLine): Promise<Decision> {
  const recorded = await recordedElsewhere(tx, line.bankReference);
  if (recorded) return { status: 'accounted', ...(recorded.paymentId ? { paymentId: recorded.paymentId } : {}) };
  if (line.direction === 'debit') return { status: 'unmatched', reason: 'debit' };
  if (line.batch) return { status: 'unmatched', reason: 'batch' };
  const references = referencesIn(line.remittance, normaliseBankReference);
  if (references.length === 0) return { status: 'unmatched', reason: 'no_reference' };
  if (references.length > 1) return { status: 'unmatched', reason: 'ambiguous_reference' };
  const reference = references[0]!;
  const [payment] = await tx.select({ id: payments.id, currency: payments.currency }).from(payments).where(eq(payments.reference, reference));
  if (!payment) return { status: 'unmatched', reason: 'unknown_reference', reference };
  if (payment.currency !== line.currency) return { status: 'unmatched', reason: 'currency_mismatch', reference, paymentId: payment.id };
  return { status: 'posted', reference, paymentId: payment.id };
}

/** The bank reference was recorded before by other means: a receipt typed by hand, a payout, a refund, a repayment. */
async function recordedElsewhere(tx: Database, bankReference: string): Promise<{ paymentId: string | null } | null> {
  const [receipt] = await tx.select({ paymentId: bankReceipts.paymentId }).from(bankReceipts).where(eq(bankReceipts.bankReference, bankReference));
  const [payout] = await tx.select({ paymentId: payouts.paymentId }).from(payouts).where(eq(payouts.bankReference, bankReference));
  const [refund] = await tx.select({ paymentId: refunds.paymentId }).from(refunds).where(eq(refunds.bankReference, bankReference));
  const [repaid] = await tx.select({ id: providerRepayments.id }).from(providerRepayments).where(eq(providerRepayments.bankReference, bankReference));
  const found = receipt ?? payout ?? refund;
  if (found) return { paymentId: found.paymentId };
  return repaid ? { paymentId: null } : null;
}

async function lockLine(tx: Database, statementId: string, lineId: string): Promise<StatementLine> {
  const [line] = await tx.select().from(bankStatementLines).where(eq(bankStatementLines.id, lineId)).for('update');
  if (!line || line.statementId !== statementId) throw notFound({ en: 'statement line', zh: '对账单明细' });
  if (line.status !== 'unmatched') throw invalidState({ en: `the line is ${line.status} already`, zh: `该明细的状态已是 ${line.status}` }, { status: line.status });
  return line;
}

const lineAudit = (line: StatementLine, extra: Partial<BankLineAudit> = {}): BankLineAudit => ({
  statementId: line.statementId,
  lineId: line.id,
  bankReference: line.bankReference,
  direction: line.direction,
  amountMinor: line.amountMinor,
  currency: line.currency,
  ...extra,
});

/** An operator names the payment an unmatched credit pays (by its reference): it is posted now. */
export async function resolveLine(ctx: SettlementContext, db: Database, actor: AuditActor, statementId: string, lineId: string, typedReference: string) {
  return db.transaction(async (tx) => {
    const line = await lockLine(tx, statementId, lineId);
    if (line.direction === 'debit') throw invalidState({ en: 'money that left the account pays no payment: dismiss the line with the reason', zh: '从账户转出的款项不是付款：请说明理由后驳回该明细' });
    const outcome = await receiveBankCredit(ctx, tx, actor, { reference: typedReference, amountMinor: line.amountMinor, currency: line.currency, bankReference: line.bankReference });
    const reference = normaliseBankReference(typedReference);
    const [resolved] = await tx
      .update(bankStatementLines)
      .set({ status: 'resolved', paymentId: outcome.paymentId, paymentReference: reference, resolvedBy: actor.userId, resolvedAt: new Date() })
      .where(eq(bankStatementLines.id, line.id))
      .returning();
    await appendAudit(tx, actor, { action: 'settlement.bank_line_resolved', subject: { type: 'bank-statement', id: statementId }, payload: lineAudit(line, { paymentId: outcome.paymentId, reference }) });
    return { line: resolved!, receipt: outcome };
  });
}

/** An operator dismisses an unmatched line (a bank fee, a payout recorded elsewhere, money to send back by hand), saying why. */
export async function dismissLine(db: Database, actor: AuditActor, statementId: string, lineId: string, reason: string) {
  return db.transaction(async (tx) => {
    const line = await lockLine(tx, statementId, lineId);
    const [dismissed] = await tx
      .update(bankStatementLines)
      .set({ status: 'dismissed', dismissalReason: reason, resolvedBy: actor.userId, resolvedAt: new Date() })
      .where(eq(bankStatementLines.id, line.id))
      .returning();
    await appendAudit(tx, actor, { action: 'settlement.bank_line_dismissed', subject: { type: 'bank-statement', id: statementId }, payload: lineAudit(line, { reason }) });
    return dismissed!;
  });
}

export async function statementWithLines(db: Database, id: string) {
  const [statement] = await db.select().from(bankStatements).where(eq(bankStatements.id, id));
  if (!statement) throw notFound({ en: 'bank statement', zh: '银行对账单' });
  const lines = await db.select().from(bankStatementLines).where(eq(bankStatementLines.statementId, id)).orderBy(bankStatementLines.position);
  return { statement, lines };
}

const CreatedCursor = TimeAndIdCursor('createdAt');
const before = (t: typeof bankStatements | typeof bankStatementLines, cursor: { createdAt: string; id: string } | undefined) =>
  cursor ? sql`(${t.createdAt}, ${t.id}) < (${new Date(cursor.createdAt).toISOString()}::timestamptz, ${cursor.id}::uuid)` : undefined;
const cursorOf = (r: { createdAt: Date; id: string }) => ({ createdAt: r.createdAt.toISOString(), id: r.id });

export async function listStatements(db: Database, q: { cursor?: string | undefined; limit: number }) {
  const rows = await db
    .select()
    .from(bankStatements)
    .where(before(bankStatements, decodeCursor(q.cursor, CreatedCursor)))
    .orderBy(desc(bankStatements.createdAt), desc(bankStatements.id))
    .limit(q.limit + 1);
  return pageOf(rows, q.limit, (s) => s, cursorOf);
}

/** Lines of every statement by status (unmatched: waiting for an operator), newest first. */
export async function listLines(db: Database, q: { status?: LineStatus | undefined; cursor?: string | undefined; limit: number }) {
  const rows = await db
    .select()
    .from(bankStatementLines)
    .where(and(q.status ? eq(bankStatementLines.status, q.status) : undefined, before(bankStatementLines, decodeCursor(q.cursor, CreatedCursor))))
    .orderBy(desc(bankStatementLines.createdAt), desc(bankStatementLines.id))
    .limit(q.limit + 1);
  return pageOf(rows, q.limit, (l) => l, cursorOf);
}

/**
 * The statement's closing balance against the ledger's view of the same account: what the bank
 * clearing account says the exchange's bank account received less what it paid out (credits in the
 * ledger are debits of bank clearing), in the statement's currency, as the ledger stands now. The
 * difference is what is outside the ledger: money on the account before the exchange used it,
 * lines still unmatched or dismissed, bank fees, and records made after the statement's day.
 */
export async function reconcileStatement(db: Database, id: string) {
  const { statement, lines } = await statementWithLines(db, id);
  const sum = (pick: (l: StatementLine) => boolean) => lines.filter(pick).reduce((s, l) => s + l.amountMinor, 0);
  const creditsMinor = sum((l) => l.direction === 'credit');
  const debitsMinor = sum((l) => l.direction === 'debit');
  const [ledger] = rowsOf<{ clearingMinor: string | number }>(
    await db.execute(sql`
      select coalesce(sum(p.amount_minor), 0)::bigint as "clearingMinor"
      from settlement_ledger_postings p
      join settlement_ledger_accounts a on a.id = p.account_id
      where a.kind = 'bank_clearing' and a.currency = ${statement.currency}`),
  );
  const ledgerBalanceMinor = -Number(ledger!.clearingMinor);
  const { openingBalanceMinor: opening, closingBalanceMinor: closing } = statement;
  const waiting = lines.filter((l) => l.status === 'unmatched');
  return {
    statementId: statement.id,
    currency: statement.currency,
    closingDate: statement.closingDate,
    openingBalanceMinor: opening,
    closingBalanceMinor: closing,
    creditsMinor,
    debitsMinor,
    // The bank's own arithmetic: opening + credits − debits = closing (null without both balances).
    statementBalances: opening === null || closing === null ? null : opening + creditsMinor - debitsMinor === closing,
    ledgerBalanceMinor,
    differenceMinor: closing === null ? null : closing - ledgerBalanceMinor,
    unmatched: { lines: waiting.length, creditsMinor: sum((l) => l.status === 'unmatched' && l.direction === 'credit'), debitsMinor: sum((l) => l.status === 'unmatched' && l.direction === 'debit') },
    dismissed: { lines: lines.filter((l) => l.status === 'dismissed').length, netMinor: lines.filter((l) => l.status === 'dismissed').reduce((s, l) => s + (l.direction === 'credit' ? l.amountMinor : -l.amountMinor), 0) },
  };
}
