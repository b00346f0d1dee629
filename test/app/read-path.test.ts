// Reads at the speed of the hardware (issue 8): statements per request, the immutable listing view
// with its ETag, and caches that never outlive a change, across two instances on one database.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp, twoInstances, type TestUser } from '../helpers/app.js';
import { listedProduct, verifiedProvider } from '../helpers/catalog.js';
import { serverUrl } from '../helpers/database.js';
import { createVerifiedParty } from '../helpers/identity.js';

t.test('a repeated read of something unchanged sends no statement; a search at most two', async (t) => {
  let statements: string[] = [];
  // The sequencer's own statements would be counted too: it stays idle here.
  const app = await buildTestApp(t, { auditSequencerIntervalMs: 60_000 }, { logQuery: (q) => statements.push(q) });
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const listing = await listedProduct(app, provider, operator);
  const buyer = await signUp(app, ['buyer']);
  await createVerifiedParty(app, buyer, operator);

  const count = async (user: TestUser, url: string) => {
    await as(app, user, { method: 'GET', url }); // the first request of a user fills the access caches
    statements = [];
    const res = await as(app, user, { method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    t.same(statements, [], `${url}: answered from memory`);
    return statements.length;
  };
  t.equal(await count(buyer, '/me'), 0, '/me');
  t.equal(await count(buyer, `/catalog/listings/${listing.id}`), 0, 'listing detail');
  // A search's first answer (the page cache is empty for it); the caller's caches are warm.
  const uncached = async (url: string) => {
    statements = [];
    const res = await as(app, buyer, { method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    return statements.length;
  };
  t.ok((await uncached('/catalog/search?q=客流')) <= 2, 'search: the words looked up, then the page');
  t.ok((await uncached('/catalog/search?q=ridership&grade=general&sort=price_asc')) <= 2, 'search with filters');
  t.ok((await uncached('/catalog/search?sort=newest')) <= 1, 'search without words: the page alone');
  t.equal(await uncached('/catalog/search?q=%E5%AE%A2%E6%B5%81'), 0, 'a repeated search is answered from the page cache');
  // Many asking at once for a page nobody has asked for yet: it is computed once.
  statements = [];
  const answers = await Promise.all(Array.from({ length: 8 }, () => as(app, buyer, { method: 'GET', url: '/catalog/search?q=%E5%AE%A2%E6%B5%81&sort=price_desc' })));
  t.same(new Set(answers.map((a) => a.body)).size, 1, 'all get the same page');
  t.ok(statements.length <= 2, `eight concurrent first asks send the statements of one (${statements.length})`);
});

t.test('listing detail: strong ETag, 304 while unchanged, a new tag after any change', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const listing = await listedProduct(app, provider, operator);
  const buyer = await signUp(app, ['buyer']);
  await createVerifiedParty(app, buyer, operator);

  const first = await as(app, buyer, { method: 'GET', url: `/catalog/listings/${listing.id}` });
  const etag = first.headers.etag as string;
  t.match(etag, /^"[^"]+"$/, 'a strong validator');
  const again = await as(app, buyer, { method: 'GET', url: `/catalog/listings/${listing.id}`, headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);
  const second = await as(app, buyer, { method: 'GET', url: `/catalog/listings/${listing.id}` });
  t.equal(second.body, first.body, 'the cached live revision gives the same bytes');

  // An edit makes a new working revision; the buyer still sees the approved one, under a new tag.
  const edited = await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { tags: ['改'] } } });
  t.equal(edited.statusCode, 200);
  const afterEdit = await as(app, buyer, { method: 'GET', url: `/catalog/listings/${listing.id}`, headers: { 'if-none-match': etag } });
  t.equal(afterEdit.statusCode, 200, 'the listing changed, so the old tag no longer matches');
  t.same(afterEdit.json().live, first.json().live, 'the approved revision is unchanged');
  t.equal(afterEdit.json().working, null, 'buyers never see the working revision');
  t.not(edited.headers.etag, afterEdit.headers.etag, 'the provider and the buyer see different representations, with different tags');

  const suspended = await as(app, operator, { method: 'POST', url: `/catalog/listings/${listing.id}/suspend`, payload: { reason: 'investigation' } });
  t.equal(suspended.statusCode, 200);
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/listings/${listing.id}`, headers: { 'if-none-match': etag } }), 404, 'not-found');
});

t.test(`a change made through one instance counts on the other's very next request (${serverUrl ? 'server, LISTEN/NOTIFY' : 'embedded, in-process'})`, async (t) => {
  const [a, b] = await twoInstances(t);
  const operator = await signUp(a, ['operator']);
  const { user: provider, party } = await verifiedProvider(a, operator);
  const listing = await listedProduct(a, provider, operator);
  const buyer = await signUp(a, ['buyer']);
  await createVerifiedParty(a, buyer, operator);
  const read = (app: FastifyInstance, user: TestUser, url: string) => as(app, user, { method: 'GET', url });

  // Warm every cache of instance b.
  t.equal((await read(b, provider, '/catalog/listings')).statusCode, 200);
  t.equal((await read(b, buyer, `/catalog/listings/${listing.id}`)).statusCode, 200);
  t.equal((await read(b, buyer, '/catalog/search?q=客流')).json().items.length, 1);

  // A listing suspended through a: gone from b's detail and search at once.
  t.equal((await as(a, operator, { method: 'POST', url: `/catalog/listings/${listing.id}/suspend`, payload: { reason: 'complaint' } })).statusCode, 200);
  t.equal((await read(b, buyer, `/catalog/listings/${listing.id}`)).statusCode, 404, 'suspended listing');
  t.equal((await read(b, buyer, '/catalog/search?q=客流')).json().items.length, 0, 'and out of the cached search');
  t.equal((await as(a, operator, { method: 'POST', url: `/catalog/listings/${listing.id}/reinstate`, payload: { reason: 'cleared' } })).statusCode, 200);
  t.equal((await read(b, buyer, '/catalog/search?q=客流')).json().items.length, 1, 'back after reinstatement');

  // The provider's party suspended through a: its listings leave b's catalog at once.
  t.equal((await as(a, operator, { method: 'POST', url: `/parties/${party.id}/suspension`, payload: { reason: 'fraud report' } })).statusCode, 200);
  t.equal((await read(b, buyer, `/catalog/listings/${listing.id}`)).statusCode, 404, 'suspended party');
  t.equal((await read(b, buyer, '/catalog/search?q=客流')).json().items.length, 0);

  // A role taken away through a: refused on b's next request.
  t.equal((await as(a, operator, { method: 'PATCH', url: `/users/${provider.id}`, payload: { roles: ['buyer'] } })).statusCode, 200);
  expectProblem(t, await read(b, provider, '/catalog/listings'), 403, 'forbidden');

  // An account disabled through a: its token is refused on b's next request.
  t.equal((await read(b, buyer, '/me')).statusCode, 200);
  t.equal((await as(a, operator, { method: 'PATCH', url: `/users/${buyer.id}`, payload: { status: 'disabled' } })).statusCode, 200);
  expectProblem(t, await read(b, buyer, '/me'), 401, 'invalid-token');
});
