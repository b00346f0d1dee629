import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { callerOf, isBureau } from './context.js';
import { answerRequest, extendRequestDeadline } from './request-answer.js';
import { dueRequests, provisionalRequests, requestDeadlineHolder } from './request-deadlines.js';
import { ReceivedCursor, listRequests, readRequest, requestView } from './request-reads.js';
import { submitOpenRequest, submitSharingRequest } from './request-receipt.js';
import { AnswerBody, DueListView, ExtensionBody, OpenRequestBody, RequestListQuery, RequestView, SharingRequestBody } from './request-schema.js';

const tags = ['public-data'];
/** A request is its two sides' (the applicant, the department) and the bureau's; nobody else's. */
const requestAccess = { resource: 'public-data-request', staff: ['bureau'] } as const;
const departmentOnly = { resource: 'public-data-request' } as const;

/**
 * Conditional-open requests (Art. 18 ¶2, Art. 19) and sharing between departments (Art. 15, 16):
 * receipt with a working-day deadline, one extension, the answer, reads and supervision.
 */
const publicDataRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.calendar.deadlineHolders.register(requestDeadlineHolder());

  app.post('/public-data/requests', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Apply to a department for its conditionally open entries (Art. 18 ¶2): answered within 10 working days',
      description:
        'The acting party must be verified. The entries are published, conditional and of one department; not-open data answers data-not-open (Art. 17), ' +
        'unconditionally open data entry-not-conditional. The deadline is counted once, now, on the stored calendar.',
      body: OpenRequestBody,
      response: { 201: RequestView, ...problemResponses(400, 404, 422) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    return reply.code(201).send(requestView(await submitOpenRequest(app.db, caller, request.body), caller));
  });

  app.post('/public-data/sharing-requests', {
    config: { auth: ['department'], access: 'none' },
    schema: {
      tags,
      summary: 'Ask another department for its entries (Art. 16): unconditional sharing granted at once, conditional answered within 5 working days',
      description: 'Not-shared data answers data-not-shared with the entry’s legal basis (Art. 15 ¶2); a department’s own entries own-department-data.',
      body: SharingRequestBody,
      response: { 201: RequestView, ...problemResponses(400, 404, 422) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    return reply.code(201).send(requestView(await submitSharingRequest(app.db, caller, request.body), caller));
  });

  app.get('/public-data/requests', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'The requests your party made or received (the bureau: all), latest first',
      querystring: Type.Object({ ...PageQuery, ...RequestListQuery.properties }, { additionalProperties: false }),
      response: { 200: Page(RequestView), ...problemResponses(400) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    const { limit, cursor, ...filters } = request.query;
    const rows = await listRequests(app.db, caller, { ...filters, after: decodeCursor(cursor, ReceivedCursor), limit: limit + 1 });
    return pageOf(rows, limit, (r) => requestView(r, caller), (r) => ({ receivedAt: r.receivedAt.toISOString(), id: r.id }));
  });

  app.get('/public-data/requests/:id', {
    config: { auth: 'authenticated', access: requestAccess },
    schema: { tags, summary: 'A request: its state, next steps, deadline, extension, answer and agreement', params: IdParams, response: { 200: RequestView, ...problemResponses(400, 404) } },
  }, async (request) => {
    const caller = callerOf(request);
    return requestView(await readRequest(app.db, caller, request.params.id), caller);
  });

  app.post('/public-data/requests/:id/extension', {
    config: { auth: ['department'], access: departmentOnly },
    schema: {
      tags,
      summary: 'Extend the deadline once, before it passes, on the head’s approval (Art. 16 ¶2: ≤ 5, Art. 18 ¶2: ≤ 10 working days)',
      description: 'A second extension answers already-extended, one after the deadline deadline-passed, a longer one extension-too-long.',
      params: IdParams,
      body: ExtensionBody,
      response: { 200: RequestView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    return requestView(await extendRequestDeadline(app.db, caller, request.params.id, request.body), caller);
  });

  app.post('/public-data/requests/:id/answer', {
    config: { auth: ['department'], access: departmentOnly },
    schema: {
      tags,
      summary: 'Approve or refuse a request; approving an open request drafts the utilization agreement (Art. 19) for both sides to sign',
      description: 'A refusal without reasons and legal basis answers refusal-grounds-required. Of two answers at once one wins; the other answers 409.',
      params: IdParams,
      body: AnswerBody,
      response: { 200: RequestView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    return requestView(await answerRequest(app.db, app.agreements, caller, request.params.id, request.body), caller);
  });

  app.get('/public-data/request-deadlines', {
    config: { auth: ['department', 'bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'Supervision: unanswered requests due within two working days and overdue, per department (a department: its own; the bureau: all)',
      response: { 200: DueListView, ...problemResponses(400) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    if (!isBureau(caller) && !caller.actor.partyId) return { items: [] };
    const lists = await dueRequests(app.db, isBureau(caller) ? undefined : caller.actor.partyId!);
    return { items: lists.map((l) => ({ departmentPartyId: l.departmentPartyId, dueSoon: l.dueSoon.map((r) => requestView(r, caller)), overdue: l.overdue.map((r) => requestView(r, caller)) })) };
  });

  app.get('/public-data/request-deadlines/provisional', {
    config: { auth: ['bureau'], access: 'none' },
    schema: {
      tags,
      summary: 'The bureau’s list: unanswered requests whose deadline counts on a year not loaded yet (provisional), earliest first',
      response: { 200: Type.Object({ items: Type.Array(RequestView) }), ...problemResponses(400) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    return { items: (await provisionalRequests(app.db)).map((r) => requestView(r, caller)) };
  });
};

export default publicDataRequestRoutes;
