import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { anonymisedGround, approve, completeDraft, fullChecklist, listedProduct, sampleListing, sampleProvenance, submit, uploadEvidence, verifiedProvider } from '../../helpers/catalog.js';
import { createVerifiedParty, registerParty } from '../../helpers/identity.js';

t.test('a verified provider lists a product, an operator approves it, a buyer finds it; all audited', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider, party } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);

  const draft = await completeDraft(app, provider);
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/listings/${draft.id}` }), 404, 'not-found');

  const submitted = await submit(app, provider, draft.id);
  t.equal(submitted.working.reviewStatus, 'submitted');
  const queue = await as(app, operator, { method: 'GET', url: '/catalog/review-queue' });
  t.same(queue.json().items.map((i: { id: string }) => i.id), [draft.id], 'in the operators’ queue');

  const approved = await approve(app, operator, draft.id);
  t.equal(approved.status, 'listed');
  t.equal(approved.live.id, approved.working.id, 'the approved revision is on sale');
  t.equal(approved.live.datasetVersion.sha256, draft.version.sha256, 'the listing declares the version on sale');

  const found = await as(app, buyer, { method: 'GET', url: `/catalog/search?q=${encodeURIComponent('客流')}&grade=general&deliveryMethod=download` });
  t.same(found.json().items.map((i: { id: string }) => i.id), [draft.id], 'found by a Chinese keyword and filters');
  const seen = (await as(app, buyer, { method: 'GET', url: `/catalog/listings/${draft.id}` })).json();
  t.equal(seen.working, null, 'buyers see only the live revision');
  t.equal(seen.live.provenance.declaration.sourceType, 'own_operations');

  const reviews = (await as(app, provider, { method: 'GET', url: `/catalog/listings/${draft.id}/reviews` })).json();
  t.equal(reviews.length, 1);
  t.equal(reviews[0].reviewerUserId, operator.id);
  t.equal(reviews[0].checklist.length, 6, 'one checklist entry per requirement');

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectType=listing&subjectId=${draft.id}&order=asc` })).json();
  t.same(
    events.items.map((e: { action: string }) => e.action),
    ['listing.created', 'listing.provenance_declared', 'listing.ground_declared', 'listing.dataset_version_uploaded', 'listing.draft_edited', 'listing.submitted', 'listing.approved'],
  );
  const approval = events.items.at(-1);
  t.equal(approval.actor.userId, operator.id, 'the reviewer is the actor');
  t.equal(approval.payload.checklist.length, 6);
  t.equal(events.items[0].actor.partyId, party.id);
  t.equal((await as(app, operator, { method: 'POST', url: '/audit/verify' })).json().ok, true, 'the chain verifies');
});

t.test('submitting needs provenance, a ground, a dataset version, and evidence for personal information', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);

  const bare = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();
  const incomplete = expectProblem(t, await as(app, provider, { method: 'POST', url: `/catalog/listings/${bare.id}/submit` }), 422, 'listing-incomplete');
  t.same((incomplete as unknown as { missing: string[] }).missing, ['provenance', 'ground', 'datasetVersionId']);

  const personal = await completeDraft(app, provider, { personalInformation: { contains: true, subjectCount: 20000 } });
  await as(app, provider, { method: 'PUT', url: `/catalog/listings/${personal.id}/ground`, payload: anonymisedGround([]) });
  const noEvidence = expectProblem(t, await as(app, provider, { method: 'POST', url: `/catalog/listings/${personal.id}/submit` }), 422, 'listing-incomplete');
  t.same((noEvidence as unknown as { missing: string[] }).missing, ['ground.evidence'], 'personal information needs a ground with evidence');

  expectProblem(
    t,
    await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing({ personalInformation: { contains: true } }) }),
    400,
    'validation-failed',
  );
  const authorised = { ground: 'authorised', selfProduced: false, authorisation: 'Written consent of the data provider', evidence: [] };
  expectProblem(t, await as(app, provider, { method: 'PUT', url: `/catalog/listings/${personal.id}/ground`, payload: authorised }), 400, 'validation-failed');
});

t.test('evidence must be the listing party’s own documents', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const { user: rival } = await verifiedProvider(app, operator);
  const theirs = await uploadEvidence(app, rival);
  const listing = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();
  const cite = [{ sha256: theirs.sha256, description: 'someone else’s consent forms' }];
  const refused = expectProblem(t, await as(app, provider, { method: 'PUT', url: `/catalog/listings/${listing.id}/provenance`, payload: sampleProvenance(cite) }), 422, 'unknown-evidence');
  t.same((refused as unknown as { unknown: string[] }).unknown, [theirs.sha256]);
  expectProblem(t, await as(app, provider, { method: 'PUT', url: `/catalog/listings/${listing.id}/ground`, payload: anonymisedGround(cite) }), 422, 'unknown-evidence');
  const unknownHash = [{ sha256: 'a'.repeat(64), description: 'never uploaded' }];
  expectProblem(t, await as(app, provider, { method: 'PUT', url: `/catalog/listings/${listing.id}/ground`, payload: anonymisedGround(unknownHash) }), 422, 'unknown-evidence');
});

t.test('an unverified provider can draft but not submit', async (t) => {
  const app = await buildTestApp(t);
  const provider = await signUp(app, ['provider']);
  await registerParty(app, provider);
  const draft = await completeDraft(app, provider);
  expectProblem(t, await as(app, provider, { method: 'POST', url: `/catalog/listings/${draft.id}/submit` }), 403, 'party-not-verified');

  const partyless = await signUp(app, ['provider']);
  expectProblem(t, await as(app, partyless, { method: 'POST', url: '/catalog/listings', payload: sampleListing() }), 403, 'party-required');
});

t.test('operators decide with a complete checklist; refusals carry reasons; roles are enforced', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const draft = await completeDraft(app, provider);
  const { working } = await submit(app, provider, draft.id);
  const review = (body: object, user = operator) => as(app, user, { method: 'POST', url: `/catalog/listings/${draft.id}/review`, payload: { revisionId: working.id, ...body } });

  expectProblem(t, await review({ decision: 'approve', checklist: fullChecklist() }, provider), 403, 'forbidden');
  expectProblem(t, await review({ decision: 'approve', checklist: fullChecklist(false) }), 400, 'validation-failed');
  const duplicated = [...fullChecklist().slice(0, 5), fullChecklist()[0]];
  expectProblem(t, await review({ decision: 'approve', checklist: duplicated }), 400, 'validation-failed');
  expectProblem(t, await review({ decision: 'reject', checklist: fullChecklist(false) }), 400, 'validation-failed');
  expectProblem(t, await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${draft.id}`, payload: { content: { grade: 'important' } } }), 409, 'invalid-state');

  const changes = await review({ decision: 'request_changes', checklist: fullChecklist(false), notes: 'State the legal basis precisely' });
  t.equal(changes.json().working.reviewStatus, 'changes_requested');
  expectProblem(t, await review({ decision: 'approve', checklist: fullChecklist() }), 409, 'invalid-state');

  const edited = (await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${draft.id}`, payload: { content: { grade: 'important' } } })).json();
  t.equal(edited.working.number, 2, 'an edit after review is a new revision');
  t.equal(edited.working.reviewStatus, 'draft');
  expectProblem(t, await review({ decision: 'approve', checklist: fullChecklist() }), 409, 'conflict');
  await submit(app, provider, draft.id);
  const approved = await approve(app, operator, draft.id);
  t.equal(approved.live.content.grade, 'important');
});

t.test('an edit to an approved listing is reviewed while the approved revision stays on sale', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const product = await listedProduct(app, provider, operator);

  const edited = (await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${product.id}`, payload: { content: { title: { zh: '重庆公交客流（新版）' } } } })).json();
  t.not(edited.working.id, edited.live.id);
  t.equal(edited.status, 'listed');
  const seen = (await as(app, buyer, { method: 'GET', url: `/catalog/listings/${product.id}` })).json();
  t.equal(seen.live.content.title.zh, '重庆市公共交通客流数据', 'buyers still see the approved text');
  await submit(app, provider, product.id);
  await approve(app, operator, product.id);
  t.equal((await as(app, buyer, { method: 'GET', url: `/catalog/listings/${product.id}` })).json().live.content.title.zh, '重庆公交客流（新版）');
});

t.test('operators suspend and reinstate; providers delist; buyers never see what is off sale', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const { user: rival } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const product = await listedProduct(app, provider, operator);
  const step = (user: typeof buyer, path: string) => as(app, user, { method: 'POST', url: `/catalog/listings/${product.id}/${path}`, payload: { reason: 'Complaint about the source' } });

  expectProblem(t, await step(provider, 'suspend'), 403, 'forbidden');
  t.equal((await step(operator, 'suspend')).json().status, 'suspended');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/listings/${product.id}` }), 404, 'not-found');
  t.same((await as(app, buyer, { method: 'GET', url: '/catalog/search' })).json().items, []);
  expectProblem(t, await step(operator, 'suspend'), 409, 'invalid-state');
  t.equal((await step(operator, 'reinstate')).json().status, 'listed');
  t.equal((await as(app, buyer, { method: 'GET', url: `/catalog/listings/${product.id}` })).statusCode, 200);

  expectProblem(t, await step(rival, 'delist'), 404, 'not-found');
  expectProblem(t, await as(app, rival, { method: 'PATCH', url: `/catalog/listings/${product.id}`, payload: { content: { grade: 'core' } } }), 404, 'not-found');
  t.equal((await step(provider, 'delist')).json().status, 'delisted');
  expectProblem(t, await as(app, buyer, { method: 'GET', url: `/catalog/listings/${product.id}` }), 404, 'not-found');
  expectProblem(t, await step(operator, 'reinstate'), 409, 'invalid-state');
  expectProblem(t, await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${product.id}`, payload: { content: { grade: 'core' } } }), 409, 'invalid-state');

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${product.id}&action=listing.*` })).json();
  const suspension = events.items.find((e: { action: string }) => e.action === 'listing.suspended');
  t.match(suspension, { actor: { userId: operator.id }, payload: { from: 'listed', to: 'suspended', reason: 'Complaint about the source' } });
});

t.test('providers see their own drafts; buyers cannot list them', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const { user: rival } = await verifiedProvider(app, operator);
  const buyer = await signUp(app, ['buyer']);
  const draft = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();

  t.same((await as(app, provider, { method: 'GET', url: '/catalog/listings' })).json().items.map((i: { id: string }) => i.id), [draft.id]);
  t.same((await as(app, rival, { method: 'GET', url: '/catalog/listings' })).json().items, []);
  t.equal((await as(app, operator, { method: 'GET', url: '/catalog/listings?reviewStatus=draft' })).json().items.length, 1);
  expectProblem(t, await as(app, buyer, { method: 'GET', url: '/catalog/listings' }), 403, 'forbidden');
  expectProblem(t, await as(app, buyer, { method: 'POST', url: '/catalog/listings', payload: sampleListing() }), 403, 'forbidden');
  expectProblem(t, await as(app, rival, { method: 'GET', url: `/catalog/listings/${draft.id}` }), 404, 'not-found');
});

t.test('an operator does not review a listing of a party they belong to', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  // A staff member who also sells through a party of their own.
  const insider = await signUp(app, ['operator', 'provider']);
  const party = await createVerifiedParty(app, insider, operator);
  const draft = await completeDraft(app, insider);
  await submit(app, insider, draft.id);
  const working = (await as(app, insider, { method: 'GET', url: `/catalog/listings/${draft.id}` })).json().working.id;
  const review = { revisionId: working, decision: 'approve', checklist: fullChecklist(), notes: 'looks fine to me' };
  expectProblem(t, await as(app, insider, { method: 'POST', url: `/catalog/listings/${draft.id}/review`, headers: party.headers, payload: review }), 403, 'forbidden');
  t.equal((await as(app, operator, { method: 'POST', url: `/catalog/listings/${draft.id}/review`, payload: review })).statusCode, 200, 'another operator may');
});
