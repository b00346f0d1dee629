import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { FileBytes, RangeHeaders, sendStoredFile } from '../../lib/byte-range.js';
import { IdParams, problemResponses } from '../../lib/http.js';
import { viewerOf } from '../../lib/viewer.js';
import { acceptDelivery, decideDispute, disputeDelivery } from './acceptance.js';
import { callerOf, type TradingContext } from './context.js';
import { confirmReceipt, listGrants, recordDelivery, revokeGrant, startDownload } from './delivery.js';
import { DecisionBody, DeliveryBody, DeliveryView, GrantView, OrderView, ReasonBody } from './schema.js';
import { deliveryView, grantView, orderView } from './views.js';

const tags = ['trading'];
const buyers = ['buyer', 'department'] as const;
/** The bureau as buyer of record of a central procurement: it accepts or disputes; its departments download. */
const buyerSide = [...buyers, 'bureau'] as const;

/** Delivery of what was paid for, and the buyer's acceptance or dispute of it. */
const deliveryRoutes: FastifyPluginAsyncTypebox<{ ctx: TradingContext }> = async (app, { ctx }) => {
  app.get('/orders/:id/grants', {
    config: { auth: [...buyerSide, 'provider', 'operator'], access: { resource: 'order', staff: ['operator'] } },
    schema: { tags, summary: 'The download grants of an order', params: IdParams, response: { 200: Type.Array(GrantView), ...problemResponses(404) } },
  }, async (request) => (await listGrants(ctx, callerOf(request), request.params.id)).map(grantView));

  app.get('/grants/:id/download', {
    // A HEAD would count as a download; clients read the size and hash from the grant instead.
    exposeHeadRoute: false,
    config: { auth: buyers, access: { resource: 'grant' } },
    schema: {
      tags,
      summary: 'Download exactly the dataset version the order declared (Range supported)',
      description:
        'ETag is the SHA-256 of the whole file; Repr-Digest and Digest carry it too, and Content-Digest the bytes of a whole-file answer (RFC 9530). ' +
        'A range starting at byte 0 counts as one download of the grant; resuming (a later start) does not.',
      params: IdParams,
      headers: RangeHeaders,
      response: { 200: FileBytes('The whole file'), 206: FileBytes('The requested range'), ...problemResponses(404, 410, 416) },
    },
  }, async (request, reply) => {
    const { range, 'if-range': ifRange } = request.headers;
    return sendStoredFile(reply as unknown as FastifyReply, async () => {
      const { grant, range: served, body } = await startDownload(ctx, callerOf(request), request.params.id, range, ifRange);
      return { file: grant, range: served, body };
    });
  });

  app.post('/grants/:id/revocation', {
    config: { auth: ['operator'], access: { resource: 'grant', staff: ['operator'] } },
    schema: { tags, summary: 'Revoke a download grant, with a reason', params: IdParams, body: ReasonBody, response: { 200: GrantView, ...problemResponses(404, 409) } },
  }, async (request) => grantView(await revokeGrant(ctx, callerOf(request), request.params.id, request.body.reason)));

  app.post('/orders/:id/deliveries', {
    config: { auth: ['provider'], access: { resource: 'order' } },
    schema: {
      tags,
      summary: 'Record an API or offline delivery with the SHA-256 of what was delivered',
      params: IdParams,
      body: DeliveryBody,
      response: { 201: DeliveryView, ...problemResponses(404, 409) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    const delivery = await recordDelivery(ctx, caller, request.params.id, request.body);
    // Only the provider's own members record a delivery: the party they act for is the provider.
    return reply.code(201).send(deliveryView(delivery, viewerOf(caller.actor), caller.actor.partyId!));
  });

  const buyerStep = (path: string, summary: string, run: (id: string, caller: ReturnType<typeof callerOf>, body: { reason: string } | undefined) => Promise<Parameters<typeof orderView>[0]>, withReason: boolean) =>
    app.post(`/orders/:id/${path}`, {
      config: { auth: buyerSide, access: { resource: 'order' } },
      schema: { tags, summary, params: IdParams, ...(withReason ? { body: ReasonBody } : {}), response: { 200: OrderView, ...problemResponses(404, 409, 503) } },
    }, async (request) => orderView(await run(request.params.id, callerOf(request), request.body as { reason: string } | undefined)));

  buyerStep('receipt', 'Confirm you received the delivery; the acceptance window opens', (id, caller) => confirmReceipt(ctx, caller, id), false);
  buyerStep('acceptance', 'Accept the delivery; the provider is paid', (id, caller) => acceptDelivery(ctx, caller, id), false);
  buyerStep('dispute', 'Dispute the delivery within the acceptance window, with a reason', (id, caller, body) => disputeDelivery(ctx, caller, id, body!.reason), true);

  app.post('/orders/:id/dispute/decision', {
    config: { auth: ['operator'], access: { resource: 'order', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'Decide a dispute: full refund, partial refund or release to the provider',
      params: IdParams,
      body: DecisionBody,
      response: { 200: OrderView, ...problemResponses(404, 409, 503) },
    },
  }, async (request) => orderView(await decideDispute(ctx, callerOf(request), request.params.id, request.body)));
};

export default deliveryRoutes;
