import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, problemResponses } from '../../lib/http.js';
import { supervisionOverview } from './overview.js';
import { replayOrder } from './replay.js';
import { OverviewView, ReplayView } from './schema.js';

const tags = ['supervision'];

/** Art. 28(4): the exchange supervises trading, settlement and delivery; these are its operators' views. */
const supervisionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/supervision/overview', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags,
      summary: 'What waits on someone and what went wrong, across the exchange: counts and the oldest items of each list (Art. 28(4))',
      response: { 200: OverviewView, ...problemResponses(400) },
    },
  }, async () => supervisionOverview(app.db));

  app.get('/supervision/orders/:id/replay', {
    config: { auth: ['operator'], access: { resource: 'order', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'Rebuild a trade from the audit log alone and compare it with the current state: each difference is a finding with the first event that disagrees',
      params: IdParams,
      response: { 200: ReplayView, ...problemResponses(400, 404) },
    },
  }, async (request) => {
    const replay = await replayOrder(app.db, request.params.id);
    return { ...replay, consistent: replay.findings.length === 0 };
  });
};

export default supervisionRoutes;
