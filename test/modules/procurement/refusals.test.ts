// What central procurement refuses: needs hidden from other departments, a need consolidated twice,
// shares that do not add up, a purpose the licence does not allow, withdrawal after consolidation,
// cancellation that frees the needs, and ordering by anyone but the bureau's own party.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { withParty } from '../../helpers/agreements.js';
import { createVerifiedParty } from '../../helpers/identity.js';
import { department } from '../../helpers/public-data.js';
import { ok, type ProcurementShape } from '../../helpers/procurement.js';
import { fileNeed } from '../../helpers/route-world.js';
import { tradingWorld } from '../../helpers/trading.js';

async function world(app: FastifyInstance) {
  const { clerk, product } = await tradingWorld(app);
  const bureauUser = await signUp(app, ['bureau'], 'bureau');
  const bureauParty = await createVerifiedParty(app, bureauUser, clerk, 'public_body');
  const bureau: TestUser = withParty(bureauUser, bureauParty.id);
  const a = await department(app, clerk);
  const b = await department(app, clerk);
  return { clerk, product, bureau, a, b };
}

const body = (needIds: string[], listingId: string, extra: Record<string, unknown> = {}) => ({
  needIds,
  listingId,
  pricePlan: '一次性购买',
  purpose: '交通规划研究',
  scenario: '线网规划',
  safeguards: '专网存储',
  ...extra,
});

t.test('needs: hidden from other departments, withdrawn by their own, flagged without a budget', async (t) => {
  const app = await buildTestApp(t);
  const { a, b, bureau } = await world(app);
  const need = await fileNeed(app, a.user);
  t.match(need, { overBudget: true, budgetAtFilingMinor: null }, 'no budget set: over budget');
  expectProblem(t, await as(app, b.user, { method: 'GET', url: `/procurement/needs/${need.id}` }), 404, 'not-found');
  expectProblem(t, await as(app, b.user, { method: 'POST', url: `/procurement/needs/${need.id}/withdrawal`, payload: { reason: '不需要' } }), 404, 'not-found');
  t.same((await ok<{ items: unknown[] }>(await as(app, b.user, { method: 'GET', url: '/procurement/needs' }))).items, []);
  t.same((await ok<{ items: unknown[] }>(await as(app, b.user, { method: 'GET', url: `/procurement/needs?departmentPartyId=${a.party.id}` }))).items, [], 'naming another department shows nothing');
  expectProblem(t, await as(app, b.user, { method: 'GET', url: `/procurement/budgets?year=2026&departmentPartyId=${a.party.id}` }), 404, 'not-found');
  expectProblem(t, await as(app, a.user, { method: 'POST', url: '/procurement/needs', payload: { title: '数据', description: 'x', duty: 'y', legalBasis: 'z', budgetMinor: 1, term: { start: '2026-05-01', end: '2026-04-01' }, budgetYear: 2026 } }), 400, 'validation-failed');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/budgets', payload: { departmentPartyId: '00000000-0000-4000-8000-000000000000', year: 2026, amountMinor: 1 } }), 400, 'validation-failed');
  const withdrawn = await ok<{ status: string }>(await as(app, a.user, { method: 'POST', url: `/procurement/needs/${need.id}/withdrawal`, payload: { reason: '已通过共享获得' } }));
  t.equal(withdrawn.status, 'withdrawn');
  expectProblem(t, await as(app, a.user, { method: 'POST', url: `/procurement/needs/${need.id}/withdrawal`, payload: { reason: '再次' } }), 409, 'invalid-state');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body([need.id], '00000000-0000-4000-8000-000000000000') }), 409, 'invalid-state');
});

t.test('consolidation: shares that do not add up, a purpose the licence does not allow, a need consolidated twice', async (t) => {
  const app = await buildTestApp(t);
  const { a, b, bureau, product } = await world(app);
  const needA = await fileNeed(app, a.user, { budgetMinor: 100_000 });
  const needB = await fileNeed(app, b.user, { budgetMinor: 200_000 });
  const both = [needA.id, needB.id];

  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id, { shares: [{ departmentPartyId: a.party.id, amountMinor: 100 }, { departmentPartyId: b.party.id, amountMinor: 100 }] }) }), 422, 'shares-mismatch');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id, { shares: [{ departmentPartyId: a.party.id, amountMinor: 500_000 }] }) }), 422, 'shares-mismatch');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id, { purpose: '精准营销' }) }), 422, 'purpose-not-allowed');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id, { pricePlan: '不存在的方案' }) }), 400, 'validation-failed');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body(['00000000-0000-4000-8000-000000000000'], product.id) }), 400, 'validation-failed');
  // The bureau's role without a party to act for: it says so.
  expectProblem(t, await as(app, await signUp(app, ['bureau'], 'partyless'), { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id) }), 403, 'party-required');
  expectProblem(t, await as(app, a.user, { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id) }), 403, 'forbidden');

  const given = await ok<ProcurementShape>(
    await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body(both, product.id, { shares: [{ departmentPartyId: b.party.id, amountMinor: 400_000 }, { departmentPartyId: a.party.id, amountMinor: 100_000 }] }) }),
    201,
  );
  t.same(given.shares.map((s) => s.amountMinor), [100_000, 400_000], 'the shares as given, in the needs’ order');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body([needA.id], product.id) }), 409, 'need-already-consolidated');
  expectProblem(t, await as(app, a.user, { method: 'POST', url: `/procurement/needs/${needA.id}/withdrawal`, payload: { reason: '不需要' } }), 409, 'invalid-state');

  // Cancelled before it is ordered: the needs are free again; a cancelled procurement is not ordered.
  const cancelled = await ok<{ status: string; needIds: string[] }>(await as(app, bureau, { method: 'POST', url: `/procurement/procurements/${given.id}/cancellation`, payload: { reason: '改为分别采购' } }));
  t.match(cancelled, { status: 'cancelled', needIds: [] });
  expectProblem(t, await as(app, bureau, { method: 'POST', url: `/procurement/procurements/${given.id}/order` }), 409, 'invalid-state');
  const again = await ok<ProcurementShape>(await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload: body([needB.id, needA.id], product.id, { quantity: 1 }) }), 201);
  t.same(again.shares.map((s) => s.amountMinor), [333_334, 166_666], 'by default in proportion to the budgets, the remainder to the first');
  t.same((await ok<{ items: unknown[] }>(await as(app, a.user, { method: 'GET', url: '/procurement/procurements' }))).items.length, 2, 'a department lists the procurements it benefits from, the cancelled one too');

  // Another bureau party's procurement is not there for this bureau's party to order.
  const other = await signUp(app, ['bureau'], 'other-bureau');
  const { clerk } = await tradingWorld(app);
  const otherParty = await createVerifiedParty(app, other, clerk, 'public_body');
  expectProblem(t, await as(app, withParty(other, otherParty.id), { method: 'POST', url: `/procurement/procurements/${again.id}/order` }), 404, 'not-found');
  expectProblem(t, await as(app, withParty(other, otherParty.id), { method: 'POST', url: `/procurement/procurements/${again.id}/cancellation`, payload: { reason: 'x' } }), 404, 'not-found');

  const ordered = await ok<{ status: string; orderId: string }>(await as(app, bureau, { method: 'POST', url: `/procurement/procurements/${again.id}/order` }));
  t.equal(ordered.status, 'ordered');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: `/procurement/procurements/${again.id}/order` }), 409, 'invalid-state');
  expectProblem(t, await as(app, bureau, { method: 'POST', url: `/procurement/procurements/${again.id}/cancellation`, payload: { reason: '太晚' } }), 409, 'invalid-state');
  // A department is not the buyer of record: the order itself is not its to pay.
  expectProblem(t, await as(app, a.user, { method: 'POST', url: `/orders/${ordered.orderId}/payment`, payload: { rail: 'bank_transfer' } }), 404, 'not-found');
  t.same(await ok(await as(app, a.user, { method: 'GET', url: `/procurement/procurements/${again.id}/grants` })), [], 'no grant before payment');

  // The bureau withdraws the order before it is signed: nothing was bought, nothing stays committed, the needs are free.
  await ok(await as(app, bureau, { method: 'POST', url: `/orders/${ordered.orderId}/cancellation`, payload: { reason: '预算调整' } }));
  const ended = await ok<ProcurementShape>(await as(app, bureau, { method: 'GET', url: `/procurement/procurements/${again.id}` }));
  t.match(ended, { status: 'cancelled', needIds: [] });
  t.ok(ended.shares.every((s) => s.committedAt === null), 'the shares no longer count');
  t.match(await ok(await as(app, a.user, { method: 'GET', url: `/procurement/needs/${needA.id}` })), { status: 'filed', procurementId: null });
  t.match(await ok(await as(app, a.user, { method: 'GET', url: '/procurement/budgets?year=2026' })), [{ committedMinor: 0, amountMinor: null, availableMinor: null }]);
});
