import t from 'tap';
import { as, buildTestApp, signUp } from '../../helpers/app.js';
import { department, draftEntry, submitEntry } from '../../helpers/public-data.js';

t.test('concurrent decisions on one revision: one wins, the others are told it was decided', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const reviewers = [await signUp(app, ['bureau'], 'bureau-a'), await signUp(app, ['bureau'], 'bureau-b'), await signUp(app, ['bureau'], 'bureau-c')];
  const { user } = await department(app, clerk);
  const entry = await draftEntry(app, user);
  const submitted = await submitEntry(app, user, entry.id);
  const answers = await Promise.all(
    reviewers.map((r, i) => as(app, r, { method: 'POST', url: `/public-data/entries/${entry.id}/review`, payload: { revisionId: submitted.working.id, decision: i === 1 ? 'reject' : 'approve', reasons: '并发' } })),
  );
  const statuses = answers.map((a) => a.statusCode).sort();
  t.same(statuses, [200, 409, 409], 'one decision, no 500');
  const reviews = await as(app, user, { method: 'GET', url: `/public-data/entries/${entry.id}/reviews` });
  t.equal(reviews.json().length, 1, 'one review on record');
});
