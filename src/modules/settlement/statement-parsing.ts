import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError, type Localized } from '../../lib/errors.js';
import { isCleanText } from '../../lib/http.js';

/**
 * Bank statements as files, read into one shape: ISO 20022 camt.053 (BankToCustomerStatement, any
 * version: elements are read by their local names) and the CSV exports of mainland banks, whose
 * columns are named by a mapping (StatementCsvMapping). Nothing here touches the database; every
 * defect of the file is a 400 that names where it is.
 */

export interface ParsedLine {
  /** The bank's own reference of the entry (camt.053 AcctSvcrRef; the CSV's 流水号). */
  bankReference: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  currency: string;
  bookingDate: string | null;
  /** Everything the payer wrote that may quote a payment reference. */
  remittance: string;
  /** Several transactions booked as one entry: not matched automatically. */
  batch: boolean;
}

export interface ParsedStatement {
  format: 'camt053' | 'csv';
  identity: string;
  statementId: string;
  account: string | null;
  currency: string;
  openingBalanceMinor: number | null;
  closingBalanceMinor: number | null;
  closingDate: string | null;
  sha256: string;
  lines: ParsedLine[];
}

/** Logical fields of a CSV export and the header of the column that holds each. */
export interface StatementCsvMapping {
  date: string;
  credit: string;
  debit: string;
  /** One or more columns, `|`-separated, joined to search for the payment reference. */
  remittance: string;
  bankReference: string;
  /** Optional in the file: without it the statement has no balances. */
  balance: string;
  currency: string;
  account?: string | undefined;
}

export const defaultCsvMapping: StatementCsvMapping = { date: '交易日期', credit: '贷方发生额', debit: '借方发生额', remittance: '摘要|附言', bankReference: '流水号', balance: '余额', currency: 'CNY' };

export const MAX_STATEMENT_LINES = 5000;
const MAX_REMITTANCE = 1000;

const invalid = (where: string, message: Localized) =>
  new AppError('statement-invalid', { en: `${where}: ${message.en}`, zh: `${where}：${message.zh}` }, { errors: [{ path: where, message: message.en }] });

/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3, LYD: 3, IQD: 3 };

/** A decimal amount as integer minor units, without floats; refused with more decimals than the currency has. */
export function toMinorUnits(text: string, currency: string, where: string): number {
  const exponent = EXPONENTS[currency] ?? 2;
  const match = /^(\d{1,13})(?:\.(\d+))?$/.exec(text);
  if (!match) throw invalid(where, { en: `"${text.slice(0, 40)}" is not an amount`, zh: `“${text.slice(0, 40)}”不是金额` });
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) throw invalid(where, { en: `${text} has more decimals than ${currency} has`, zh: `${text} 的小数位数多于 ${currency} 的小数位数` });
  const minor = Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  if (!Number.isSafeInteger(minor)) throw invalid(where, { en: `${text} is too large`, zh: `${text} 过大` });
  return minor;
}

function isoDate(text: string, where: string): string {
  const match = /^(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:[T ].*)?$/.exec(text.trim());
  const day = match ? `${match[1]}-${match[2]}-${match[3]}` : '';
  const parsed = new Date(`${day}T00:00:00Z`);
  if (!match || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) throw invalid(where, { en: `"${text.slice(0, 40)}" is not a date`, zh: `“${text.slice(0, 40)}”不是日期` });
  return day;
}

function cleanText(text: string, where: string, max: number): string {
  const flat = text.replace(/[\t\r\n]+/g, ' ').trim();
  if (!isCleanText(flat)) throw invalid(where, { en: 'contains control characters', zh: '包含控制字符' });
  return flat.slice(0, max);
}

function bankReferenceOf(text: string, where: string): string {
  const ref = text.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ./_:-]{0,63}$/u.test(ref)) throw invalid(where, { en: `the bank reference "${ref.slice(0, 70)}" is missing or not 1–64 letters, digits and . / _ : -`, zh: `银行流水号“${ref.slice(0, 70)}”缺失，或不是 1 至 64 个字母、数字及 . / _ : -` });
  return ref;
}

/** A bank never books two entries of one statement under one reference: a file that does is not the bank's. */
function assertReferencesDistinct(lines: ParsedLine[], where: (i: number) => string) {
  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    const first = seen.get(line.bankReference);
    if (first !== undefined) throw invalid(where(i), { en: `the bank reference ${line.bankReference} is also that of ${where(first)}`, zh: `银行流水号 ${line.bankReference} 与 ${where(first)} 的相同` });
    seen.set(line.bankReference, i);
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The file as text: UTF-8 (a BOM is dropped) or, for CSV exports, GB 18030 (which covers GBK). */
export function decodeText(bytes: Buffer, encoding: 'utf-8' | 'gb18030'): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid('/body', { en: encoding === 'utf-8' ? 'the file is not UTF-8 (a GBK export: send encoding=gb18030)' : 'the file is not GB 18030 text', zh: encoding === 'utf-8' ? '文件不是 UTF-8 编码（如为 GBK 导出文件，请发送 encoding=gb18030）' : '文件不是 GB 18030 文本' });
  }
}

// --- camt.053 ---------------------------------------------------------------------------------

type Node = Record<string, unknown>;
const repeated = new Set(['Stmt', 'Bal', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd']);
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // Text stays text: "007" is a reference, not 7; amounts are read as decimals by toMinorUnits.
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  isArray: (name) => repeated.has(name),
});

const child = (node: unknown, ...path: string[]): unknown => path.reduce<unknown>((n, key) => (n && typeof n === 'object' ? (n as Node)[key] : undefined), node);
const textOf = (node: unknown): string | undefined => {
  if (typeof node === 'string') return node.trim();
  if (node && typeof node === 'object' && typeof (node as Node)['#text'] === 'string') return ((node as Node)['#text'] as string).trim();
  return undefined;
};
const list = (node: unknown): unknown[] => (Array.isArray(node) ? node : node === undefined ? [] : [node]);

function amountOf(node: unknown, where: string): { minor: number; currency: string } {
  const value = textOf(node);
  const currency = node && typeof node === 'object' ? (node as Node)['@Ccy'] : undefined;
  if (value === undefined || typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw invalid(where, { en: 'Amt needs a value and a Ccy attribute (ISO 4217)', zh: 'Amt 须有金额值和 Ccy 属性（ISO 4217）' });
  return { minor: toMinorUnits(value, currency, where), currency };
}

function signOf(node: unknown, where: string): 1 | -1 {
  const indicator = textOf(child(node, 'CdtDbtInd'));
  if (indicator === 'CRDT') return 1;
  if (indicator === 'DBIT') return -1;
  throw invalid(`${where}/CdtDbtInd`, { en: 'must be CRDT or DBIT', zh: '须为 CRDT 或 DBIT' });
}

export function parseCamt053(bytes: Buffer): ParsedStatement {
  const text = decodeText(bytes, 'utf-8');
  // A statement never declares a DTD; one that does may expand entities without end.
  if (/<!DOCTYPE/i.test(text)) throw invalid('/body', { en: 'a camt.053 statement has no DOCTYPE', zh: 'camt.053 对账单不含 DOCTYPE' });
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw invalid('/body', { en: `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`, zh: `XML 格式不正确（第 ${valid.err.line} 行，第 ${valid.err.col} 列）：${valid.err.msg}` });
  const doc = xml.parse(text) as Node;
  const root = child(doc, 'Document', 'BkToCstmrStmt');
  if (!root) throw invalid('/Document', { en: 'not a camt.053 statement (no Document/BkToCstmrStmt)', zh: '不是 camt.053 对账单（没有 Document/BkToCstmrStmt）' });
  const statements = list(child(root, 'Stmt'));
  if (statements.length !== 1) throw invalid('/Document/BkToCstmrStmt/Stmt', { en: `one statement per file is imported, this file has ${statements.length}`, zh: `每个文件只导入一份对账单，该文件有 ${statements.length} 份` });
  const stmt = statements[0];
  const at = '/Document/BkToCstmrStmt/Stmt';
  const statementId = textOf(child(stmt, 'Id'));
  if (!statementId || statementId.length > 64 || !isCleanText(statementId)) throw invalid(`${at}/Id`, { en: 'the statement needs an Id of at most 64 characters', zh: '对账单须有不超过 64 个字符的 Id' });
  const account = textOf(child(stmt, 'Acct', 'Id', 'IBAN')) ?? textOf(child(stmt, 'Acct', 'Id', 'Othr', 'Id')) ?? null;
  if (account !== null && (account.length > 64 || !isCleanText(account))) throw invalid(`${at}/Acct/Id`, { en: 'not an account identifier', zh: '不是账户标识' });

  const balances = new Map<string, { minor: number; currency: string; date: string | null }>();
  list(child(stmt, 'Bal')).forEach((bal, i) => {
    const where = `${at}/Bal[${i + 1}]`;
    const code = textOf(child(bal, 'Tp', 'CdOrPrtry', 'Cd'));
    if (code !== 'OPBD' && code !== 'CLBD') return;
    const amount = amountOf(child(bal, 'Amt'), `${where}/Amt`);
    const day = textOf(child(bal, 'Dt', 'Dt')) ?? textOf(child(bal, 'Dt', 'DtTm'));
    balances.set(code, { minor: amount.minor * signOf(bal, where), currency: amount.currency, date: day ? isoDate(day, `${where}/Dt`) : null });
  });

  const entries = list(child(stmt, 'Ntry'));
  if (entries.length > MAX_STATEMENT_LINES) throw invalid(`${at}/Ntry`, { en: `at most ${MAX_STATEMENT_LINES} entries per statement`, zh: `每份对账单最多 ${MAX_STATEMENT_LINES} 笔分录` });
  const lines = entries.map((entry, i): ParsedLine => {
    const where = `${at}/Ntry[${i + 1}]`;
    const amount = amountOf(child(entry, 'Amt'), `${where}/Amt`);
    if (amount.minor === 0) throw invalid(`${where}/Amt`, { en: 'an entry moves a positive amount', zh: '分录的金额须为正数' });
    const direction = signOf(entry, where) === 1 ? 'credit' : 'debit';
    const transactions = list(child(entry, 'NtryDtls')).flatMap((d) => list(child(d, 'TxDtls')));
    const ref = textOf(child(entry, 'AcctSvcrRef')) ?? textOf(child(transactions[0], 'Refs', 'AcctSvcrRef')) ?? textOf(child(entry, 'NtryRef'));
    const day = textOf(child(entry, 'BookgDt', 'Dt')) ?? textOf(child(entry, 'BookgDt', 'DtTm'));
    const remittance = transactions
      .flatMap((tx) => [...list(child(tx, 'RmtInf', 'Ustrd')).map(textOf), textOf(child(tx, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref')), textOf(child(tx, 'Refs', 'EndToEndId'))])
      .concat(textOf(child(entry, 'AddtlNtryInf')))
      .filter((s): s is string => !!s && s !== 'NOTPROVIDED')
      .join(' ');
    return {
      bankReference: bankReferenceOf(ref ?? '', `${where}/AcctSvcrRef`),
      direction,
      amountMinor: amount.minor,
      currency: amount.currency,
      bookingDate: day ? isoDate(day, `${where}/BookgDt`) : null,
      remittance: cleanText(remittance, `${where}/NtryDtls`, MAX_REMITTANCE),
      batch: transactions.length > 1,
    };
  });
  assertReferencesDistinct(lines, (i) => `${at}/Ntry[${i + 1}]`);
  const currency = textOf(child(stmt, 'Acct', 'Ccy')) ?? balances.get('CLBD')?.currency ?? lines[0]?.currency;
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw invalid(`${at}/Acct/Ccy`, { en: 'the account currency is not stated', zh: '未注明账户币种' });
  for (const [code, b] of balances) if (b.currency !== currency) throw invalid(`${at}/Bal`, { en: `the ${code} balance is in ${b.currency}, the account in ${currency}`, zh: `${code} 余额的币种为 ${b.currency}，账户币种为 ${currency}` });
  return {
    format: 'camt053',
    identity: `camt053:${account ?? '-'}:${statementId}`,
    statementId,
    account,
    currency,
    openingBalanceMinor: balances.get('OPBD')?.minor ?? null,
    closingBalanceMinor: balances.get('CLBD')?.minor ?? null,
    closingDate: balances.get('CLBD')?.date ?? lines.at(-1)?.bookingDate ?? null,
    sha256: sha256(bytes),
    lines,
  };
}

// --- CSV --------------------------------------------------------------------------------------

export function parseStatementCsv(bytes: Buffer, mapping: StatementCsvMapping, encoding: 'utf-8' | 'gb18030'): ParsedStatement {
  const text = decodeText(bytes, encoding);
  let rows: string[][];
  try {
    rows = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true, max_record_size: 64 * 1024 }) as string[][];
  } catch (err) {
    throw invalid('/body', { en: `not a CSV file: ${(err as Error).message.slice(0, 200)}`, zh: `不是 CSV 文件：${(err as Error).message.slice(0, 200)}` });
  }
  const [header, ...records] = rows;
  if (!header) throw invalid('/body', { en: 'the file is empty', zh: '文件为空' });
  if (records.length > MAX_STATEMENT_LINES) throw invalid('/body', { en: `at most ${MAX_STATEMENT_LINES} lines per statement`, zh: `每份对账单最多 ${MAX_STATEMENT_LINES} 行` });
  const column = (name: string, field: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw invalid(`/querystring/${field}`, { en: `the file has no column "${name}" (its columns: ${header.join(', ').slice(0, 300)})`, zh: `文件没有“${name}”列（其列为：${header.join('、').slice(0, 300)}）` });
    return index;
  };
  const date = column(mapping.date, 'date');
  const credit = column(mapping.credit, 'credit');
  const debit = column(mapping.debit, 'debit');
  const reference = column(mapping.bankReference, 'bankReference');
  const remittance = mapping.remittance.split('|').map((name) => column(name, 'remittance'));
  const balance = header.indexOf(mapping.balance);
  const { currency } = mapping;
  const amount = (value: string | undefined, where: string) => (value ? toMinorUnits(value.replace(/,/g, ''), currency, where) : 0);

  let opening: number | null = null;
  let closing: number | null = null;
  const lines = records.map((row, i): ParsedLine => {
    const where = `/body/line ${i + 2}`;
    const inMinor = amount(row[credit], `${where}/${mapping.credit}`);
    const outMinor = amount(row[debit], `${where}/${mapping.debit}`);
    if ((inMinor > 0) === (outMinor > 0)) throw invalid(where, { en: `a line has either a credit (${mapping.credit}) or a debit (${mapping.debit}), not ${inMinor > 0 ? 'both' : 'neither'}`, zh: `每行只有贷方（${mapping.credit}）或借方（${mapping.debit}）之一，而该行${inMinor > 0 ? '两者都有' : '两者都没有'}` });
    if (balance >= 0 && row[balance]) {
      const raw = row[balance]!.replace(/,/g, '');
      const minor = raw.startsWith('-') ? -toMinorUnits(raw.slice(1), currency, `${where}/${mapping.balance}`) : toMinorUnits(raw, currency, `${where}/${mapping.balance}`);
      // The balance after the first line, less what it moved: the balance before the statement.
      if (i === 0) opening = minor - inMinor + outMinor;
      closing = minor;
    }
    return {
      bankReference: bankReferenceOf(row[reference] ?? '', `${where}/${mapping.bankReference}`),
      direction: inMinor > 0 ? 'credit' : 'debit',
      amountMinor: inMinor || outMinor,
      currency,
      bookingDate: isoDate(row[date] ?? '', `${where}/${mapping.date}`),
      remittance: cleanText(remittance.map((c) => row[c] ?? '').join(' '), `${where}/${mapping.remittance}`, MAX_REMITTANCE),
      batch: false,
    };
  });
  assertReferencesDistinct(lines, (i) => `/body/line ${i + 2}`);
  const digest = sha256(bytes);
  return {
    format: 'csv',
    identity: `csv:${digest}`,
    statementId: digest,
    account: mapping.account ?? null,
    currency,
    openingBalanceMinor: opening,
    closingBalanceMinor: closing,
    closingDate: lines.reduce<string | null>((last, l) => (l.bookingDate && (!last || l.bookingDate > last) ? l.bookingDate : last), null),
    sha256: digest,
    lines,
  };
}

/**
 * The payment references quoted in a remittance text, each in its one spelling: typed in any case,
 * with spaces or hyphens or none, anywhere in the text. Only well-formed references with the right
 * check digits count, so a word that happens to start with DX is not one.
 */
export function referencesIn(text: string, normalise: (typed: string) => string | null): string[] {
  const compact = text.toUpperCase().replace(/[\s\-_.]/g, '');
  const found = new Set<string>();
  for (const match of compact.matchAll(/(?=(DX[0-9A-Z]{10}))/g)) {
    const reference = normalise(match[1]!);
    if (reference) found.add(reference);
  }
  return [...found];
}
