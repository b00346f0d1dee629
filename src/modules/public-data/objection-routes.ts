import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { FileBytes, sendStoredFile, spanOf } from '../../lib/byte-range.js';
import { IdParams, Page, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { registerUploadRoutes, uploadOf } from '../../plugins/uploads.js';
import { UploadQuery } from '../catalog/schema.js';
import { callerOf, type PublicDataContext } from './context.js';
import { EntryObjectionsView, EvidenceFileView, ObjectionAnswerBody, ObjectionBody, ObjectionListQuery, ObjectionView, SettingsBody, SettingsView } from './objection-schema.js';
import { ReceivedCursor, entryObjections, evidenceFileOf, evidenceFileView, listObjections, objectionView, objectionWithEvidence, uploadEvidenceFile } from './objection-views.js';
import { answerObjection, findObjectionFor, raiseObjection, recomputeObjectionDeadlines } from './objections.js';
import { changeSetting, readSettings } from './settings.js';

const tags = ['public-data'];
/** An objection is reached by the party that raised it and the department it is addressed to; the bureau reads every one. */
const objectionAccess = { resource: 'public-data-objection', staff: ['bureau'] } as const;

/** Art. 22: quality objections to published entries, the department's answers, the bureau's deadline. */
const objectionRoutes: FastifyPluginAsyncTypebox<{ ctx: PublicDataContext }> = async (app, { ctx }) => {
  // A calendar load recomputes the deadlines of objections still awaiting their answer.
  app.calendar.deadlineHolders.register({ name: 'publicdata.objections', recompute: recomputeObjectionDeadlines });

  await registerUploadRoutes(app, async (raw) => {
    raw.withTypeProvider<TypeBoxTypeProvider>().post('/public-data/objection-evidence', {
      config: { auth: 'authenticated', access: 'none', upload: { mediaTypes: ['*/*'], description: 'The evidence file’s bytes, with its media type in Content-Type' } },
      schema: {
        tags,
        summary: 'Upload a file of evidence for an objection you are about to raise (your party must be verified); name it in evidenceFileId',
        description: `At most ${ctx.config.catalogDatasetMaxBytes} bytes.`,
        querystring: UploadQuery,
        response: { 201: EvidenceFileView, ...problemResponses(400, 403, 404) },
      },
    }, async (request, reply) => {
      const file = await uploadEvidenceFile(ctx, callerOf(request), { ...uploadOf(request), filename: request.query.filename });
      return reply.code(201).send(evidenceFileView(file));
    });
  });

  app.post('/public-data/objections', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Raise a doubt about, or report an error in, a published entry (Art. 22); your party must be verified',
      description: 'The department answers within the working days the bureau sets, counted from the day after receipt on the stored calendar.',
      body: ObjectionBody,
      response: { 201: ObjectionView, ...problemResponses(400, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    const objection = await raiseObjection(ctx.db, caller, request.body);
    return reply.code(201).send(await objectionWithEvidence(ctx.db, objection));
  });

  app.get('/public-data/objections', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Objections: those your party raised; a department those on its entries; the bureau every one. overdue=true: unanswered past the deadline',
      querystring: ObjectionListQuery,
      response: { 200: Page(ObjectionView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    const rows = await listObjections(ctx.db, callerOf(request), { ...filters, after: decodeCursor(cursor, ReceivedCursor), limit: limit + 1 });
    return pageOf(rows, limit, (o) => objectionView(o, undefined), (o) => ({ receivedAt: o.receivedAt.toISOString(), id: o.id }));
  });

  app.get('/public-data/objections/:id', {
    config: { auth: 'authenticated', access: objectionAccess },
    schema: { tags, summary: 'An objection and its answer, for the party that raised it, the department and the bureau', params: IdParams, response: { 200: ObjectionView, ...problemResponses(400, 404) } },
  }, async (request) => objectionWithEvidence(ctx.db, await findObjectionFor(ctx.db, callerOf(request), request.params.id)));

  app.get('/public-data/objections/:id/evidence', {
    config: { auth: 'authenticated', access: objectionAccess },
    schema: { tags, summary: "The objection's evidence file", params: IdParams, response: { 200: FileBytes('The evidence file'), ...problemResponses(400, 404) } },
  }, async (request, reply) =>
    sendStoredFile(reply as unknown as FastifyReply, async () => {
      const file = await evidenceFileOf(ctx.db, callerOf(request), request.params.id);
      return { file, range: undefined, body: await ctx.blobs.open(file.sha256, spanOf(file, undefined)) };
    }));

  app.post('/public-data/objections/:id/answer', {
    config: { auth: ['department'], access: { resource: 'public-data-objection' } },
    schema: {
      tags,
      summary: 'The department answers an objection: confirmed (then upload the corrected version with ?objection=) or rejected with reasons',
      params: IdParams,
      body: ObjectionAnswerBody,
      response: { 200: ObjectionView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => objectionWithEvidence(ctx.db, await answerObjection(ctx.db, callerOf(request), request.params.id, request.body)));

  app.get('/public-data/entries/:id/objections', {
    config: { auth: 'authenticated', access: { resource: 'public-data-entry', staff: ['bureau'], onSale: true } },
    schema: {
      tags,
      summary: "An entry's objections not closed yet: how many and what they say (never who raised them), for anyone who can read the entry",
      params: IdParams,
      response: { 200: EntryObjectionsView, ...problemResponses(400, 404) },
    },
  }, async (request) => entryObjections(ctx.db, callerOf(request), request.params.id));

  app.get('/public-data/settings', {
    config: { auth: 'authenticated', access: 'none' },
    schema: { tags, summary: "The bureau's public-data settings", response: { 200: SettingsView } },
  }, async () => readSettings(ctx.db));

  app.put('/public-data/settings', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: "The bureau sets the working days a department has to answer an objection (Art. 22); objections received from then on follow it",
      body: SettingsBody,
      response: { 200: SettingsView, ...problemResponses(400) },
    },
  }, async (request) => {
    await changeSetting(ctx.db, callerOf(request), 'objection_answer_working_days', request.body.objectionAnswerWorkingDays);
    return readSettings(ctx.db);
  });
};

export default objectionRoutes;
