import { createRequire } from 'node:module';
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';
import type { Database } from './database.js';

/**
 * exceljs and its dependencies are some 600 modules, a third of what the service loads: required on
 * the first XLSX export rather than by every process at start.
 */
const require = createRequire(import.meta.url);
let excel: typeof ExcelJS | undefined;
const exceljs = () => (excel ??= require('exceljs') as typeof ExcelJS);

/**
 * Spreadsheet exports (CSV and XLSX) of a table the operators supervise, streamed: the rows come
 * from the database in keyset pages and leave as they come, so the memory an export needs does not
 * grow with the number of rows. Each module describes its own data as an `ExportDataset` (which
 * rows of a period, in which columns); this file only writes them.
 */

/** An instant range, half-open: `from` ≤ t < `to`. */
export interface ExportPeriod {
  from: Date;
  to: Date;
}

/**
 * How a column is written. `amount`: integer minor units (fen), written as decimal yuan (CSV: the
 * exact decimal text; XLSX: a number shown with two decimals, so it sums); `text`: free text, which
 * a CSV reader might take for a formula; the rest as they are.
 */
export type ColumnKind = 'text' | 'code' | 'amount' | 'integer' | 'instant' | 'date';

export interface ExportColumn<Row> {
  /** Chinese first, then English, in one header cell: `订单号 Order number`. */
  header: string;
  kind: ColumnKind;
  value: (row: Row) => string | number | Date | null | undefined;
}

export interface ExportDataset<Row> {
  /** The path segment and the file name's first part: `orders`. */
  name: string;
  /** The worksheet's name (at most 31 characters). */
  sheet: string;
  columns: readonly ExportColumn<Row>[];
  /** The period's rows, page by page, in a stable order (a keyset: no page is read twice). */
  pages: (db: Database, period: ExportPeriod) => AsyncIterable<Row[]>;
}

export const exportFormats = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportMediaTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Rows per database round trip: big enough that round trips do not dominate, small enough to hold. */
export const EXPORT_PAGE_ROWS = 1000;

/** A worksheet holds at most 1,048,576 rows (Excel's limit); the header takes one of them. */
const XLSX_ROWS_PER_SHEET = 1_048_576;
/** Excel's limit on the characters of one cell; a longer text would make the file "need repair". */
const XLSX_CELL_CHARACTERS = 32_767;

/** `1234` fen → `12.34`, in integer arithmetic: money never passes through a float on its way to text. */
export function yuanText(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = BigInt(Math.abs(minor));
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** The file's name: `orders_20260101T000000Z_20260201T000000Z.csv`, ASCII only. */
export function exportFilename(dataset: string, period: ExportPeriod, format: ExportFormat): string {
  const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${dataset}_${stamp(period.from)}_${stamp(period.to)}.${format}`;
}

/** One cell's text for CSV. */
function csvCell(kind: ColumnKind, value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (kind === 'amount') return yuanText(Number(value));
  // OWASP "CSV injection": a spreadsheet runs a cell that starts with = + - @ (or a tab or CR before
  // one) as a formula. Free text from the parties is quoted with an apostrophe; codes and numbers
  // that the service itself writes (a negative amount) are not.
  if (kind === 'text' && typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `'${value}`;
  return String(value);
}

/** One cell's value for XLSX. */
function xlsxCell(kind: ColumnKind, value: string | number | Date | null | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (kind === 'amount') return Number(value) / 100;
  if (typeof value === 'string' && value.length > XLSX_CELL_CHARACTERS) return `${value.slice(0, XLSX_CELL_CHARACTERS - 1)}…`;
  return value;
}

/**
 * The export as a byte stream. It reads the next page only when the client has taken what was
 * written, and stops reading when the client goes away. A failure after the first bytes destroys
 * the stream, so the client sees a broken transfer, never a short file that looks whole.
 */
export function exportStream<Row>(db: Database, dataset: ExportDataset<Row>, period: ExportPeriod, format: ExportFormat, onError: (err: unknown) => void): Readable {
  return format === 'csv' ? csvStream(db, dataset, period, onError) : xlsxStream(db, dataset, period, onError);
}

function csvStream<Row>(db: Database, dataset: ExportDataset<Row>, period: ExportPeriod, onError: (err: unknown) => void): Readable {
  const { columns } = dataset;
  // RFC 4180 (CRLF, quotes doubled) with a byte-order mark, so Excel reads the file as UTF-8. Each
  // page leaves as one chunk rather than a record at a time through a transform stream (a fifth
  // less CPU for the same bytes).
  async function* chunks() {
    yield stringify([columns.map((c) => c.header)], { bom: true, record_delimiter: 'windows' });
    for await (const page of dataset.pages(db, period)) {
      yield stringify(
        page.map((row) => columns.map((c) => csvCell(c.kind, c.value(row)))),
        { record_delimiter: 'windows' },
      );
    }
  }
  const out = Readable.from(chunks(), { objectMode: false });
  out.on('error', (err) => {
    if (!isClientGone(err)) onError(err);
  });
  return out;
}

function xlsxStream<Row>(db: Database, dataset: ExportDataset<Row>, period: ExportPeriod, onError: (err: unknown) => void): Readable {
  const out = new PassThrough();
  // No shared strings: that table is kept in memory until the end, and would grow with the rows.
  const workbook = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  const { columns } = dataset;
  let sheetNumber = 0;
  const addSheet = () => {
    sheetNumber++;
    const sheet = workbook.addWorksheet(sheetNumber === 1 ? dataset.sheet : `${dataset.sheet} (${sheetNumber})`, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c) => ({ width: c.kind === 'text' ? 40 : c.kind === 'instant' ? 26 : 18, style: c.kind === 'amount' ? { numFmt: '#,##0.00' } : {} }));
    sheet.addRow(columns.map((c) => c.header)).commit();
    return sheet;
  };
  void (async () => {
    let sheet = addSheet();
    let rowsInSheet = 1;
    for await (const page of dataset.pages(db, period)) {
      if (out.destroyed) return;
      for (const row of page) {
        if (rowsInSheet === XLSX_ROWS_PER_SHEET) {
          sheet.commit();
          sheet = addSheet();
          rowsInSheet = 1;
        }
        sheet.addRow(columns.map((c) => xlsxCell(c.kind, c.value(row)))).commit();
        rowsInSheet++;
      }
      // exceljs writes without backpressure: wait here until the client has taken what is queued.
      if (out.writableNeedDrain) await drained(out);
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err: unknown) => {
    if (!isClientGone(err)) onError(err);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return out;
}

const drained = (stream: PassThrough) =>
  new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });

const isClientGone = (err: unknown) => (err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';

/**
 * Keyset pages over a period: `read(after, limit)` gives the rows after the position `after`
 * (undefined: from the start), in order; `positionOf` is a row's position.
 */
export async function* keysetPages<Row, Position>(read: (after: Position | undefined, limit: number) => Promise<Row[]>, positionOf: (row: Row) => Position): AsyncGenerator<Row[]> {
  let after: Position | undefined;
  for (;;) {
    const rows = await read(after, EXPORT_PAGE_ROWS);
    if (rows.length > 0) yield rows;
    if (rows.length < EXPORT_PAGE_ROWS) return;
    after = positionOf(rows[rows.length - 1]!);
  }
}
