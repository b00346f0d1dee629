import { Type } from 'typebox';
import { StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import type { Statement, StatementLine } from './bank-statements.js';
import { CurrencyCode, ReceiptOutcomeView } from './schema.js';
import { defaultCsvMapping } from './statement-parsing.js';
import { lineDirections, lineStatuses, statementFormats, unmatchedReasons } from './statement-tables.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Day = Type.String({ format: 'date', maxLength: 10 });
const Minor = Type.Integer({ minimum: -1e13, maximum: 1e13 });

const Column = (field: string, description: string) =>
  Type.Optional(Text({ minLength: 1, maxLength: 64, description: `CSV only: ${description} (default ${defaultCsvMapping[field as keyof typeof defaultCsvMapping]})` }));

/**
 * How a CSV export's columns are read: the header of the column that holds each logical field. A
 * camt.053 file names its own fields and ignores these.
 */
export const StatementUploadQuery = Type.Object(
  {
    date: Column('date', 'the booking date column (2026-11-30, 2026/11/30 or 20261130)'),
    credit: Column('credit', 'the column of money received'),
    debit: Column('debit', 'the column of money paid out'),
    remittance: Column('remittance', 'the columns searched for the payment reference, separated by |'),
    bankReference: Column('bankReference', "the column of the bank's own reference of the line"),
    balance: Column('balance', 'the balance after each line; a file without it has no balances'),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3, description: 'CSV only: the currency of the account (default CNY)' })),
    account: Type.Optional(Text({ minLength: 1, maxLength: 64, description: 'CSV only: the account the export is of, for the record' })),
    encoding: Type.Optional(StringEnum(['utf-8', 'gb18030'] as const, { description: 'CSV only: the text encoding (default utf-8; gb18030 reads GBK exports)' })),
  },
  closed,
);

export const StatementView = Type.Object(
  {
    id: Uuid,
    format: StringEnum(statementFormats),
    statementId: Type.String({ description: "The bank's id of the statement (camt.053 Stmt/Id), or the CSV file's SHA-256" }),
    account: Nullable(Type.String()),
    currency: CurrencyCode,
    openingBalanceMinor: Nullable(Minor),
    closingBalanceMinor: Nullable(Minor),
    closingDate: Nullable(Day),
    sha256: Type.String(),
    lineCount: Type.Integer({ minimum: 0 }),
    importedBy: Uuid,
    createdAt: Timestamp,
  },
  closed,
);

export const StatementLineView = Type.Object(
  {
    id: Uuid,
    statementId: Uuid,
    position: Type.Integer({ minimum: 1 }),
    bankReference: Type.String(),
    direction: StringEnum(lineDirections),
    amountMinor: Type.Integer({ minimum: 1 }),
    currency: CurrencyCode,
    bookingDate: Nullable(Day),
    remittance: Type.String(),
    status: StringEnum(lineStatuses, { description: 'posted: matched and posted on import; accounted: its bank reference was recorded before; unmatched: waits for an operator; resolved; dismissed' }),
    unmatchedReason: Nullable(StringEnum(unmatchedReasons)),
    paymentReference: Nullable(Type.String()),
    paymentId: Nullable(Uuid),
    dismissalReason: Nullable(Type.String()),
    resolvedBy: Nullable(Uuid),
    resolvedAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  closed,
);

export const StatementImportView = Type.Object(
  {
    created: Type.Boolean({ description: 'false: the statement was imported before and nothing changed' }),
    statement: StatementView,
    lines: Type.Array(Type.Object({ ...StatementLineView.properties, known: Type.Boolean({ description: 'Recorded before this upload (this statement or another that had the line)' }) }, closed)),
  },
  closed,
);

export const StatementDetailView = Type.Object({ ...StatementView.properties, lines: Type.Array(StatementLineView) }, closed);

export const LineParams = Type.Object({ id: Uuid, lineId: Uuid }, closed);

export const ResolveLineBody = Type.Object(
  { reference: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$', description: 'The reference of the payment the line pays, e.g. DX-7K4M-9PQ2-41' }) },
  closed,
);

export const ResolutionView = Type.Object({ line: StatementLineView, receipt: ReceiptOutcomeView }, closed);

export const DismissLineBody = Type.Object({ reason: Text({ minLength: 1, maxLength: 2000, description: 'Why the line pays no payment (a bank fee, a payout recorded elsewhere, sent back by hand, …)' }) }, closed);

export const StatementReconciliationView = Type.Object(
  {
    statementId: Uuid,
    currency: CurrencyCode,
    closingDate: Nullable(Day),
    openingBalanceMinor: Nullable(Minor),
    closingBalanceMinor: Nullable(Minor),
    creditsMinor: Type.Integer({ minimum: 0 }),
    debitsMinor: Type.Integer({ minimum: 0 }),
    statementBalances: Nullable(Type.Boolean({ description: "The bank's own arithmetic: opening + credits − debits = closing (null without both balances)" })),
    ledgerBalanceMinor: Type.Integer({ description: 'What the ledger says the account holds in this currency now: the negated balance of bank clearing' }),
    differenceMinor: Nullable(Type.Integer({ description: 'closing − ledger: money outside the ledger (opening funds, bank fees, unmatched or dismissed lines, records after the statement)' })),
    unmatched: Type.Object({ lines: Type.Integer(), creditsMinor: Type.Integer(), debitsMinor: Type.Integer() }, closed),
    dismissed: Type.Object({ lines: Type.Integer(), netMinor: Type.Integer() }, closed),
  },
  closed,
);

const at = (d: Date | null) => (d ? d.toISOString() : null);

export const statementView = ({ identity: _identity, ...s }: Statement) => ({ ...s, createdAt: s.createdAt.toISOString() });
export const lineView = (l: StatementLine) => ({ ...l, resolvedAt: at(l.resolvedAt), createdAt: l.createdAt.toISOString() });
