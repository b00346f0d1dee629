import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdParams, Page, PageQuery, StringEnum, Text, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { callerOf, type CatalogContext } from './context.js';
import catalogFileRoutes from './file-routes.js';
import { createListing, declareGround, declareProvenance, findListingFor, updateListing } from './listings.js';
import { changeMarketStatus, reviewListing, submitListingForReview } from './review.js';
import {
  CreateListingBody,
  GroundBody,
  ListingSummary,
  ListingView,
  ProvenanceBody,
  ReasonBody,
  ReviewBody,
  ReviewView,
  UpdateListingBody,
  CurrencyCode,
  deliveryMethods,
  grades,
} from './schema.js';
import type { DcatSource, LineagePort } from './ports.js';
import { CatalogSearch, searchSorts } from './search.js';
import { dcatCatalog } from './dcat.js';
import { ListingViews } from './listing-view.js';
import { QueueCursor, UpdatedCursor, listReviews, listWorkingListings, reviewQueue, summaryView } from './views.js';
import { marketStatuses, reviewStatuses } from './tables.js';

const tags = ['catalog'];
const NotModified = Type.Null({ description: 'Unchanged since the ETag sent in If-None-Match' });
const SearchPage = Type.Object({ sort: StringEnum(searchSorts), items: Type.Array(ListingSummary), next: Type.Union([Type.String(), Type.Null()]) });
const DcatDocument = Type.Object(
  {
    '@context': Type.Object({}, { additionalProperties: Type.String() }),
    '@id': Type.String(),
    '@type': Type.Literal('dcat:Catalog'),
    'dcat:dataset': Type.Array(Type.Object({ '@id': Type.String(), '@type': Type.Literal('dcat:Dataset') }, { additionalProperties: true })),
  },
  { additionalProperties: true, description: 'DCAT-AP catalog in JSON-LD with an inline @context' },
);

/**
 * `lineage` is trading's answer about the orders a provenance declaration cites; `dcatSources` add
 * other modules' datasets (public data's open list) to the DCAT-AP export (ports.ts).
 */
const catalogRoutes: FastifyPluginAsyncTypebox<{ lineage: LineagePort; dcatSources?: readonly DcatSource[] }> = async (app, { lineage, dcatSources = [] }) => {
  const ctx: CatalogContext = { db: app.db, blobs: app.blobs, config: app.config };
  const listingViews = new ListingViews(app.db, app.changes);
  const search = new CatalogSearch(app.db, app.changes, app.config.searchRelevanceWindow);
  /**
   * The listing as the caller may see it after the caller changed it, sent as the JSON text the view
   * was built as: read from the database, since the change's notice may not be in yet.
   */
  const sendListing = async (request: FastifyRequest, reply: FastifyReply, id: string, status = 200) => {
    const { etag, json } = await listingViews.read(callerOf(request), id, { fresh: true });
    return reply.code(status).header('etag', etag).header('cache-control', 'private, no-cache').type('application/json; charset=utf-8').send(json);
  };

  await app.register(catalogFileRoutes, { ctx, listingViews });

  app.post('/catalog/listings', {
    config: { auth: ['provider'], access: 'none' },
    schema: {
      tags,
      summary: 'Draft a data product for the party you act for',
      body: CreateListingBody,
      response: { 201: ListingView, ...problemResponses(400) },
    },
  }, async (request, reply) => {
    const listing = await createListing(app.db, callerOf(request), request.body);
    return sendListing(request, reply, listing.id, 201);
  });

  app.get('/catalog/listings', {
    config: { auth: ['provider', 'operator'], access: 'none' },
    schema: {
      tags,
      summary: "Your party's listings in every state (operators: every party's), most recently changed first",
      querystring: Type.Object(
        { ...PageQuery, status: Type.Optional(StringEnum(marketStatuses)), reviewStatus: Type.Optional(StringEnum(reviewStatuses)), partyId: Type.Optional(Uuid) },
        { additionalProperties: false },
      ),
      response: { 200: Page(ListingSummary), ...problemResponses(400) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    const { limit, cursor, partyId, ...filters } = request.query;
    // Providers see only their own party's; operators may pick a party or see all.
    const own = caller.actor.role === 'operator' ? partyId : (caller.actor.partyId ?? undefined);
    if (caller.actor.role !== 'operator' && !own) return { items: [], next: null };
    const rows = await listWorkingListings(app.db, { ...filters, partyId: own, after: decodeCursor(cursor, UpdatedCursor), limit: limit + 1 });
    return pageOf(rows, limit, summaryView, (r) => ({ updatedAt: r.listing.updatedAt.toISOString(), id: r.listing.id }));
  });

  app.get('/catalog/listings/:id', {
    config: { auth: 'authenticated', access: { resource: 'listing', staff: ['operator'], onSale: true } },
    schema: {
      tags,
      summary: 'A listing: its party and operators see drafts too; buyers only what is on sale',
      description: 'Served with a strong ETag; send it back in If-None-Match to get 304 while the listing is unchanged.',
      params: IdParams,
      headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 200, pattern: '^[\\x21-\\x7e ,]*$' })) }),
      response: { 200: ListingView, 304: NotModified, ...problemResponses(400, 404) },
    },
  }, async (request, reply) => {
    const { etag, json } = await listingViews.read(callerOf(request), request.params.id);
    reply.header('etag', etag).header('cache-control', 'private, no-cache');
    const wanted = request.headers['if-none-match'];
    // The typed reply wants the view object; the view is already JSON text.
    const raw = reply as unknown as FastifyReply;
    if (wanted && (wanted === '*' || wanted.split(',').some((tag) => tag.trim() === etag))) return raw.code(304).send();
    return raw.type('application/json; charset=utf-8').send(json);
  });

  app.patch('/catalog/listings/:id', {
    config: { auth: ['provider'], access: { resource: 'listing' } },
    schema: {
      tags,
      summary: 'Edit the listing; an edit to a reviewed listing becomes a new draft revision',
      params: IdParams,
      body: UpdateListingBody,
      response: { 200: ListingView, ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    await updateListing(app.db, callerOf(request), request.params.id, request.body);
    return sendListing(request, reply, request.params.id);
  });

  app.put('/catalog/listings/:id/provenance', {
    config: { auth: ['provider'], access: { resource: 'listing' } },
    schema: {
      tags,
      summary: 'Declare the source of the data (Art. 28(1)); each declaration is a new version',
      params: IdParams,
      body: ProvenanceBody,
      response: { 200: ListingView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request, reply) => {
    await declareProvenance(app.db, lineage, callerOf(request), request.params.id, request.body);
    return sendListing(request, reply, request.params.id);
  });

  app.put('/catalog/listings/:id/ground', {
    config: { auth: ['provider'], access: { resource: 'listing' } },
    schema: {
      tags,
      summary: 'Declare the Art. 26 ground (anonymised, or authorised) with its evidence; each is a new version',
      params: IdParams,
      body: GroundBody,
      response: { 200: ListingView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request, reply) => {
    await declareGround(app.db, callerOf(request), request.params.id, request.body);
    return sendListing(request, reply, request.params.id);
  });

  app.post('/catalog/listings/:id/submit', {
    config: { auth: ['provider'], access: { resource: 'listing' } },
    schema: {
      tags,
      summary: 'Send the working revision for compliance review (the party must be verified)',
      params: IdParams,
      response: { 200: ListingView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request, reply) => {
    await submitListingForReview(app.db, callerOf(request), request.params.id);
    return sendListing(request, reply, request.params.id);
  });

  app.post('/catalog/listings/:id/review', {
    config: { auth: ['operator'], access: { resource: 'listing', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'Approve, reject or request changes, with a checklist entry per requirement',
      params: IdParams,
      body: ReviewBody,
      response: { 200: ListingView, ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    await reviewListing(app.db, callerOf(request), request.params.id, request.body);
    return sendListing(request, reply, request.params.id);
  });

  app.get('/catalog/listings/:id/reviews', {
    config: { auth: ['provider', 'operator'], access: { resource: 'listing', staff: ['operator'] } },
    schema: { tags, summary: 'The review record of a listing', params: IdParams, response: { 200: Type.Array(ReviewView), ...problemResponses(400, 404) } },
  }, async (request) => {
    await findListingFor(app.db, callerOf(request), request.params.id, { ownerOnly: false });
    return listReviews(app.db, request.params.id);
  });

  const marketStep = (path: string, action: 'suspend' | 'reinstate' | 'delist', auth: 'provider' | 'operator', summary: string) =>
    app.post(`/catalog/listings/:id/${path}`, {
      // Delisting is the provider stepping back: open to a suspended party (identity/suspension.ts).
      config: auth === 'operator' ? { auth: [auth], access: { resource: 'listing', staff: ['operator'] } } : { auth: [auth], access: { resource: 'listing' }, whileSuspended: 'withdrawal' },
      schema: { tags, summary, params: IdParams, body: ReasonBody, response: { 200: ListingView, ...problemResponses(400, 404, 409) } },
    }, async (request, reply) => {
      await changeMarketStatus(app.db, callerOf(request), request.params.id, action, request.body.reason);
      return sendListing(request, reply, request.params.id);
    });
  marketStep('suspend', 'suspend', 'operator', 'Take a listing off sale pending investigation');
  marketStep('reinstate', 'reinstate', 'operator', 'Put a suspended listing back on sale');
  marketStep('delist', 'delist', 'provider', 'Withdraw your listing for good');

  app.get('/catalog/review-queue', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags,
      summary: 'Revisions waiting for review, oldest submission first',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: Page(ListingSummary), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const rows = await reviewQueue(app.db, { after: decodeCursor(cursor, QueueCursor), limit: limit + 1 });
    return pageOf(rows, limit, summaryView, (r) => ({ submittedAt: r.revision.submittedAt!.toISOString(), id: r.revision.id }));
  });

  app.get('/catalog/search', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Search listings on sale: full text in Chinese or English, filters, sort',
      querystring: Type.Object(
        {
          ...PageQuery,
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          q: Type.Optional(Text({ maxLength: 500, description: 'Words or Chinese text; every term must match' })),
          category: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,49}$', maxLength: 50 })),
          grade: Type.Optional(StringEnum(grades)),
          deliveryMethod: Type.Optional(StringEnum(deliveryMethods)),
          governmentDerived: Type.Optional(Type.Boolean()),
          providerPartyId: Type.Optional(Uuid),
          tag: Type.Optional(Text({ minLength: 1, maxLength: 50 })),
          currency: Type.Optional(CurrencyCode),
          priceMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e13, description: 'Minor units of `currency`' })),
          priceMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e13 })),
          sort: Type.Optional(StringEnum(searchSorts, { description: 'Default: relevance with q, newest without' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: SearchPage, ...problemResponses(400) },
    },
  }, async (request, reply) => {
    const { json } = await search.search(request.query);
    return (reply as unknown as FastifyReply).type('application/json; charset=utf-8').send(json);
  });

  app.get('/catalog/dcat', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'The public catalog as DCAT-AP JSON-LD, for harvesting: listings on sale and the published open list of public data',
      querystring: Type.Object({ ...PageQuery, limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }) }, { additionalProperties: false }),
      response: { 200: { description: 'The catalog page', content: { 'application/ld+json': { schema: DcatDocument } } } },
    },
  }, async (request, reply) => {
    // The configured public address; the request's own Host only when none is set.
    const baseUrl = app.config.publicBaseUrl ?? `${request.protocol}://${request.host}`;
    const doc = await dcatCatalog(app.db, { baseUrl, cursor: request.query.cursor, limit: request.query.limit }, dcatSources);
    return reply.type('application/ld+json; charset=utf-8').send(doc);
  });
};

export default catalogRoutes;
