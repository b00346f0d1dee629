import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { IdParams, Page, PageQuery, TimeAndIdCursor, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { registerUploadRoutes, uploadOf } from '../../plugins/uploads.js';
import { actingParty, callerOf, type CatalogContext } from './context.js';
import { listEvidenceDocuments, uploadDatasetVersion, uploadEvidenceDocument, type NamedUpload } from './files.js';
import { DatasetVersionView, EvidenceDocumentView, UploadQuery } from './schema.js';
import type { ListingViews } from './listing-view.js';
import { datasetVersionView, evidenceDocumentView } from './views.js';

const tags = ['catalog'];

const namedUploadOf = (request: FastifyRequest, filename: string | undefined): NamedUpload => ({ ...uploadOf(request), filename });

const DocumentCursor = TimeAndIdCursor('createdAt');

/** Evidence documents and dataset versions: raw request bodies streamed into the blob store. */
const catalogFileRoutes: FastifyPluginAsyncTypebox<{ ctx: CatalogContext; listingViews: ListingViews }> = async (app, { ctx, listingViews }) => {
  await registerUploadRoutes(app, async (raw) => {
    const scope = raw.withTypeProvider<TypeBoxTypeProvider>();

    scope.post('/catalog/documents', {
      config: { auth: ['provider'], access: 'none', upload: { mediaTypes: ['*/*'], description: 'The document’s bytes, with its media type in Content-Type' } },
      schema: {
        tags,
        summary: 'Upload a consent, authorisation or anonymisation evidence document (raw body, any media type)',
        description: `At most ${ctx.config.catalogDocumentMaxBytes} bytes. Reference it by its sha256 in the provenance declaration or the Art. 26 ground.`,
        querystring: UploadQuery,
        response: { 201: EvidenceDocumentView, ...problemResponses(400) },
      },
    }, async (request, reply) => {
      const doc = await uploadEvidenceDocument(ctx, callerOf(request), namedUploadOf(request, request.query.filename));
      return reply.code(201).send(evidenceDocumentView(doc));
    });

    scope.post('/catalog/listings/:id/versions', {
      config: { auth: ['provider'], access: { resource: 'listing' }, upload: { mediaTypes: ['*/*'], description: 'The dataset file’s bytes, with its media type in Content-Type' } },
      schema: {
        tags,
        summary: 'Upload a dataset version of your listing (raw body, any media type)',
        description: `At most ${ctx.config.catalogDatasetMaxBytes} bytes. Then PATCH the listing's datasetVersionId to put it on sale.`,
        params: IdParams,
        querystring: UploadQuery,
        response: { 201: DatasetVersionView, ...problemResponses(409) },
      },
    }, async (request, reply) => {
      const version = await uploadDatasetVersion(ctx, callerOf(request), request.params.id, namedUploadOf(request, request.query.filename));
      return reply.code(201).send(datasetVersionView(version));
    });
  });

  app.get('/catalog/documents', {
    config: { auth: ['provider'], access: 'none' },
    schema: {
      tags,
      summary: "Your party's evidence documents, newest first",
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: Page(EvidenceDocumentView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const rows = await listEvidenceDocuments(ctx.db, actingParty(callerOf(request)), { after: decodeCursor(cursor, DocumentCursor), limit: limit + 1 });
    return pageOf(rows, limit, evidenceDocumentView, (d) => ({ createdAt: d.createdAt.toISOString(), id: d.id }));
  });

  app.get('/catalog/listings/:id/versions', {
    config: { auth: ['provider', 'operator'], access: { resource: 'listing', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'Dataset versions of a listing, newest first',
      params: IdParams,
      response: { 200: Type.Array(DatasetVersionView), ...problemResponses(400, 404) },
    },
  }, async (request) => (await listingViews.datasetVersionsOf(callerOf(request), request.params.id)).map(datasetVersionView));
};

export default catalogFileRoutes;
