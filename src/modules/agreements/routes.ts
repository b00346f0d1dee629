import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, StringEnum, TimeAndIdCursor, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import type { Role } from '../accounts/tables.js';
import { callerOf, isStaff, viewerOfCaller } from './context.js';
import { amendAgreement } from './drafting.js';
import type { Agreements } from './index.js';
import { agreementKinds } from './model-text.js';
import { certifyDisposal, terminateAgreement } from './lifecycle.js';
import { agreementSummaryView, agreementView, findAgreementFor, listAgreements } from './queries.js';
import { AgreementSummaryView, AgreementView, AmendBody, DisposalBody, SignBody, TerminateBody } from './schema.js';
import { signAgreement } from './signing.js';
import { agreementStatuses } from './tables.js';
import agreementOfficeRoutes from './office-routes.js';

const tags = ['agreements'];
/** Who signs for a party: members of the parties to agreements, in whichever role they trade. */
const partyRoles: readonly Role[] = ['provider', 'buyer', 'department', 'bureau'];
const UpdatedCursor = TimeAndIdCursor('updatedAt');
const pdfResponse = { description: 'The agreement as PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };

const agreementsRoutes: FastifyPluginAsyncTypebox<{ agreements: Agreements }> = async (app, { agreements }) => {
  const { ctx } = agreements;
  await app.register(agreementOfficeRoutes, { agreements });

  app.get('/agreements', {
    config: { auth: [...partyRoles, 'operator'], access: 'none' },
    schema: {
      tags,
      summary: "Agreements of the party you act for (operators and the bureau: every party's, or one party's), most recently changed first",
      querystring: Type.Object(
        { ...PageQuery, status: Type.Optional(StringEnum(agreementStatuses)), kind: Type.Optional(StringEnum(agreementKinds)), partyId: Type.Optional(Uuid) },
        { additionalProperties: false },
      ),
      response: { 200: Page(AgreementSummaryView), ...problemResponses(400) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    const { limit, cursor, partyId, status, kind } = request.query;
    const party = isStaff(caller) ? partyId : (caller.actor.partyId ?? undefined);
    if (!isStaff(caller) && !party) return { items: [], next: null };
    const rows = await listAgreements(app.db, { partyId: party, status, kind, after: decodeCursor(cursor, UpdatedCursor), limit: limit + 1 });
    return pageOf(rows, limit, agreementSummaryView, (r) => ({ updatedAt: r.updatedAt.toISOString(), id: r.id }));
  });

  app.get('/agreements/:id', {
    config: { auth: [...partyRoles, 'operator'], access: { resource: 'agreement', staff: ['operator', 'bureau'] } },
    schema: {
      tags,
      summary: 'An agreement: its record, clauses, signatures and disposal',
      params: IdParams,
      response: { 200: AgreementView, ...problemResponses(400, 404) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    return agreementView(app.db, await findAgreementFor(app.db, caller, request.params.id), viewerOfCaller(caller));
  });

  app.get('/agreements/:id/pdf', {
    config: { auth: [...partyRoles, 'operator'], access: { resource: 'agreement', staff: ['operator', 'bureau'] } },
    schema: {
      tags,
      summary: 'The agreement as PDF: the sealed copy once both have signed, else the draft to read and sign',
      description: 'The X-Content-SHA256 header is the hash a party signs (the draft) or verifies (the sealed copy).',
      params: IdParams,
      querystring: Type.Object({ copy: StringEnum(['current', 'draft'] as const, { default: 'current' }) }, { additionalProperties: false }),
      response: { 200: pdfResponse as never, ...problemResponses(400, 404) },
    },
  }, async (request, reply) => {
    const row = await findAgreementFor(app.db, callerOf(request), request.params.id);
    const sha256 = request.query.copy === 'current' && row.sealedSha256 ? row.sealedSha256 : row.contentSha256;
    return reply
      .type('application/pdf')
      .header('etag', `"${sha256}"`)
      .header('x-content-sha256', sha256)
      .header('content-disposition', `attachment; filename="${row.number}${sha256 === row.sealedSha256 ? '' : `-r${row.revision}-draft`}.pdf"`)
      .header('x-content-type-options', 'nosniff')
      .send(await ctx.blobs.open(sha256));
  });

  app.patch('/agreements/:id', {
    config: { auth: partyRoles, access: { resource: 'agreement' } },
    schema: {
      tags,
      summary: 'Amend the other terms of a draft nobody has signed yet (an admin of a party to it): a new revision to sign',
      params: IdParams,
      body: AmendBody,
      response: { 200: AgreementView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    const updated = await amendAgreement(app.db, ctx, caller, request.params.id, request.body.specialTerms);
    return agreementView(app.db, updated, viewerOfCaller(caller));
  });

  app.post('/agreements/:id/signatures', {
    config: { auth: partyRoles, access: { resource: 'agreement' } },
    schema: {
      tags,
      summary: 'Sign for the party you act for (its admin), confirming it is you (a step-up token, or your password), over the content hash you read',
      description:
        'Send the contentSha256 of the draft you read (GET /agreements/{id}/pdf?copy=draft answers it in X-Content-SHA256), and either a stepUpToken from POST /auth/step-up ' +
        'in this session (one password check for several signatures) or your password (checked with this signature). The signature’s audit event records which, and when the ' +
        'password was checked. The second signature seals the agreement: the sealed PDF then carries both signatures and the exchange’s digital seal.',
      params: IdParams,
      body: SignBody,
      response: { 201: AgreementView, ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    const { body } = request;
    const proof = 'stepUpToken' in body ? { stepUp: app.stepUpTokens.read(body.stepUpToken) } : { password: body.password };
    await signAgreement(app.db, ctx, caller, request.params.id, { contentSha256: body.contentSha256.toLowerCase(), proof });
    return reply.code(201).send(await agreementView(app.db, await findAgreementFor(app.db, caller, request.params.id), viewerOfCaller(caller)));
  });

  app.post('/agreements/:id/termination', {
    config: { auth: ['operator'], access: { resource: 'agreement', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'End an agreement early, with the reason on record (operators)',
      params: IdParams,
      body: TerminateBody,
      response: { 200: AgreementView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    await terminateAgreement(app.db, caller, request.params.id, request.body.reason);
    return agreementView(app.db, await findAgreementFor(app.db, caller, request.params.id), viewerOfCaller(caller));
  });

  app.post('/agreements/:id/disposal', {
    config: { auth: partyRoles, access: { resource: 'agreement' }, whileSuspended: 'duty' },
    schema: {
      tags,
      summary: 'Certify how the data were disposed of after the agreement ended (the party that received them, Art. 19)',
      description: 'Due within AGREEMENT_DISPOSAL_DAYS of the end; missing certificates are listed for supervision.',
      params: IdParams,
      body: DisposalBody,
      response: { 201: AgreementView, ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    await certifyDisposal(app.db, caller, request.params.id, request.body);
    return reply.code(201).send(await agreementView(app.db, await findAgreementFor(app.db, caller, request.params.id), viewerOfCaller(caller)));
  });
};

export default agreementsRoutes;
