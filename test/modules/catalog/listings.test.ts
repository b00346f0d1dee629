import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { anonymisedGround, listedProduct, sampleListing, sampleProvenance, uploadEvidence, verifiedProvider } from '../../helpers/catalog.js';

t.test('a draft is created for the acting party and edited in place', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider, party } = await verifiedProvider(app, operator);
  const res = await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() });
  t.equal(res.statusCode, 201);
  const listing = res.json();
  t.equal(listing.ownerPartyId, party.id, 'owned by the party, not the user');
  t.equal(listing.status, 'unlisted');
  t.equal(listing.live, null);
  t.match(listing.working, { number: 1, reviewStatus: 'draft', provenance: null, ground: null, datasetVersion: null });
  t.same(listing.working.content.pricePlans[0], { name: '一次性购买', kind: 'one_off', amountMinor: 500000, currency: 'CNY' }, 'money in integer minor units');

  const edited = (await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { tags: ['公交', '客流'] } } })).json();
  t.equal(edited.working.id, listing.working.id, 'a draft changes in place');
  t.same(edited.working.content.tags, ['公交', '客流']);
  t.equal(edited.working.content.grade, 'general', 'other fields kept');
});

t.test('listing input is validated, field by field and across fields', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const create = (overrides: Record<string, unknown>) => as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing(overrides) });
  const plan = { name: 'p', kind: 'one_off', amountMinor: 100, currency: 'CNY' };

  expectProblem(t, await create({ title: {} }), 400, 'validation-failed');
  expectProblem(t, await create({ grade: 'secret' }), 400, 'validation-failed');
  expectProblem(t, await create({ pricePlans: [{ ...plan, amountMinor: 12.5 }] }), 400, 'validation-failed');
  expectProblem(t, await create({ pricePlans: [{ ...plan, amountMinor: -1 }] }), 400, 'validation-failed');
  expectProblem(t, await create({ pricePlans: [{ ...plan, currency: 'yuan' }] }), 400, 'validation-failed');
  expectProblem(t, await create({ pricePlans: [plan, { ...plan, currency: 'USD' }] }), 400, 'validation-failed');
  expectProblem(t, await create({ pricePlans: [{ ...plan, kind: 'subscription' }] }), 400, 'validation-failed');
  expectProblem(t, await create({ coverage: { period: { start: '2024-05-01', end: '2024-01-01' }, area: '重庆' } }), 400, 'validation-failed');
  expectProblem(t, await create({ schema: { fields: [] } }), 400, 'validation-failed');
  expectProblem(t, await create({ owner: 'someone else' }), 400, 'validation-failed');
});

t.test('provenance and ground are versioned: each change is a new record, earlier ones are kept', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const listing = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();
  const doc = await uploadEvidence(app, provider);
  const put = (what: string, body: object) => as(app, provider, { method: 'PUT', url: `/catalog/listings/${listing.id}/${what}`, payload: body });

  const v1 = (await put('provenance', sampleProvenance())).json().working.provenance;
  const v2 = (await put('provenance', { ...sampleProvenance([{ sha256: doc.sha256, description: '授权书' }]), sourceType: 'third_party_licence' })).json().working.provenance;
  t.equal(v1.version, 1);
  t.equal(v2.version, 2);
  t.not(v1.id, v2.id);
  t.equal(v2.schemaVersion, 1);
  t.equal(v2.declaration.sourceType, 'third_party_licence');

  const ground = (await put('ground', { ground: 'authorised', selfProduced: true, authorisation: 'We produced the data in our own operations', evidence: [] })).json().working.ground;
  t.match(ground, { version: 1, ground: { ground: 'authorised', selfProduced: true } });
  expectProblem(t, await put('ground', { ground: 'consented', evidence: [] }), 400, 'validation-failed');
  expectProblem(t, await put('provenance', { ...sampleProvenance(), sourceType: 'found_online' }), 400, 'validation-failed');

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${listing.id}&action=listing.provenance_declared&order=asc` })).json();
  t.same(events.items.map((e: { payload: { version: number } }) => e.payload.version), [1, 2], 'each version audited');
});

t.test('after approval, a new provenance version makes a new revision; the approved one keeps its record', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const product = await listedProduct(app, provider, operator);
  const before = (await as(app, provider, { method: 'GET', url: `/catalog/listings/${product.id}` })).json();
  const after = (await as(app, provider, { method: 'PUT', url: `/catalog/listings/${product.id}/ground`, payload: anonymisedGround([{ sha256: product.evidence.sha256, description: 'new assessment' }]) })).json();
  t.equal(after.live.id, before.live.id);
  t.same(after.live.ground, before.live.ground, 'the approved revision still points at the ground it was approved with');
  t.equal(after.working.ground.version, before.live.ground.version + 1);
  t.equal(after.working.number, 2);
  t.equal(after.working.reviewStatus, 'draft');
});

t.test('roles and ownership: buyers cannot draft; no one edits another party’s listing', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const { user: rival } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const listing = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();

  expectProblem(t, await as(app, buyer, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { grade: 'core' } } }), 403, 'forbidden');
  expectProblem(t, await as(app, operator, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { grade: 'core' } } }), 403, 'forbidden');
  expectProblem(t, await as(app, rival, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { content: { grade: 'core' } } }), 404, 'not-found');
  expectProblem(t, await as(app, rival, { method: 'PUT', url: `/catalog/listings/${listing.id}/provenance`, payload: sampleProvenance() }), 404, 'not-found');
  expectProblem(t, await as(app, rival, { method: 'POST', url: `/catalog/listings/${listing.id}/submit` }), 404, 'not-found');
  expectProblem(t, await as(app, rival, { method: 'GET', url: `/catalog/listings/${listing.id}/reviews` }), 404, 'not-found');
  expectProblem(t, await as(app, provider, { method: 'GET', url: '/catalog/listings/00000000-0000-4000-8000-000000000000' }), 404, 'not-found');
  expectProblem(t, await as(app, provider, { method: 'GET', url: '/catalog/listings/not-a-uuid' }), 400, 'validation-failed');
  t.equal((await as(app, operator, { method: 'GET', url: `/catalog/listings/${listing.id}` })).json().working.reviewStatus, 'draft', 'operators see drafts');
});
