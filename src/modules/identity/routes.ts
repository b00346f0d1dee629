import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { assertCanAccess } from '../../lib/authz.js';
import { IdParams, Page, PageQuery, StringEnum, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { registerUploadRoutes, uploadOf } from '../../plugins/uploads.js';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import { IdentityCipher } from './crypto.js';
import { addPartyDocument, documentMediaTypes, mediaTypeOf, openPartyDocument, type PartyDocument } from './documents.js';
import { memberRoutes } from './member-routes.js';
import { InvalidatedCache } from '../../lib/cache.js';
import { listMemberships, resolveActingParty, type MembershipList } from './members.js';
import {
  ActingPartyView, AppealBody, AppealView, DocumentParams, DocumentQuery, DocumentView, MyPartyView,
  PartySummaryView, PartyView, ReasonBody, RegisterPartyBody, ReviewBody, UpdatePartyBody,
} from './schema.js';
import { PartyCursor, getPartyDetails, listMyParties, listParties } from './queries.js';
import {
  decideVerification, effectiveStatus, registerParty, requireVerifiedParty, revealIdentityNumber, submitForVerification,
  updateParty, type IdentityContext, type Party,
} from './service.js';
import { appealSuspension, setSuspension, suspensionGate, suspensionRefusal, type SuspensionEffects } from './suspension.js';
import { verificationStatuses } from './tables.js';
import { operatorReview, type PartyVerifier } from './verifier.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toSummary = (p: Party) => ({
  id: p.id,
  kind: p.kind,
  legalName: p.legalName,
  representative: p.representative,
  contacts: p.contacts,
  overseas: p.overseas,
  country: p.country,
  identityScheme: p.identityScheme,
  overseasDocumentType: p.overseasDocumentType,
  identityNumberMasked: p.identityNumberMasked,
  verificationStatus: effectiveStatus(p),
  verifiedUntil: iso(p.verifiedUntil),
  createdAt: p.createdAt.toISOString(),
});

const toDocumentView = (d: PartyDocument) => ({ id: d.id, kind: d.kind, sha256: d.sha256, sizeBytes: d.size, mediaType: d.mediaType, createdAt: d.createdAt.toISOString() });
const partyCursor = (p: Party) => ({ createdAt: p.createdAt.toISOString(), id: p.id });

export interface IdentityRoutesOptions {
  /** A registry check; operators review every submission when absent. */
  verifier?: PartyVerifier | undefined;
  /** What other modules do when a party is suspended or reinstated, in that transaction (settlement holds payouts). */
  suspensionEffects?: readonly SuspensionEffects[] | undefined;
}

const identityRoutes: FastifyPluginAsyncTypebox<IdentityRoutesOptions> = async (app, opts) => {
  const ctx: IdentityContext = {
    db: app.db,
    blobs: app.blobs,
    cipher: new IdentityCipher(app.config.identityKey),
    verifier: opts.verifier ?? operatorReview,
    verificationMonths: app.config.identityVerificationMonths,
    documentMaxBytes: app.config.identityDocumentMaxBytes,
  };

  // Memberships are read on every signed-in request: from memory, dropped the moment the database
  // announces a change to the user's memberships (src/lib/changes.ts).
  const memberships = new InvalidatedCache<MembershipList>(app.changes, 'membership', 100_000);
  const membershipsOf = async (userId: string) => (await memberships.get(userId, () => listMemberships(app.db, userId))) ?? [];

  const suspensions = suspensionGate(app.db, app.changes);

  // Every signed-in request learns the party it acts for (X-Party-Id, or the user's only party);
  // one that may change something is refused while that party is suspended (suspension.ts).
  app.actorResolvers.push(async (request, actor) => {
    const memberships = await membershipsOf(actor.userId);
    actor.partyId = resolveActingParty(memberships, request.headers['x-party-id']);
    await suspensions.refuseWhileSuspended(request, actor, memberships);
  });

  /** Members of the party and operators may read it; anyone else is told it does not exist. */
  async function assertCanReadParty(actor: Actor, partyId: string) {
    if ((await membershipsOf(actor.userId)).some((m) => m.partyId === partyId)) return;
    assertCanAccess(actor, { partyId }, { en: 'party', zh: '主体' }, ['operator']);
  }

  async function partyView(partyId: string) {
    const { party, documents, lastReview } = await getPartyDetails(app.db, partyId);
    return {
      ...toSummary(party),
      verifiedAt: iso(party.verifiedAt),
      suspensionReason: party.suspensionReason,
      documents: documents.map(toDocumentView),
      lastReview: lastReview && {
        decision: lastReview.decision,
        checklist: lastReview.checklist,
        reasons: lastReview.reasons,
        verifier: lastReview.verifier,
        decidedAt: lastReview.createdAt.toISOString(),
      },
    };
  }

  app.post('/parties', {
    config: { auth: 'authenticated', access: 'none', whileSuspended: 'own-account' },
    schema: {
      tags: ['identity'],
      summary: 'Register a party (company, organisation, public body or person); you become its admin',
      body: RegisterPartyBody,
      response: { 201: PartyView, ...problemResponses(400, 409) },
    },
  }, async (request, reply) => {
    const party = await registerParty(ctx, auditActorOf(request), actorOf(request).userId, request.body);
    return reply.code(201).send(await partyView(party.id));
  });

  app.get('/me/parties', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags: ['identity'],
      summary: 'The parties you belong to, with your role in each',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: Page(MyPartyView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const rows = await listMyParties(app.db, actorOf(request).userId, { after: decodeCursor(cursor, PartyCursor), limit: limit + 1 });
    return pageOf(rows, limit, (r) => ({ ...toSummary(r.party), memberRole: r.role }), (r) => partyCursor(r.party));
  });

  app.get('/me/acting-party', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags: ['identity'],
      summary: 'The party you act for, if it is verified and may trade; otherwise the problem that stops it',
      response: { 200: ActingPartyView, ...problemResponses(404) },
    },
  }, async (request) => {
    const { partyId } = actorOf(request);
    // Its own party's suspension is told with its reason.
    const suspension = partyId ? await suspensions.suspensionOf(partyId) : null;
    if (suspension) throw suspensionRefusal(partyId!, suspension);
    return requireVerifiedParty(app.db, partyId);
  });

  app.get('/parties', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags: ['identity'],
      summary: 'All parties, oldest first; `status=submitted` is the review queue',
      querystring: Type.Object({ ...PageQuery, status: Type.Optional(StringEnum(verificationStatuses)) }, { additionalProperties: false }),
      response: { 200: Page(PartySummaryView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, status } = request.query;
    const rows = await listParties(app.db, { status, after: decodeCursor(cursor, PartyCursor), limit: limit + 1 });
    return pageOf(rows, limit, toSummary, partyCursor);
  });

  app.get('/parties/:id', {
    config: { auth: 'authenticated', access: { resource: 'party', staff: ['operator'] } },
    schema: { tags: ['identity'], summary: 'A party you belong to (any party, for operators)', params: IdParams, response: { 200: PartyView, ...problemResponses(400, 404) } },
  }, async (request) => {
    await assertCanReadParty(actorOf(request), request.params.id);
    return partyView(request.params.id);
  });

  app.patch('/parties/:id', {
    config: { auth: 'authenticated', access: { resource: 'party' } },
    schema: {
      tags: ['identity'],
      summary: "Correct a party's details (admins; not while submitted or verified)",
      params: IdParams,
      body: UpdatePartyBody,
      response: { 200: PartyView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => {
    await updateParty(ctx, auditActorOf(request), actorOf(request).userId, request.params.id, request.body);
    return partyView(request.params.id);
  });

  await registerUploadRoutes(app, async (scope) => {
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/parties/:id/documents', {
      config: { auth: 'authenticated', access: { resource: 'party' }, upload: { mediaTypes: documentMediaTypes, description: 'A scan or photograph of the document' } },
      schema: {
        tags: ['identity'],
        summary: 'Upload a supporting document (PDF, PNG or JPEG) as the raw request body; the same bytes again are the same document',
        params: IdParams,
        querystring: DocumentQuery,
        response: { 200: DocumentView, 201: DocumentView, ...problemResponses(400, 404, 409, 413, 415) },
      },
    }, async (request, reply) => {
      const upload = uploadOf(request);
      const { document, created } = await addPartyDocument(ctx, auditActorOf(request), actorOf(request).userId, request.params.id, {
        kind: request.query.kind,
        mediaType: mediaTypeOf(upload.mediaType),
        upload,
      });
      return reply.code(created ? 201 : 200).send(toDocumentView(document));
    });
  });

  app.get('/parties/:id/documents/:documentId', {
    config: { auth: 'authenticated', access: { resource: 'party', staff: ['operator'] } },
    schema: {
      tags: ['identity'],
      summary: "Download a party's document (members and operators)",
      params: DocumentParams,
      // The bytes as uploaded, in the media type they were uploaded as.
      response: {
        200: { description: 'The document', content: Object.fromEntries(documentMediaTypes.map((m) => [m, { schema: { type: 'string', format: 'binary' } }])) },
        ...problemResponses(400, 404),
      },
    },
  }, async (request, reply) => {
    await assertCanReadParty(actorOf(request), request.params.id);
    const { document, stream } = await openPartyDocument(ctx, request.params.id, request.params.documentId);
    return reply
      .type(document.mediaType)
      .header('content-disposition', `attachment; filename="${document.kind}-${document.sha256.slice(0, 12)}"`)
      .header('x-content-type-options', 'nosniff')
      .send(stream);
  });

  app.post('/parties/:id/submission', {
    config: { auth: 'authenticated', access: { resource: 'party' } },
    schema: {
      tags: ['identity'],
      summary: 'Submit the party for verification, or resubmit after rejection, a request for more information or expiry',
      params: IdParams,
      response: { 200: PartyView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => {
    await submitForVerification(ctx, auditActorOf(request), actorOf(request).userId, request.params.id);
    return partyView(request.params.id);
  });

  app.post('/parties/:id/reviews', {
    config: { auth: ['operator'], access: { resource: 'party', staff: ['operator'] } },
    schema: {
      tags: ['identity'],
      summary: 'Decide a submission with the recorded checklist: verified, rejected or needs_more_info',
      params: IdParams,
      body: ReviewBody,
      response: { 200: PartyView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => {
    const actor = actorOf(request);
    await decideVerification(ctx, auditActorOf(request), actor.userId, request.params.id, request.body);
    return partyView(request.params.id);
  });

  for (const [path, suspend, summary] of [
    ['suspension', true, 'Suspend a party, with the reason: on every route and process at once, it stops committing itself and its payouts are held'],
    ['reinstatement', false, 'Lift a suspension, with the reason: the party trades again and its held payouts go out'],
  ] as const) {
    app.post(`/parties/:id/${path}`, {
      config: { auth: ['operator'], access: { resource: 'party', staff: ['operator'] } },
      schema: { tags: ['identity'], summary, params: IdParams, body: ReasonBody, response: { 200: PartyView, ...problemResponses(400, 404, 409) } },
    }, async (request) => {
      await setSuspension(app.db, opts.suspensionEffects ?? [], auditActorOf(request), request.params.id, suspend, request.body.reason);
      return partyView(request.params.id);
    });
  }

  app.post('/parties/:id/suspension/appeal', {
    config: { auth: 'authenticated', access: { resource: 'party' }, whileSuspended: 'appeal' },
    schema: {
      tags: ['identity'],
      summary: 'Appeal against the party’s suspension (members): the statement is audited for the operators',
      params: IdParams,
      body: AppealBody,
      response: { 201: AppealView, ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    const appeal = await appealSuspension(app.db, auditActorOf(request), actorOf(request).userId, request.params.id, request.body.statement);
    return reply.code(201).send({ ...appeal, suspendedAt: appeal.suspendedAt.toISOString(), appealedAt: appeal.appealedAt.toISOString() });
  });

  app.post('/parties/:id/identity-number/reveal', {
    config: { auth: ['operator'], access: { resource: 'party', staff: ['operator'] } },
    schema: {
      tags: ['identity'],
      summary: "Show a party's full identity number; the reason is audited",
      params: IdParams,
      body: ReasonBody,
      response: { 200: Type.Object({ identityNumber: Type.String() }), ...problemResponses(400, 404) },
    },
  }, async (request) => ({ identityNumber: await revealIdentityNumber(ctx, auditActorOf(request), request.params.id, request.body.reason) }));

  await app.register(memberRoutes, { assertCanReadParty });
};

export default identityRoutes;
