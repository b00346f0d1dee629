import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, StringEnum, Text, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { readableEntry } from './access.js';
import { callerOf, isBureau, type Caller, type PublicDataContext } from './context.js';
import { createEntry, getEntryRevision, updateEntry } from './entries.js';
import { EntryReads } from './entry-reads.js';
import publicDataFileRoutes from './file-routes.js';
import demandRoutes from './demand-routes.js';
import departmentRoutes from './department-routes.js';
import objectionRoutes from './objection-routes.js';
import { listEntryReviews, reviewEntry, submitEntryForReview } from './review.js';
import { EntryContent, EntryReviewBody, EntryReviewView, EntrySummary, EntryView, UpdateEntryBody, entryReviewStatuses, openClasses, sharingClasses } from './schema.js';
import { searchEntries } from './search.js';
import { UpdatedCursor, entryView, listWorkingEntries, reviewView, summaryView } from './views.js';

const tags = ['public-data'];
/** Routes that name an entry: its department reaches it, the bureau any, others a published one. */
const entryAccess = { resource: 'public-data-entry', staff: ['bureau'], onSale: true } as const;
const ownEntry = { resource: 'public-data-entry' } as const;

/** The public-data resource catalogue: entries, the bureau's review, the open list (Art. 15-18). */
const publicDataRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx: PublicDataContext = { db: app.db, blobs: app.blobs, config: app.config };
  /** Reads of an unchanged entry and of its versions, from memory (entry-reads.ts). */
  const reads = new EntryReads(app.db, app.changes);
  /** The entry as the caller may see it after a change, read from the database: its notice may not be in yet. */
  const viewFor = async (caller: Caller, id: string) => {
    const { entry, live, insider } = await readableEntry(app.db, caller, id);
    const working = insider ? await getEntryRevision(app.db, entry.workingRevisionId) : undefined;
    return entryView(entry, live, working, insider);
  };

  await app.register(publicDataFileRoutes, { ctx, reads });
  await app.register(objectionRoutes, { ctx });
  await app.register(demandRoutes, { ctx });
  await app.register(departmentRoutes, { ctx });

  app.post('/public-data/entries', {
    config: { auth: ['department'], access: 'none' },
    schema: {
      tags,
      summary: 'Draft a catalogue entry for the department you act for (Art. 15, 17; Shanghai Art. 12)',
      description: 'Conditional, not-open and not-shared classes need a legal basis; sensitive data stays not_open without a recorded release; data obtained by sharing stays not_open.',
      body: EntryContent,
      response: { 201: EntryView, ...problemResponses(400, 422) },
    },
  }, async (request, reply) => {
    const caller = callerOf(request);
    const entry = await createEntry(app.db, caller, request.body);
    return reply.code(201).send(await viewFor(caller, entry.id));
  });

  app.get('/public-data/entries', {
    config: { auth: ['department', 'bureau'], access: 'none' },
    schema: {
      tags,
      summary: "Your department's entries in every state (the bureau: every department's; reviewStatus=submitted is its queue), most recently changed first",
      querystring: Type.Object(
        { ...PageQuery, reviewStatus: Type.Optional(StringEnum(entryReviewStatuses)), departmentPartyId: Type.Optional(Uuid) },
        { additionalProperties: false },
      ),
      response: { 200: Page(EntrySummary), ...problemResponses(400) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    const { limit, cursor, reviewStatus, departmentPartyId } = request.query;
    const own = isBureau(caller) ? departmentPartyId : (caller.actor.partyId ?? undefined);
    if (!isBureau(caller) && !own) return { items: [], next: null };
    const rows = await listWorkingEntries(app.db, { departmentPartyId: own, reviewStatus, after: decodeCursor(cursor, UpdatedCursor), limit: limit + 1 });
    return pageOf(rows, limit, summaryView, (r) => ({ updatedAt: r.entry.updatedAt.toISOString(), id: r.entry.id }));
  });

  app.get('/public-data/entries/:id', {
    config: { auth: 'authenticated', access: entryAccess },
    schema: {
      tags,
      summary: 'An entry: published ones for anyone signed in; drafts and revisions under review for its department and the bureau only',
      params: IdParams,
      response: { 200: EntryView, ...problemResponses(400, 404) },
    },
  }, async (request) => reads.view(callerOf(request), request.params.id));

  app.patch('/public-data/entries/:id', {
    config: { auth: ['department'], access: ownEntry },
    schema: {
      tags,
      summary: 'Edit an entry; an edit of a submitted or published entry becomes a new revision, reviewed again while the published one stays',
      params: IdParams,
      body: UpdateEntryBody,
      response: { 200: EntryView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    await updateEntry(app.db, caller, request.params.id, request.body);
    return viewFor(caller, request.params.id);
  });

  app.post('/public-data/entries/:id/submission', {
    config: { auth: ['department'], access: ownEntry },
    schema: { tags, summary: 'Send the working revision to the bureau for review (the department must be verified)', params: IdParams, response: { 200: EntryView, ...problemResponses(400, 404, 409) } },
  }, async (request) => {
    const caller = callerOf(request);
    await submitEntryForReview(app.db, caller, request.params.id);
    return viewFor(caller, request.params.id);
  });

  app.post('/public-data/entries/:id/review', {
    config: { auth: ['bureau'], access: { resource: 'public-data-entry', staff: ['bureau'] } },
    schema: {
      tags,
      summary: 'The bureau approves (publishes) or rejects, with reasons, the revision under review (Shanghai Art. 12 ¶3)',
      params: IdParams,
      body: EntryReviewBody,
      response: { 200: EntryView, ...problemResponses(400, 404, 409, 422) },
    },
  }, async (request) => {
    const caller = callerOf(request);
    await reviewEntry(app.db, caller, request.params.id, request.body);
    return viewFor(caller, request.params.id);
  });

  app.get('/public-data/entries/:id/reviews', {
    config: { auth: ['department', 'bureau'], access: { resource: 'public-data-entry', staff: ['bureau'] } },
    schema: { tags, summary: "The bureau's decisions on an entry, oldest first", params: IdParams, response: { 200: Type.Array(EntryReviewView), ...problemResponses(400, 404) } },
  }, async (request) => (await listEntryReviews(app.db, callerOf(request), request.params.id)).map(reviewView));

  app.get('/public-data/search', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags,
      summary: 'Search the published open list: full text in Chinese or English, filters by class and department, newest first',
      querystring: Type.Object(
        {
          ...PageQuery,
          q: Type.Optional(Text({ maxLength: 500, description: 'Words or Chinese text; every term must match' })),
          openClass: Type.Optional(StringEnum(openClasses)),
          sharingClass: Type.Optional(StringEnum(sharingClasses)),
          departmentPartyId: Type.Optional(Uuid),
        },
        { additionalProperties: false },
      ),
      response: { 200: Page(EntrySummary), ...problemResponses(400) },
    },
  }, async (request) => searchEntries(app.db, request.query));
};

export default publicDataRoutes;
