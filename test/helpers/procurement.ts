import type { FastifyInstance } from 'fastify';
import { as, signUp, type TestUser } from './app.js';
import { contentHash, signAs, withParty } from './agreements.js';
import { createVerifiedParty } from './identity.js';
import { department } from './public-data.js';
import { fileNeed } from './route-world.js';
import { recordReceipt } from './settlement.js';
import { readOrder, tradingWorld } from './trading.js';

/** What the tests read of a procurement. */
export interface ProcurementShape {
  id: string;
  number: string;
  status: string;
  amountMinor: number;
  bureauPartyId: string;
  needIds: string[];
  orderId: string;
  reportEveryMonths: number;
  shares: { departmentPartyId: string; amountMinor: number; committedAt: string | null }[];
  steps: { action: string; receipt: string }[];
}

/** The body of a response with the status expected, or a failure naming what came instead. */
export async function ok<T = unknown>(res: { statusCode: number; body: string }, status = 200): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 400)}`);
  return JSON.parse(res.body || 'null') as T;
}

/** A bureau user acting for the bureau's own verified public body: the buyer of record. */
export async function bureauOf(app: FastifyInstance, clerk: TestUser) {
  const user = await signUp(app, ['bureau'], 'bureau');
  const party = await createVerifiedParty(app, user, clerk, 'public_body');
  return { user: withParty(user, party.id), party };
}

/** The body that consolidates `needIds` into a procurement of the listing's one-off plan. */
export const consolidation = (needIds: string[], listingId: string, extra: Record<string, unknown> = {}) => ({
  needIds,
  listingId,
  pricePlan: '一次性购买',
  purpose: '交通规划研究',
  scenario: '全市公共交通线网与物流园区规划',
  safeguards: '政务专网存储，按岗位授权访问',
  ...extra,
});

/**
 * Two departments' needs, consolidated by the bureau into one procurement (`extra` in its body)
 * and ordered on the exchange: its agreement awaits both signatures.
 */
export async function orderedProcurement(app: FastifyInstance, extra: Record<string, unknown> = {}) {
  const { clerk, provider, product } = await tradingWorld(app);
  const bureau = await bureauOf(app, clerk);
  const transport = await department(app, clerk);
  const planning = await department(app, clerk);
  const needs = [await fileNeed(app, transport.user, { budgetMinor: 300_000 }), await fileNeed(app, planning.user, { budgetMinor: 200_000 })];
  const made = await ok<ProcurementShape>(await as(app, bureau.user, { method: 'POST', url: '/procurement/procurements', payload: consolidation(needs.map((n) => n.id), product.id, extra) }), 201);
  const procurement = await ok<ProcurementShape>(await as(app, bureau.user, { method: 'POST', url: `/procurement/procurements/${made.id}/order` }));
  return { clerk, provider, product, bureau, transport, planning, procurement };
}

/** The bureau and the provider sign the procurement's agreement; the bureau pays by bank transfer and the operator records it. */
export async function signAndPay(app: FastifyInstance, world: Awaited<ReturnType<typeof orderedProcurement>>) {
  const { bureau, provider, clerk, procurement } = world;
  const agreementId = (await readOrder(app, bureau.user, procurement.orderId)).agreement!.id;
  const hash = await contentHash(app, bureau.user, agreementId);
  await ok(await signAs(app, bureau.user, agreementId, hash), 201);
  await ok(await signAs(app, provider.user, agreementId, hash), 201);
  const pay = await ok<{ reference: string; amountMinor: number }>(await as(app, bureau.user, { method: 'POST', url: `/orders/${procurement.orderId}/payment`, payload: { rail: 'bank_transfer' } }));
  await ok(await recordReceipt(app, clerk, pay.reference, pay.amountMinor), 201);
}
