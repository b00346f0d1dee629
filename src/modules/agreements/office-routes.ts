import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { CursorTime, Page, PageQuery, TimeAndIdCursor, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { registerUploadRoutes, uploadOf } from '../../plugins/uploads.js';
import { callerOf } from './context.js';
import type { Agreements } from './index.js';
import { listMissingDisposals } from './lifecycle.js';
import { parseModelText } from './model-text.js';
import { getModelText, listModelTexts, publishModelText, type ModelTextRow } from './model-texts.js';
import { agreementSummaryView, listBureauInbox, markBureauCopiesRead } from './queries.js';
import { AgreementKindParam, BureauCopyView, MissingDisposalView, ModelTextView, PublishModelTextBody, Sha256, VerificationView } from './schema.js';
import { verifyAgreement } from './verification.js';

const tags = ['agreements'];
const InboxCursor = TimeAndIdCursor('notifiedAt');
const EndedCursor = Type.Object({ endedAt: CursorTime, id: Uuid }, { additionalProperties: false });

const modelTextView = (row: ModelTextRow, withSource: boolean) => ({
  id: row.id,
  kind: row.kind,
  version: row.version,
  sha256: row.sha256,
  title: parseModelText(row.source).title,
  publishedBy: row.publishedBy,
  publishedAt: row.publishedAt.toISOString(),
  ...(withSource ? { source: row.source } : {}),
});

/** The whole upload in memory: a sealed agreement is some tens of kilobytes, and the body limit bounds it. */
async function readWhole(body: NodeJS.ReadableStream, declared: number | undefined, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new AppError('payload-too-large', { en: `a PDF to verify is at most ${maxBytes} bytes`, zh: `待核验的 PDF 最大为 ${maxBytes} 字节` });
  if (declared !== undefined && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The bureau's and the public's side: model texts, verification, the copies to the bureau, supervision of disposal. */
const agreementOfficeRoutes: FastifyPluginAsyncTypebox<{ agreements: Agreements }> = async (app, { agreements }) => {
  const { ctx } = agreements;

  app.get('/agreement-model-texts', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'The published model texts, every version, latest first per kind (Art. 19: the bureau publishes them)',
      querystring: Type.Object({ kind: Type.Optional(AgreementKindParam) }, { additionalProperties: false }),
      response: { 200: Type.Array(ModelTextView), ...problemResponses(400) },
    },
  }, async (request) => (await listModelTexts(app.db, request.query.kind)).map((r) => modelTextView(r, false)));

  app.get('/agreement-model-texts/:kind/:version', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'One version of a model text, with its whole text',
      params: Type.Object({ kind: AgreementKindParam, version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false }),
      response: { 200: ModelTextView, ...problemResponses(400, 404) },
    },
  }, async (request) => modelTextView(await getModelText(app.db, request.params.kind, request.params.version), true));

  app.post('/agreement-model-texts', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'Publish the next version of a model text (the bureau); new agreements use it, existing ones keep theirs',
      description: 'Checked as at start-up: every placeholder known, every clause the articles require present in Chinese and English.',
      body: PublishModelTextBody,
      response: { 201: ModelTextView, ...problemResponses(400, 409, 422) },
    },
  }, async (request, reply) => reply.code(201).send(modelTextView(await publishModelText(app.db, callerOf(request).audit, request.body.text), true)));

  await registerUploadRoutes(app, async (raw) => {
    raw.withTypeProvider<TypeBoxTypeProvider>().post('/agreement-verifications', {
      config: { auth: 'public', access: 'none', upload: { mediaTypes: ['application/pdf', 'application/octet-stream'], description: 'The PDF to check, as it was received' } },
      schema: {
        tags,
        summary: 'Is this PDF a genuine agreement of the exchange? (anyone; raw PDF body)',
        description: `At most ${app.config.bodyLimitBytes} bytes (BODY_LIMIT_BYTES). Answers which agreement, its model-text version, whether it is in force, the receipts of its signing, and whether its seal verifies over the whole file.`,
        response: { 200: VerificationView, ...problemResponses(400) },
      },
    }, async (request) => {
      const upload = uploadOf(request);
      return verifyAgreement(app.db, ctx, { pdf: await readWhole(upload.body, upload.declaredBytes, app.config.bodyLimitBytes) });
    });
  });

  app.get('/agreement-verifications/:sha256', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'Is the PDF with this SHA-256 a genuine agreement of the exchange? (anyone)',
      params: Type.Object({ sha256: Sha256 }, { additionalProperties: false }),
      response: { 200: VerificationView, ...problemResponses(400) },
    },
  }, async (request) => verifyAgreement(app.db, ctx, { sha256: request.params.sha256 }));

  app.get('/bureau/agreement-inbox', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'Copies of signed government data utilization agreements (Art. 19 ¶1: 抄送), newest first',
      querystring: Type.Object({ ...PageQuery, unread: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: Page(BureauCopyView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, unread } = request.query;
    const rows = await listBureauInbox(app.db, { unreadOnly: unread === true, after: decodeCursor(cursor, InboxCursor), limit: limit + 1 });
    return pageOf(
      rows,
      limit,
      ({ copy, agreement }) => ({ id: copy.id, notifiedAt: copy.notifiedAt.toISOString(), readAt: copy.readAt?.toISOString() ?? null, agreement: agreementSummaryView(agreement), sourceReference: agreement.sourceReference }),
      ({ copy }) => ({ notifiedAt: copy.notifiedAt.toISOString(), id: copy.id }),
    );
  });

  app.post('/bureau/agreement-inbox/read', {
    config: { auth: ['bureau'], access: 'none', whileSuspended: 'notifications' },
    schema: {
      tags,
      summary: 'Mark copies in the inbox as read',
      body: Type.Object({ ids: Type.Array(Uuid, { minItems: 1, maxItems: 200, uniqueItems: true }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ marked: Type.Integer() }, { additionalProperties: false }), ...problemResponses(400) },
    },
  }, async (request) => ({ marked: await markBureauCopiesRead(app.db, request.body.ids) }));

  app.get('/agreement-disposals/missing', {
    config: { auth: ['operator', 'bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'Ended agreements whose disposal of the data is not certified yet, oldest first (supervision, Art. 19)',
      querystring: Type.Object({ ...PageQuery, overdue: Type.Optional(Type.Boolean({ description: 'Only those past the AGREEMENT_DISPOSAL_DAYS deadline' })) }, { additionalProperties: false }),
      response: { 200: Page(MissingDisposalView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, overdue } = request.query;
    const rows = await listMissingDisposals(app.db, ctx.config.agreementDisposalDays, { overdueOnly: overdue === true, after: decodeCursor(cursor, EndedCursor), limit: limit + 1 });
    return pageOf(
      rows,
      limit,
      (r) => ({ agreement: agreementSummaryView(r.agreement), recipientPartyId: r.agreement.recipientPartyId, endedAt: r.endedAt.toISOString(), dueAt: r.dueAt.toISOString(), overdue: r.overdue }),
      (r) => ({ endedAt: r.endedAt.toISOString(), id: r.agreement.id }),
    );
  });
};

export default agreementOfficeRoutes;
