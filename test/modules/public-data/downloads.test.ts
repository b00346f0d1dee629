import { createHash } from 'node:crypto';
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty, registerParty } from '../../helpers/identity.js';
import { conditionalOpen, department, draftEntry, notOpen, publishedEntry, uploadDataVersion } from '../../helpers/public-data.js';

t.test('a verified natural person downloads unconditionally open data directly, ranges too, and the count rises', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const { user } = await department(app, clerk);
  const bytes = Buffer.from('month,passengers\n2024-01,1520\n2024-02,1488\n');
  const entry = await draftEntry(app, user);
  const version = await uploadDataVersion(app, user, entry.id, bytes);
  await as(app, user, { method: 'POST', url: `/public-data/entries/${entry.id}/submission` });
  await as(app, bureau, { method: 'POST', url: `/public-data/entries/${entry.id}/review`, payload: { revisionId: (await as(app, bureau, { method: 'GET', url: `/public-data/entries/${entry.id}` })).json().working.id, decision: 'approve' } });

  const person = await signUp(app, ['buyer'], 'citizen');
  await createVerifiedParty(app, person, clerk, 'person');
  const url = `/public-data/entries/${entry.id}/versions/${version.id}/download`;
  const whole = await as(app, person, { method: 'GET', url });
  t.equal(whole.statusCode, 200);
  t.same(whole.rawPayload, bytes);
  t.equal(whole.headers.etag, `"${createHash('sha256').update(bytes).digest('hex')}"`);
  const part = await as(app, person, { method: 'GET', url, headers: { range: 'bytes=0-4' } });
  t.equal(part.statusCode, 206);
  t.equal(part.body, 'month');
  t.equal(part.headers['content-range'], `bytes 0-4/${bytes.length}`);
  const resumed = await as(app, person, { method: 'GET', url, headers: { range: 'bytes=5-' } });
  t.equal(resumed.statusCode, 206, 'a resumed range is served but not counted again');
  expectProblem(t, await as(app, person, { method: 'GET', url, headers: { range: `bytes=${bytes.length}-` } }), 416, 'range-not-satisfiable');

  const count = async (who: typeof user) => (await as(app, who, { method: 'GET', url: `/public-data/entries/${entry.id}` })).json().downloadCount;
  t.equal(await count(user), 2, 'the department sees two downloads (whole file, and a range from byte 0)');
  t.equal(await count(bureau), 2, 'so does the bureau');
  const versions = await as(app, person, { method: 'GET', url: `/public-data/entries/${entry.id}/versions` });
  t.equal(versions.json()[0].changeNote, '首次发布');
});

t.test('unverified parties, conditional and closed data, and unpublished entries are refused', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const bureau = await signUp(app, ['bureau'], 'bureau');
  const { user } = await department(app, clerk);
  const verified = await signUp(app, ['buyer'], 'citizen');
  await createVerifiedParty(app, verified, clerk, 'person');
  const open = await publishedEntry(app, user, bureau);
  const download = (who: typeof user, entry: { id: string; version: { id: string } }) => as(app, who, { method: 'GET', url: `/public-data/entries/${entry.id}/versions/${entry.version.id}/download` });

  const newcomer = await signUp(app, ['buyer'], 'newcomer');
  await registerParty(app, newcomer, 'person');
  const unverified = expectProblem(t, await download(newcomer, open), 403, 'party-not-verified');
  t.match(unverified.detail, /Art\. 18 ¶1 \(.*通過身份認證后直接獲取/);
  expectProblem(t, await download(await signUp(app, ['buyer'], 'partyless'), open), 403, 'party-required');

  const conditional = await publishedEntry(app, user, bureau, { open: conditionalOpen });
  t.match(expectProblem(t, await download(verified, conditional), 403, 'conditional-request-required').detail, /Art\. 18 ¶2/);
  const closed = await publishedEntry(app, user, bureau, { open: notOpen });
  expectProblem(t, await download(verified, closed), 403, 'data-not-open');
  expectProblem(t, await download(user, closed), 403, 'data-not-open');

  const draft = await draftEntry(app, user);
  const draftVersion = await uploadDataVersion(app, user, draft.id);
  expectProblem(t, await download(verified, { id: draft.id, version: draftVersion }), 404, 'not-found');
  expectProblem(t, await download(user, { id: draft.id, version: draftVersion }), 409, 'invalid-state');
  expectProblem(t, await download(verified, { id: open.id, version: draftVersion }), 404, 'not-found');
  t.equal((await as(app, user, { method: 'GET', url: `/public-data/entries/${open.id}` })).json().downloadCount, 0, 'no refusal counted');
});
