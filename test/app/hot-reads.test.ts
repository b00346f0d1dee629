// Hot reads from memory (issue 20): a repeated read of an unchanged listing, account, public-data
// entry or list of data versions sends no statement, and the very next request after any change
// that concerns it sees the change, on the instance that made it and on another instance on the
// same database (server: LISTEN/NOTIFY; embedded: the process's own notices).
import type { LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { as, expectProblem, signUp, twoInstances, type TestUser } from '../helpers/app.js';
import { listedProduct, uploadVersion, verifiedProvider } from '../helpers/catalog.js';
import { serverUrl } from '../helpers/database.js';
import { createVerifiedParty } from '../helpers/identity.js';
import { decide, department, draftEntry, notOpen, publishedEntry, uploadDataVersion } from '../helpers/public-data.js';

const statements = { a: [] as string[], b: [] as string[] };
const [a, b] = await twoInstances(t, {
  // The sequencer's own statements would be counted too: it stays idle here.
  config: { auditSequencerIntervalMs: 60_000 },
  // The instances' heartbeats to each other (lib/changes.ts) are no request's statements.
  logQuery: (instance, query) => void (query.includes('pg_notify') || statements[instance].push(query)),
});
const instances = { a, b } as const;
type Instance = keyof typeof instances;

const operator = await signUp(a, ['operator']);
const bureau = await signUp(a, ['bureau']);
const { user: provider, party: providerParty } = await verifiedProvider(a, operator);
const listing = await listedProduct(a, provider, operator);
const buyer = await signUp(a, ['buyer']);
await createVerifiedParty(a, buyer, operator);
const stranger = await signUp(a, ['provider']);
await createVerifiedParty(a, stranger, operator);
const { user: clerk, party: departmentParty } = await department(a, operator);
const open = await publishedEntry(a, clerk, bureau);
const closed = await publishedEntry(a, clerk, bureau, { open: notOpen });
const draft = await draftEntry(a, clerk);

const listingUrl = `/catalog/listings/${listing.id}`;
const entryUrl = (id: string) => `/public-data/entries/${id}`;
const get = (on: Instance, user: TestUser, url: string) => as(instances[on], user, { method: 'GET', url });

/** A read asked twice on one instance: the second answer, and the statements it sent. */
async function askedTwice(on: Instance, user: TestUser, url: string) {
  const first = await get(on, user, url);
  statements[on] = [];
  const again = await get(on, user, url);
  return { first, again, sent: statements[on] };
}

/** Asserts that the read is answered from memory on both instances, as it was answered the first time. */
async function fromMemory(tt: Test, user: TestUser, url: string, status = 200) {
  for (const on of ['a', 'b'] as const) {
    const { first, again, sent } = await askedTwice(on, user, url);
    tt.equal(again.statusCode, status, `${url} on ${on}: ${again.body.slice(0, 200)}`);
    tt.same(sent, [], `${url} on ${on}: no statement`);
    // A problem names its request; everything else is the same.
    const answer = (res: LightMyRequestResponse) => res.body.replace(String(res.headers['x-request-id']), '');
    tt.equal(answer(again), answer(first), `${url} on ${on}: the same answer as from the database`);
  }
}

/** The next answer to the read on each instance, the other one (b) first. */
const nextOnEach = async (user: TestUser, url: string): Promise<LightMyRequestResponse[]> => [await get('b', user, url), await get('a', user, url)];

t.test(`repeated reads send no statement on either instance (${serverUrl ? 'server' : 'embedded'})`, async (t) => {
  await fromMemory(t, buyer, '/me');
  await fromMemory(t, buyer, listingUrl);
  await fromMemory(t, provider, listingUrl);
  await fromMemory(t, provider, `${listingUrl}/versions`);
  await fromMemory(t, buyer, entryUrl(open.id));
  await fromMemory(t, buyer, `${entryUrl(open.id)}/versions`);
  await fromMemory(t, clerk, entryUrl(draft.id));
  await fromMemory(t, bureau, entryUrl(draft.id));
});

t.test('what is kept is everyone’s; who sees it is decided per caller, from memory too', async (t) => {
  // The provider and the department have just filled the caches with what only they may see.
  await fromMemory(t, stranger, `${listingUrl}/versions`, 404);
  await fromMemory(t, buyer, entryUrl(draft.id), 404);
  await fromMemory(t, buyer, `${entryUrl(draft.id)}/versions`, 404);
  const buyerView = (await get('b', buyer, listingUrl)).json();
  t.equal(buyerView.working, null, 'a buyer never sees the working revision');
  const clerkView = (await get('b', clerk, entryUrl(open.id))).json();
  const buyerEntry = (await get('b', buyer, entryUrl(open.id))).json();
  t.equal(clerkView.downloadCount, 0, 'the department sees the download count');
  t.notOk('downloadCount' in buyerEntry, 'others do not');
  // A not-open entry is listed for anyone signed in; its data is still never downloaded.
  await fromMemory(t, buyer, entryUrl(closed.id));
  expectProblem(t, await get('b', buyer, `${entryUrl(closed.id)}/versions/${closed.version.id}/download`), 403, 'data-not-open');
});

t.test('a listing changed, taken off sale or its party suspended: the next request on either instance sees it', async (t) => {
  await fromMemory(t, provider, listingUrl);
  await fromMemory(t, buyer, listingUrl);
  const before = (await get('b', buyer, listingUrl)).headers.etag;
  t.equal((await as(a, provider, { method: 'PATCH', url: listingUrl, payload: { content: { tags: ['改'] } } })).statusCode, 200);
  for (const res of await nextOnEach(provider, listingUrl)) t.equal(res.json().working.number, 2, 'the provider sees its new working revision');
  for (const res of await nextOnEach(buyer, listingUrl)) {
    t.equal(res.json().live.number, 1, 'buyers still see the approved revision');
    t.not(res.headers.etag, before, 'under a new tag');
  }

  await fromMemory(t, provider, `${listingUrl}/versions`);
  const count = (await get('b', provider, `${listingUrl}/versions`)).json().length;
  await uploadVersion(a, provider, listing.id);
  for (const res of await nextOnEach(provider, `${listingUrl}/versions`)) t.equal(res.json().length, count + 1, 'a new dataset version is listed');

  for (const [step, back] of [['suspend', 'reinstate']] as const) {
    await fromMemory(t, buyer, listingUrl);
    t.equal((await as(a, operator, { method: 'POST', url: `${listingUrl}/${step}`, payload: { reason: 'complaint' } })).statusCode, 200);
    for (const res of await nextOnEach(buyer, listingUrl)) t.equal(res.statusCode, 404, 'a suspended listing is gone for buyers');
    for (const res of await nextOnEach(provider, listingUrl)) t.equal(res.json().status, 'suspended', 'its party sees it suspended');
    t.equal((await as(a, operator, { method: 'POST', url: `${listingUrl}/${back}`, payload: { reason: 'cleared' } })).statusCode, 200);
    for (const res of await nextOnEach(buyer, listingUrl)) t.equal(res.statusCode, 200, 'and back on sale after reinstatement');
  }

  await fromMemory(t, buyer, listingUrl);
  t.equal((await as(a, operator, { method: 'POST', url: `/parties/${providerParty.id}/suspension`, payload: { reason: 'fraud report' } })).statusCode, 200);
  for (const res of await nextOnEach(buyer, listingUrl)) t.equal(res.statusCode, 404, 'the listings of a suspended party leave the catalog');
  await fromMemory(t, buyer, listingUrl, 404);
  t.equal((await as(a, operator, { method: 'POST', url: `/parties/${providerParty.id}/reinstatement`, payload: { reason: 'cleared' } })).statusCode, 200);
  for (const res of await nextOnEach(buyer, listingUrl)) t.equal(res.statusCode, 200, 'and come back with its reinstatement');
});

t.test('an entry revised, published, given a version or downloaded: the next request on either instance sees it', async (t) => {
  await fromMemory(t, clerk, entryUrl(open.id));
  await fromMemory(t, buyer, entryUrl(open.id));
  t.equal((await as(a, clerk, { method: 'PATCH', url: entryUrl(open.id), payload: { formats: ['csv', 'json'] } })).statusCode, 200);
  for (const res of await nextOnEach(clerk, entryUrl(open.id))) t.equal(res.json().working.number, 2, 'the department sees its new revision');
  for (const res of await nextOnEach(buyer, entryUrl(open.id))) t.same([res.json().live.number, res.json().working], [1, null], 'others the published one');
  t.equal((await as(a, clerk, { method: 'POST', url: `${entryUrl(open.id)}/submission` })).statusCode, 200);
  t.equal((await decide(a, bureau, open.id)).statusCode, 200);
  for (const res of await nextOnEach(buyer, entryUrl(open.id))) t.same(res.json().live.content.formats, ['csv', 'json'], 'the newly approved revision is published');

  await fromMemory(t, buyer, `${entryUrl(open.id)}/versions`);
  const version = await uploadDataVersion(a, clerk, open.id);
  for (const res of await nextOnEach(buyer, `${entryUrl(open.id)}/versions`)) t.equal(res.json()[0].id, version.id, 'the new version is listed first');

  await fromMemory(t, clerk, entryUrl(open.id));
  t.equal((await get('a', buyer, `${entryUrl(open.id)}/versions/${version.id}/download`)).statusCode, 200);
  for (const res of await nextOnEach(clerk, entryUrl(open.id))) t.equal(res.json().downloadCount, 1, 'the download is counted');
});

t.test('a membership revoked, a role taken away, an account disabled: refused on the next request on either instance', async (t) => {
  const colleague = await signUp(a, ['department'], 'colleague');
  const invitation = await as(a, clerk, { method: 'POST', url: `/parties/${departmentParty.id}/invitations`, payload: { email: colleague.email, role: 'member' } });
  t.equal((await as(a, colleague, { method: 'POST', url: `/party-invitations/${invitation.json().id}/acceptance` })).statusCode, 201);
  await fromMemory(t, colleague, entryUrl(draft.id));
  t.equal((await as(a, clerk, { method: 'DELETE', url: `/parties/${departmentParty.id}/members/${colleague.id}` })).statusCode, 204);
  for (const res of await nextOnEach(colleague, entryUrl(draft.id))) t.equal(res.statusCode, 404, 'a former member no longer reads the department’s draft');

  await fromMemory(t, bureau, entryUrl(draft.id));
  await fromMemory(t, bureau, '/me');
  t.equal((await as(a, operator, { method: 'PATCH', url: `/users/${bureau.id}`, payload: { roles: ['department'] } })).statusCode, 200);
  for (const res of await nextOnEach(bureau, entryUrl(draft.id))) t.equal(res.statusCode, 404, 'without the bureau role, a draft is not there');
  for (const res of await nextOnEach(bureau, '/me')) t.same(res.json().roles, ['department'], '/me shows the roles left');

  await fromMemory(t, buyer, '/me');
  await fromMemory(t, buyer, listingUrl);
  t.equal((await as(a, operator, { method: 'PATCH', url: `/users/${buyer.id}`, payload: { status: 'disabled' } })).statusCode, 200);
  for (const url of ['/me', listingUrl]) for (const res of await nextOnEach(buyer, url)) expectProblem(t, res, 401, 'invalid-token');
});

t.test('a delisted listing is gone for buyers on the next request on either instance', async (t) => {
  const other = await signUp(a, ['buyer']);
  await fromMemory(t, other, listingUrl);
  t.equal((await as(a, provider, { method: 'POST', url: `${listingUrl}/delist`, payload: { reason: 'withdrawn' } })).statusCode, 200);
  for (const res of await nextOnEach(other, listingUrl)) t.equal(res.statusCode, 404);
});
