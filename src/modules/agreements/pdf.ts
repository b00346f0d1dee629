import PDFDocument from 'pdfkit';
import type { AgreementFont } from './font.js';
import { dayInShanghai, type Bilingual, type FilledClause } from './model-text.js';
import type { AgreementPartyRecord, DataListItem } from './tables.js';


/**
 * The agreement as a PDF, drawn from the record alone: A4, the CJK font embedded as a subset, title,
 * number, parties, clauses, the data list as a table, signature blocks, and a footer with the page
 * numbers and the agreement number on every page. Deterministic: the dates and the document id in
 * the file come from the record, so the same record gives the same bytes, and the SHA-256 of those
 * bytes names the content the parties sign.
 */

/**
 * A signature as the sealed copy shows it. Both parties, the bureau and anyone they show the file to
 * read it, so it names the party that signed, not the person: which of a party's people signed, and
 * from where, stays on the exchange's record and in the audit event the receipt names.
 */
export interface SignatureRecord {
  partyName: string;
  label: Bilingual;
  signedAt: Date;
  contentSha256: string;
  auditEventId: string;
}

export interface AgreementDocument {
  number: string;
  revision: number;
  title: Bilingual;
  basis: Bilingual;
  modelText: { kind: string; version: number; sha256: string };
  parties: AgreementPartyRecord[];
  clauses: FilledClause[];
  dataList: DataListItem[];
  /** When the record was drafted: the file's creation date. */
  createdAt: Date;
}

/** What the sealed copy adds: the signature page, and the hooks to place the seal before the file closes. */
export interface FinalPage {
  signatures: SignatureRecord[];
  sealedAt: Date;
  contentSha256: string;
  beforeEnd: (doc: PDFKit.PDFDocument) => void;
}

const A4_MARGINS = { top: 56, bottom: 64, left: 62, right: 62 };
const BODY = 9.5;
const SMALL = 8;
const GREY = '#555555';
const timeText = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** Clauses after which the data table is drawn. */
const TABLE_AFTER = new Set(['data-list', 'subject']);

export function renderAgreementPdf(font: AgreementFont, record: AgreementDocument, final?: FinalPage): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: A4_MARGINS,
    bufferPages: true,
    autoFirstPage: true,
    // The file id is derived from the info dictionary: the number and revision make it the document's own.
    info: {
      Title: `${record.number} ${record.title.zh} / ${record.title.en}`,
      Subject: `${record.number} revision ${record.revision}${final ? ' sealed' : ''}`,
      Author: 'Data exchange',
      Creator: 'data-exchange agreements',
      Producer: 'data-exchange agreements (pdfkit)',
      Keywords: `model-text ${record.modelText.kind} v${record.modelText.version} ${record.modelText.sha256}`,
      CreationDate: final ? final.sealedAt : record.createdAt,
      ModDate: final ? final.sealedAt : record.createdAt,
    },
    lang: 'zh-CN',
    // The CJK font from the start: pdfkit's default (Helvetica) would be read from its metrics file
    // for every document, to be used by none. pdfkit 0.20 takes a fontkit font where its types say a file.
    font: font as unknown as string,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - A4_MARGINS.left - A4_MARGINS.right;

  doc.fontSize(18).text(record.title.zh, { align: 'center' });
  doc.fontSize(13).text(record.title.en, { align: 'center' });
  doc.moveDown(0.5);
  doc.fontSize(BODY).text(`协议编号 Agreement No.: ${record.number}`, { align: 'center' });
  doc.fontSize(SMALL).fillColor(GREY);
  doc.text(`${record.basis.zh}\n${record.basis.en}`, { align: 'center' });
  doc.text(`示范文本 Model text: ${record.modelText.kind} v${record.modelText.version} · SHA-256 ${record.modelText.sha256}`, { align: 'center' });
  doc.text(`拟定日期 Drafted: ${dayInShanghai(record.createdAt)} · 版次 Revision ${record.revision}`, { align: 'center' });
  doc.fillColor('black').moveDown(1);

  for (const clause of record.clauses) {
    doc.fontSize(11).text(`${clause.heading.zh}  ${clause.heading.en}`, { width });
    doc.moveDown(0.1);
    doc.fontSize(BODY).text(clause.body.zh, { width, lineGap: 1.5 });
    doc.moveDown(0.1);
    doc.fontSize(8.5).fillColor(GREY).text(clause.body.en, { width });
    doc.fillColor('black').moveDown(0.5);
    if (TABLE_AFTER.has(clause.id)) drawDataTable(doc, record.dataList, width);
  }

  drawSignatureBlocks(doc, record.parties.filter((p) => p.signs), width);
  if (final) drawSignaturePage(doc, record, final, width);

  // Footers last, once the page count is known; the bottom margin is lifted so the footer does not start a page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(SMALL).fillColor(GREY);
    doc.text(`${record.number} · 第 ${i + 1} 页 / 共 ${range.count} 页 · Page ${i + 1} of ${range.count}`, A4_MARGINS.left, doc.page.height - 40, {
      width,
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor('black');
  doc.switchToPage(range.start + range.count - 1);
  final?.beforeEnd(doc);
  doc.end();
  return done;
}

const columns = [
  { title: '序号\nNo.', width: 0.07, cell: (_d: DataListItem, i: number) => String(i + 1) },
  { title: '数据名称\nData', width: 0.24, cell: (d: DataListItem) => d.name },
  { title: '说明\nDescription', width: 0.3, cell: (d: DataListItem) => d.description },
  { title: '格式\nFormat', width: 0.13, cell: (d: DataListItem) => d.format },
  { title: '校验值\nSHA-256', width: 0.26, cell: (d: DataListItem) => d.sha256 ?? '—' },
];

function drawDataTable(doc: PDFKit.PDFDocument, items: DataListItem[], width: number) {
  const pad = 3;
  const x0 = A4_MARGINS.left;
  const row = (cells: string[], size: number) => {
    doc.fontSize(size);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: columns[i]!.width * width - 2 * pad }));
    const h = Math.max(...heights) + 2 * pad;
    if (doc.y + h > doc.page.height - A4_MARGINS.bottom) doc.addPage();
    const y = doc.y;
    let x = x0;
    cells.forEach((c, i) => {
      const w = columns[i]!.width * width;
      doc.rect(x, y, w, h).lineWidth(0.5).stroke('#888888');
      doc.text(c, x + pad, y + pad, { width: w - 2 * pad });
      x += w;
    });
    doc.x = x0;
    doc.y = y + h;
  };
  row(columns.map((c) => c.title), SMALL);
  if (items.length === 0) row(['—', '—', '—', '—', '—'], SMALL);
  items.forEach((item, i) => row(columns.map((c) => c.cell(item, i)), SMALL));
  doc.moveDown(1);
}

function drawSignatureBlocks(doc: PDFKit.PDFDocument, signers: AgreementPartyRecord[], width: number) {
  const blockHeight = 70;
  if (doc.y + blockHeight > doc.page.height - A4_MARGINS.bottom) doc.addPage();
  const y = doc.y + 6;
  const w = width / signers.length;
  signers.forEach((p, i) => {
    const x = A4_MARGINS.left + i * w;
    doc.fontSize(BODY).text(`${p.label.zh}（签署）${p.label.en}`, x, y, { width: w - 10 });
    doc.text(p.name, { width: w - 10 });
    doc.fontSize(9).text('授权代表 Authorised signatory: __________', { width: w - 10 });
    doc.text('日期 Date: __________', { width: w - 10 });
  });
  doc.x = A4_MARGINS.left;
  doc.y = y + blockHeight;
}

/** The sealed copy's last page: each signature's details, then the exchange's seal statement. */
function drawSignaturePage(doc: PDFKit.PDFDocument, record: AgreementDocument, final: FinalPage, width: number) {
  doc.addPage();
  doc.fontSize(14).text('签署记录 Signature record', { align: 'center' });
  doc.moveDown(0.5);
  doc.fontSize(9).fillColor(GREY).text(`签署内容 SHA-256 of the content signed: ${final.contentSha256}`, { width });
  doc.fillColor('black').moveDown(0.8);
  for (const s of final.signatures) {
    doc.fontSize(BODY).text(`${s.label.zh} ${s.label.en}: ${s.partyName}`, { width });
    doc.fontSize(9);
    doc.text('签署人 Signed by: 该方授权管理员，以本人密码确认 an administrator authorised by the party, confirmed with their password', { width });
    doc.text(`时间 At: ${timeText(s.signedAt)}`, { width });
    doc.text(`签署内容 Over content SHA-256: ${s.contentSha256}`, { width });
    doc.text(`审计回执 Audit receipt: event ${s.auditEventId}`, { width });
    doc.moveDown(0.8);
  }
  doc.fontSize(BODY).text('交易所电子签章 Seal of the exchange', { width });
  doc.fontSize(9).text(
    `双方签署完毕后，交易所于 ${timeText(final.sealedAt)} 对本文件加盖数字签章；任何修改都会使签章失效。可在交易所验证本协议（编号 ${record.number}）。\nThe exchange sealed this file with a digital signature at ${timeText(final.sealedAt)} once both parties had signed; any change to the file invalidates the seal. Anyone can verify agreement ${record.number} with the exchange.`,
    { width },
  );
}
