// Central procurement through the HTTP API (Art. 27 ¶3, Art. 13(2)): two departments file needs,
// the bureau consolidates them and buys once as buyer of record, signs with the provider, pays by
// bank transfer; each department downloads with its own grant, a third reaches nothing, the bureau
// accepts, and the budgets show the committed shares.
import t from 'tap';
import { as, buildTestApp, expectProblem } from '../../helpers/app.js';
import { contentHash, signAs } from '../../helpers/agreements.js';
import { department, publishedEntry } from '../../helpers/public-data.js';
import { bureauOf, consolidation, ok, type ProcurementShape } from '../../helpers/procurement.js';
import { fileNeed } from '../../helpers/route-world.js';
import { recordReceipt } from '../../helpers/settlement.js';
import { readOrder, tradingWorld } from '../../helpers/trading.js';

t.test('two departments, one purchase by the bureau, a grant each', async (t) => {
  const app = await buildTestApp(t);
  const { clerk, provider, product } = await tradingWorld(app);
  const bureau = await bureauOf(app, clerk);
  const [transport, planning, outsider] = [await department(app, clerk), await department(app, clerk), await department(app, clerk)];
  // A third department publishes passenger statistics, open and shared, on the open list.
  const entry = await publishedEntry(app, outsider.user, bureau.user);

  await ok(await as(app, bureau.user, { method: 'POST', url: '/procurement/budgets', payload: { departmentPartyId: transport.party.id, year: 2026, amountMinor: 200_000 } }));
  await ok(await as(app, bureau.user, { method: 'POST', url: '/procurement/budgets', payload: { departmentPartyId: planning.party.id, year: 2026, amountMinor: 1_000_000 } }));

  const overBudget = await fileNeed(app, transport.user, { budgetMinor: 300_000 });
  t.match(overBudget, { status: 'filed', overBudget: true, budgetAtFilingMinor: 200_000, availableAsPublicData: [] }, 'filed, flagged over budget');
  const shareable = await fileNeed(app, planning.user, { title: '交通运输客运量统计', budgetMinor: 200_000 });
  t.match(shareable, { overBudget: false, availableAsPublicData: [{ entryId: entry.id, departmentPartyId: outsider.party.id, ways: ['sharing', 'opening'] }] }, 'Art. 13(2): the open list has it');

  // Departments see their own needs only; the bureau sees both, flags and all.
  expectProblem(t, await as(app, transport.user, { method: 'GET', url: `/procurement/needs/${shareable.id}` }), 404, 'not-found');
  t.same((await ok<{ items: { id: string }[] }>(await as(app, transport.user, { method: 'GET', url: '/procurement/needs' }))).items.map((n) => n.id), [overBudget.id]);
  const seen = await ok<{ items: { id: string; overBudget: boolean }[] }>(await as(app, bureau.user, { method: 'GET', url: '/procurement/needs?budgetYear=2026' }));
  t.same(seen.items.map((n) => n.id).sort(), [overBudget.id, shareable.id].sort());

  // A department cannot act as the bureau.
  expectProblem(t, await as(app, transport.user, { method: 'POST', url: '/procurement/procurements', payload: consolidation([overBudget.id], product.id) }), 403, 'forbidden');

  const made = await ok<ProcurementShape>(await as(app, bureau.user, { method: 'POST', url: '/procurement/procurements', payload: consolidation([overBudget.id, shareable.id], product.id) }), 201);
  t.match(made, { status: 'draft', amountMinor: 500_000, bureauPartyId: bureau.party.id, needIds: [overBudget.id, shareable.id] });
  t.same(made.shares.map((s) => [s.departmentPartyId, s.amountMinor]), [[transport.party.id, 300_000], [planning.party.id, 200_000]], 'in proportion to the budgets');
  expectProblem(t, await as(app, transport.user, { method: 'POST', url: `/procurement/procurements/${made.id}/order` }), 403, 'forbidden');

  const ordered = await ok<ProcurementShape>(await as(app, bureau.user, { method: 'POST', url: `/procurement/procurements/${made.id}/order` }));
  t.equal(ordered.status, 'ordered');
  t.ok(ordered.shares.every((s) => s.committedAt), 'the shares are committed when ordered');
  const order = await ok<{ id: string; status: string; agreement: { id: string } }>(await as(app, bureau.user, { method: 'GET', url: `/orders/${ordered.orderId}` }));
  t.match(order, { status: 'agreement_pending', buyerPartyId: bureau.party.id, procurement: { id: made.id, number: made.number, beneficiaryPartyIds: [transport.party.id, planning.party.id] } });

  // The central procurement agreement, naming both departments, signed like a trade agreement.
  const agreementId = order.agreement.id as string;
  const agreement = await ok<{ kind: string }>(await as(app, bureau.user, { method: 'GET', url: `/agreements/${agreementId}` }));
  t.equal(agreement.kind, 'procurement');
  t.ok(JSON.stringify(agreement).includes(transport.party.legalName) && JSON.stringify(agreement).includes(planning.party.legalName), 'every beneficiary is named');
  const hash = await contentHash(app, bureau.user, agreementId);
  await ok(await signAs(app, bureau.user, agreementId, hash), 201);
  await ok(await signAs(app, provider.user, agreementId, hash), 201);
  t.equal((await readOrder(app, bureau.user, order.id)).status, 'payment_pending');

  const pay = await ok<{ reference: string; amountMinor: number }>(await as(app, bureau.user, { method: 'POST', url: `/orders/${order.id}/payment`, payload: { rail: 'bank_transfer' } }));
  await ok(await recordReceipt(app, clerk, pay.reference, pay.amountMinor), 201);
  t.equal((await readOrder(app, bureau.user, order.id)).status, 'delivering');

  for (const beneficiary of [transport, planning]) {
    const grants = await ok<{ id: string }[]>(await as(app, beneficiary.user, { method: 'GET', url: `/procurement/procurements/${made.id}/grants` }));
    t.equal(grants.length, 1, 'a grant of its own');
    const file = await as(app, beneficiary.user, { method: 'GET', url: `/grants/${grants[0]!.id}/download` });
    t.equal(file.statusCode, 200);
    t.equal(file.headers.etag, `"${product.version.sha256}"`, 'exactly the declared bytes');
  }
  const all = await ok<{ id: string }[]>(await as(app, bureau.user, { method: 'GET', url: `/orders/${order.id}/grants` }));
  t.equal(all.length, 2, 'the bureau sees both grants and holds none');
  expectProblem(t, await as(app, outsider.user, { method: 'GET', url: `/procurement/procurements/${made.id}` }), 404, 'not-found');
  expectProblem(t, await as(app, outsider.user, { method: 'GET', url: `/procurement/procurements/${made.id}/grants` }), 404, 'not-found');
  expectProblem(t, await as(app, outsider.user, { method: 'GET', url: `/grants/${all[0]!.id}/download` }), 404, 'not-found');
  expectProblem(t, await as(app, outsider.user, { method: 'GET', url: `/orders/${order.id}` }), 404, 'not-found');

  await ok(await as(app, bureau.user, { method: 'POST', url: `/orders/${order.id}/acceptance` }));
  const completed = await ok<ProcurementShape>(await as(app, planning.user, { method: 'GET', url: `/procurement/procurements/${made.id}` }));
  t.equal(completed.status, 'completed', 'accepted by the buyer of record: the procurement is complete');
  t.same(completed.steps.map((s) => s.action), ['created', 'order', 'complete']);
  const receipt = await as(app, planning.user, { method: 'GET', url: `${completed.steps[1]!.receipt}?wait=5` });
  t.equal(receipt.statusCode, 200, 'the department holds a receipt of the order step');

  t.match(await ok(await as(app, transport.user, { method: 'GET', url: '/procurement/budgets?year=2026' })), [{ departmentPartyId: transport.party.id, amountMinor: 200_000, committedMinor: 300_000, availableMinor: -100_000 }]);
  const budgets = await ok<{ departmentPartyId: string; committedMinor: number }[]>(await as(app, bureau.user, { method: 'GET', url: '/procurement/budgets?year=2026' }));
  t.same(Object.fromEntries(budgets.map((b) => [b.departmentPartyId, b.committedMinor])), { [transport.party.id]: 300_000, [planning.party.id]: 200_000 });
  // The operator replays the procurement's order from the audit log alone: nothing differs.
  const replay = await ok<{ consistent: boolean; replayedStatus: string; findings: unknown[] }>(await as(app, clerk, { method: 'GET', url: `/supervision/orders/${order.id}/replay` }));
  t.match(replay, { consistent: true, replayedStatus: 'accepted_by_buyer', findings: [] });
  // Filing again: the committed share counts.
  t.match(await fileNeed(app, planning.user, { budgetMinor: 900_000 }), { overBudget: true, committedAtFilingMinor: 200_000 });
});
