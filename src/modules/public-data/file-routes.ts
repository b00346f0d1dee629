import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { FileBytes, RangeHeaders, sendStoredFile } from '../../lib/byte-range.js';
import { IdParams, problemResponses } from '../../lib/http.js';
import { registerUploadRoutes, uploadOf } from '../../plugins/uploads.js';
import { callerOf, type PublicDataContext } from './context.js';
import { DataVersionView, VersionParams, VersionQuery } from './schema.js';
import type { EntryReads } from './entry-reads.js';
import { downloadDataVersion, uploadDataVersion } from './versions.js';
import { versionView } from './views.js';

const tags = ['public-data'];

/** Versions of an entry's data: uploaded raw into the blob store, downloaded with Range. */
const publicDataFileRoutes: FastifyPluginAsyncTypebox<{ ctx: PublicDataContext; reads: EntryReads }> = async (app, { ctx, reads }) => {
  await registerUploadRoutes(app, async (raw) => {
    raw.withTypeProvider<TypeBoxTypeProvider>().post('/public-data/entries/:id/versions', {
      config: { auth: ['department'], access: { resource: 'public-data-entry' }, upload: { mediaTypes: ['*/*'], description: 'The data file’s bytes, with its media type in Content-Type' } },
      schema: {
        tags,
        summary: "Upload a version of the entry's data (raw body, any media type) with a note of what changed; a version never changes",
        description: `At most ${ctx.config.catalogDatasetMaxBytes} bytes.`,
        params: IdParams,
        querystring: VersionQuery,
        response: { 201: DataVersionView, ...problemResponses(400, 404, 409) },
      },
    }, async (request, reply) => {
      const version = await uploadDataVersion(ctx, callerOf(request), request.params.id, { ...uploadOf(request), filename: request.query.filename }, request.query.note, request.query.objection);
      return reply.code(201).send(versionView(version));
    });
  });

  app.get('/public-data/entries/:id/versions', {
    config: { auth: 'authenticated', access: { resource: 'public-data-entry', staff: ['bureau'], onSale: true } },
    schema: { tags, summary: "Versions of an entry's data, newest first", params: IdParams, response: { 200: Type.Array(DataVersionView), ...problemResponses(400, 404) } },
  }, async (request) => (await reads.versionsOf(callerOf(request), request.params.id)).map(versionView));

  app.get('/public-data/entries/:id/versions/:versionId/download', {
    // A HEAD would count as a download; clients read the size and hash from the version instead.
    exposeHeadRoute: false,
    config: { auth: 'authenticated', access: { resource: 'public-data-entry', staff: ['bureau'], onSale: true } },
    schema: {
      tags,
      summary: 'Download a version of an unconditionally open entry: any verified party, no request, no fee (Art. 18 ¶1; Range supported)',
      description:
        'Conditionally open data is downloaded under an approved request whose utilization agreement is signed and sealed, within its term (Art. 18 ¶2, Art. 19): ' +
        'otherwise conditional-request-required, agreement-not-signed, request-term-outside or entry-not-granted. An approved sharing request lets the requesting department ' +
        'download the entries it lists within its term (Art. 16). Not-open data answers data-not-open, an unverified party party-not-verified. ' +
        'ETag is the SHA-256 of the whole file (Repr-Digest, Digest; Content-Digest on a whole-file answer). A range from byte 0 counts as a download of the entry.',
      params: VersionParams,
      headers: RangeHeaders,
      response: { 200: FileBytes('The whole file'), 206: FileBytes('The requested range'), ...problemResponses(400, 404, 409, 416) },
    },
  }, async (request, reply) => {
    const { range, 'if-range': ifRange } = request.headers;
    return sendStoredFile(reply as unknown as FastifyReply, async () => {
      const download = await downloadDataVersion(ctx, callerOf(request), request.params.id, request.params.versionId, range, ifRange);
      // A GET that counts a download changes the entry: like any change (app.ts), it answers once
      // every process's caches have seen it, so the department's next read shows the count.
      await app.changes.fence();
      return download;
    });
  });
};

export default publicDataFileRoutes;
