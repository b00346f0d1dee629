// The directory of government departments (GET /public-data/departments): the bureau and applicants
// name a department by its legal name; only verified public bodies are in it, and nothing of their people.
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { createVerifiedParty, fullChecklist, registerParty, submitParty } from '../../helpers/identity.js';
import { assertNoLeaks, personSecrets } from '../../helpers/leaks.js';

type Department = { id: string; legalName: string; suspended: boolean };

async function world(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const official = await signUp(app, ['department'], 'official');
  const verified = async (name: string) => createVerifiedParty(app, official, clerk, 'public_body', name);
  const transport = await verified('重庆市交通运输局');
  const bigData = await verified('重庆市大数据应用发展管理局');
  const police = await verified('重庆市公安局');
  const suspended = await verified('重庆市交通执法总队');
  const suspension = await as(app, clerk, { method: 'POST', url: `/parties/${suspended.id}/suspension`, payload: { reason: '正在调查' } });
  t.equal(suspension.statusCode, 200, suspension.body);

  // Not departments, or not verified ones: each would match `交通` if the directory let it in.
  const unverified = await registerParty(app, official, 'public_body', '重庆市交通规划研究院');
  const rejected = await registerParty(app, official, 'public_body', '重庆市交通测试中心');
  await submitParty(app, official, rejected);
  const rejection = await as(app, clerk, {
    method: 'POST',
    url: `/parties/${rejected.id}/reviews`,
    payload: { decision: 'rejected', checklist: { ...fullChecklist, legalNameMatchesDocuments: false }, reasons: '名称与证照不符' },
  });
  t.equal(rejection.statusCode, 200, rejection.body);
  const company = await createVerifiedParty(app, await signUp(app, ['provider'], 'company'), clerk, 'company', '重庆交通数据有限公司');
  return { app, clerk, official, listed: [transport, bigData, police, suspended], suspended, absent: [unverified, rejected, company] };
}

const directory = async (app: Parameters<typeof as>[0], user: Parameters<typeof as>[1], query = '') => {
  const res = await as(app, user, { method: 'GET', url: `/public-data/departments${query}` });
  return res.json<{ items: Department[]; next: string | null }>();
};

t.test('anyone signed in reads the verified public bodies by name, a suspended one flagged, nothing of their people', async (t) => {
  const { app, official, listed, suspended, absent } = await world(t);
  const applicant = await signUp(app, ['buyer'], 'applicant');
  const page = await directory(app, applicant);
  t.same(
    page.items.map((d) => d.legalName),
    listed.map((p) => p.legalName).sort(),
    'verified public bodies only, ordered by name',
  );
  t.equal(page.next, null);
  t.same(page.items.find((d) => d.id === suspended.id), { id: suspended.id, legalName: suspended.legalName, suspended: true });
  t.ok(page.items.filter((d) => d.id !== suspended.id).every((d) => !d.suspended));
  t.notOk(page.items.some((d) => absent.some((p) => p.id === d.id)), 'no unverified or rejected public body, no company');
  for (const d of page.items) t.same(Object.keys(d).sort(), ['id', 'legalName', 'suspended']);
  assertNoLeaks(t, page, {
    representative: '李四',
    contact: '王五',
    'contact e-mail': 'contact@example.cn',
    ...Object.fromEntries(listed.map((p) => [`identity number of ${p.legalName}`, p.identityNumber])),
    ...personSecrets('official', { ...official, displayName: 'official' }),
  }, 'the directory');
  t.same((await directory(app, official)).items, page.items, 'a department reads the same directory');
});

t.test('q filters on part of the name; the cursor pages through it', async (t) => {
  const { app, official, listed } = await world(t);
  const transport = await directory(app, official, `?q=${encodeURIComponent('交通')}`);
  t.same(transport.items.map((d) => d.legalName), ['重庆市交通执法总队', '重庆市交通运输局'].sort());
  t.same((await directory(app, official, `?q=${encodeURIComponent('税务')}`)).items, []);

  const first = await directory(app, official, '?limit=1');
  t.equal(first.items.length, 1);
  t.ok(first.next);
  const rest = await directory(app, official, `?limit=10&cursor=${first.next}`);
  t.equal(rest.next, null);
  t.same([...first.items, ...rest.items].map((d) => d.legalName), listed.map((p) => p.legalName).sort(), 'every department once, in order');
  const paged = await directory(app, official, `?q=${encodeURIComponent('交通')}&limit=1`);
  t.same((await directory(app, official, `?q=${encodeURIComponent('交通')}&limit=1&cursor=${paged.next}`)).items.map((d) => d.legalName), [transport.items[1]!.legalName]);
});

t.test('the directory refuses the signed-out and a bad query', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer'], 'reader');
  expectProblem(t, await as(app, null, { method: 'GET', url: '/public-data/departments' }), 401, 'unauthenticated');
  for (const query of ['limit=0', 'limit=201', 'sort=name', 'q=', 'cursor=not-a-cursor']) {
    expectProblem(t, await as(app, user, { method: 'GET', url: `/public-data/departments?${query}` }), 400, 'validation-failed');
  }
});
