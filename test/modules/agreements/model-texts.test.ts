import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { shippedTemplatesDir } from '../../../src/modules/agreements/index.js';
import type { ModelTextError} from '../../../src/modules/agreements/model-text.js';
import { parseModelText } from '../../../src/modules/agreements/model-text.js';
import { loadShippedModelTexts } from '../../../src/modules/agreements/model-texts.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { draftTrade, sampleOrder } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';

const shipped = (kind: string) => readFileSync(join(shippedTemplatesDir, `${kind}.v1.txt`), 'utf8');
const asVersion = (text: string, version: number) => text.replace(/^version: \d+$/m, `version: ${version}`);

t.test('the shipped model texts pass their own checks, and the checks catch what a bad text gets wrong', async (t) => {
  t.same(loadShippedModelTexts(shippedTemplatesDir).map((m) => `${m.kind} v${m.version}`), ['procurement v1', 'trade v1', 'utilization v1', 'utilization v2']);
  const problemsOf = (text: string) => {
    try {
      parseModelText(text);
      return [];
    } catch (err) {
      return (err as ModelTextError).problems;
    }
  };
  const utilization = shipped('utilization');
  t.match(problemsOf(utilization.replace('{{purpose}}。', '{{intent}}。')), [/unknown placeholder: \{\{intent\}\}/, /clause purpose \(zh\) must state \{\{purpose\}\}/]);
  t.match(problemsOf(utilization.replace(/\[clause source-citation\][\s\S]*?(?=\[clause scope\])/, '')), [/required clause "source-citation" is missing/]);
  t.match(problemsOf(utilization.replace(/en:\nThe data are applied[^\n]*\n/, '')), [/clause scenario: en is empty/, /clause scenario \(en\) must state \{\{scenario\}\}/]);
  t.match(problemsOf(utilization.replace('kind: utilization', 'kind: lease')), [/kind must be one of/]);

  const dir = mkdtempSync(join(tmpdir(), 'dx-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'utilization.v1.txt'), utilization.replace(/\[clause bureau-copy\][\s\S]*?(?=\[clause liability\])/, ''));
  t.throws(() => loadShippedModelTexts(dir), { message: /templates\/utilization\.v1\.txt is not valid: required clause "bureau-copy" is missing/ }, 'a bad shipped text stops the start, naming it');
});

t.test('the bureau publishes a new version; new agreements use it, existing ones keep theirs', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const bureau = await signUp(app, ['bureau']);
  const provider = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const a = await createVerifiedParty(app, provider, operator);
  const b = await createVerifiedParty(app, buyer, operator);
  const before = await draftTrade(app, sampleOrder(a.id, b.id));

  const listed = (await app.inject({ method: 'GET', url: '/agreement-model-texts?kind=trade' })).json();
  t.match(listed, [{ kind: 'trade', version: 1, publishedBy: null, title: { zh: '数据交易协议' } }], 'public: anyone reads the model texts');
  const v1 = (await app.inject({ method: 'GET', url: '/agreement-model-texts/trade/1' })).json();
  t.equal(v1.source, shipped('trade'));
  expectProblem(t, await app.inject({ method: 'GET', url: '/agreement-model-texts/trade/9' }), 404, 'not-found');

  const publish = (user: typeof bureau, text: string) => as(app, user, { method: 'POST', url: '/agreement-model-texts', payload: { text } });
  const v2text = asVersion(shipped('trade'), 2).replace('超出本目的使用数据的', '超出本目的或者本协议约定范围使用数据的');
  expectProblem(t, await publish(provider, v2text), 403, 'forbidden');
  const unknown = expectProblem(t, await publish(bureau, v2text.replace('{{territory}}。', '{{region}}。')), 422, 'invalid-model-text');
  t.match(unknown.detail, /unknown placeholder: \{\{region\}\}/);
  expectProblem(t, await publish(bureau, v2text.replace(/\[clause records\][\s\S]*?(?=\[clause other\])/, '')), 422, 'invalid-model-text');
  expectProblem(t, await publish(bureau, asVersion(v2text, 3)), 409, 'conflict');

  const published = await publish(bureau, v2text);
  t.equal(published.statusCode, 201, published.body);
  t.match(published.json(), { kind: 'trade', version: 2, publishedBy: bureau.id });
  expectProblem(t, await publish(bureau, v2text), 409, 'conflict');
  const events = await as(app, operator, { method: 'GET', url: '/audit/events?action=agreement.model_text_published' });
  t.equal(events.json().items.length, 1, 'publishing is audited');

  const after = await draftTrade(app, sampleOrder(a.id, b.id));
  const oldView = (await as(app, buyer, { method: 'GET', url: `/agreements/${before.agreementId}` })).json();
  const newView = (await as(app, buyer, { method: 'GET', url: `/agreements/${after.agreementId}` })).json();
  t.equal(oldView.modelText.version, 1, 'the existing agreement keeps version 1');
  t.equal(newView.modelText.version, 2, 'a new one is made from version 2');
  t.equal(newView.modelText.sha256, published.json().sha256);
  t.match(newView.clauses.find((c: { id: string }) => c.id === 'purpose').body.zh, '超出本目的或者本协议约定范围');

  const page1 = (await as(app, buyer, { method: 'GET', url: '/agreements?limit=1' })).json();
  t.equal(page1.items[0].id, after.agreementId, 'most recently changed first');
  const page2 = (await as(app, buyer, { method: 'GET', url: `/agreements?limit=1&cursor=${page1.next}` })).json();
  t.same([page2.items.map((a: { id: string }) => a.id), page2.next], [[before.agreementId], null], 'the cursor pages on');
});
