import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { IdParams, Page, PageQuery, problemResponses } from '../../lib/http.js';
import { auditActorOf } from '../../plugins/auth.js';
import { registerUploadRoutes, uploadOf } from '../../plugins/uploads.js';
import { dismissLine, importStatement, listLines, listStatements, reconcileStatement, resolveLine, statementWithLines } from './bank-statements.js';
import { StatusFilter } from './schema.js';
import { defaultCsvMapping, parseCamt053, parseStatementCsv } from './statement-parsing.js';
import {
  DismissLineBody,
  LineParams,
  ResolutionView,
  ResolveLineBody,
  StatementDetailView,
  StatementImportView,
  StatementLineView,
  StatementReconciliationView,
  StatementUploadQuery,
  StatementView,
  lineView,
  statementView,
} from './statement-schema.js';
import { lineStatuses } from './statement-tables.js';

const tags = ['settlement'];
const operators = ['operator'] as const;
/** A day's statement of a busy account is some hundreds of kilobytes; MAX_STATEMENT_LINES bounds it too. */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
const xmlTypes = ['application/xml', 'text/xml'];
const csvTypes = ['text/csv'];

async function readWhole(body: NodeJS.ReadableStream, declared: number | undefined): Promise<Buffer> {
  const tooLarge = () => new AppError('payload-too-large', { en: `a statement is at most ${MAX_STATEMENT_BYTES} bytes`, zh: `对账单最大为 ${MAX_STATEMENT_BYTES} 字节` });
  if (declared !== undefined && declared > MAX_STATEMENT_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_STATEMENT_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Statements of the exchange's bank account, matched to payments by their references (bank-statements.ts). */
const bankStatementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.settlement.context;

  await registerUploadRoutes(app, async (raw) => {
    raw.withTypeProvider<TypeBoxTypeProvider>().post('/settlement/bank-statements', {
      config: { auth: operators, access: 'none', upload: { mediaTypes: [...xmlTypes, ...csvTypes], description: 'The statement as the bank sent it: camt.053 XML (application/xml) or a CSV export (text/csv)' } },
      schema: {
        tags,
        summary: "Import a statement of the exchange's bank account: each credit quoting a payment's reference is posted to it",
        description:
          'camt.053 (ISO 20022 BankToCustomerStatement, one Stmt per file) or a CSV export whose columns the query names (defaults: ' +
          Object.entries(defaultCsvMapping).map(([k, v]) => `${k}=${v}`).join(', ') +
          '). A statement is imported once (camt.053: account and Stmt/Id; CSV: the file\'s SHA-256) and each line once (the bank\'s reference): importing again answers 200 with every line known and changes nothing. Lines that cannot be matched wait for an operator (GET /settlement/bank-statement-lines?status=unmatched).',
        querystring: StatementUploadQuery,
        response: { 201: StatementImportView, 200: StatementImportView, ...problemResponses(400, 413, 415, 422) },
      },
    }, async (request, reply) => {
      const upload = uploadOf(request);
      const isXml = xmlTypes.includes(upload.mediaType);
      if (!isXml && !csvTypes.includes(upload.mediaType)) throw new AppError('unsupported-media-type', { en: 'send camt.053 as application/xml or a CSV export as text/csv', zh: '请以 application/xml 发送 camt.053，或以 text/csv 发送 CSV 导出文件' });
      const bytes = await readWhole(upload.body, upload.declaredBytes);
      const { encoding, ...columns } = request.query;
      const given = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
      const parsed = isXml ? parseCamt053(bytes) : parseStatementCsv(bytes, { ...defaultCsvMapping, ...given }, encoding ?? 'utf-8');
      const outcome = await importStatement(ctx, app.db, auditActorOf(request), parsed);
      return reply.code(outcome.created ? 201 : 200).send({ created: outcome.created, statement: statementView(outcome.statement), lines: outcome.lines.map((l) => ({ ...lineView(l), known: l.known })) });
    });
  });

  app.get('/settlement/bank-statements', {
    config: { auth: operators, access: 'none' },
    schema: { tags, summary: 'Imported bank statements, newest first', querystring: Type.Object(PageQuery, { additionalProperties: false }), response: { 200: Page(StatementView), ...problemResponses(400) } },
  }, async (request) => {
    const page = await listStatements(app.db, request.query);
    return { ...page, items: page.items.map(statementView) };
  });

  app.get('/settlement/bank-statement-lines', {
    config: { auth: operators, access: 'none' },
    schema: {
      tags,
      summary: 'Lines of every statement by status (unmatched: waiting for an operator to name the payment or dismiss them), newest first',
      querystring: Type.Object({ ...PageQuery, status: StatusFilter(lineStatuses) }, { additionalProperties: false }),
      response: { 200: Page(StatementLineView), ...problemResponses(400) },
    },
  }, async (request) => {
    const page = await listLines(app.db, request.query);
    return { ...page, items: page.items.map(lineView) };
  });

  app.get('/settlement/bank-statements/:id', {
    config: { auth: operators, access: { resource: 'bank-statement', staff: operators } },
    schema: { tags, summary: 'A statement with its lines, in order', params: IdParams, response: { 200: StatementDetailView, ...problemResponses(400, 404) } },
  }, async (request) => {
    const { statement, lines } = await statementWithLines(app.db, request.params.id);
    return { ...statementView(statement), lines: lines.map(lineView) };
  });

  app.get('/settlement/bank-statements/:id/reconciliation', {
    config: { auth: operators, access: { resource: 'bank-statement', staff: operators } },
    schema: {
      tags,
      summary: "The statement's closing balance compared with the ledger's bank clearing account, and what is still unmatched",
      params: IdParams,
      response: { 200: StatementReconciliationView, ...problemResponses(400, 404) },
    },
  }, async (request) => reconcileStatement(app.db, request.params.id));

  app.post('/settlement/bank-statements/:id/lines/:lineId/resolution', {
    config: { auth: operators, access: { resource: 'bank-statement', staff: operators } },
    schema: {
      tags,
      summary: 'Name the payment an unmatched credit line pays: it is posted to it as a bank receipt',
      description: 'As a receipt: a partial payment leaves the rest outstanding, an over-payment is refunded.',
      params: LineParams,
      body: ResolveLineBody,
      response: { 200: ResolutionView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request) => {
    const { line, receipt } = await resolveLine(ctx, app.db, auditActorOf(request), request.params.id, request.params.lineId, request.body.reference);
    return { line: lineView(line), receipt };
  });

  app.post('/settlement/bank-statements/:id/lines/:lineId/dismissal', {
    config: { auth: operators, access: { resource: 'bank-statement', staff: operators } },
    schema: {
      tags,
      summary: 'Dismiss an unmatched line with the reason (a bank fee, a payout recorded elsewhere, money sent back by hand)',
      params: LineParams,
      body: DismissLineBody,
      response: { 200: StatementLineView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => lineView(await dismissLine(app.db, auditActorOf(request), request.params.id, request.params.lineId, request.body.reason)));
};

export default bankStatementRoutes;
