import type { FastifyInstance } from 'fastify';
import { createOrderEvents } from '../../src/modules/trading/events.js';
import type { Test } from 'tap';
import type { Config } from '../../src/config.js';
import { as, buildTestApp, signUp, type TestUser } from './app.js';
import { AgreementsStandIn, SettlementStandIn } from './trading-stand-ins.js';
import { listedProduct } from './catalog.js';
import { createVerifiedParty, type TestParty } from './identity.js';

/**
 * The app for trading's own tests: settlement and agreements are stand-ins that record what trading
 * asks of them, and the tests move orders with the events below (signAgreement, markPaid...), as
 * the real modules would. test/app/trade.test.ts runs whole trades with the real modules.
 */
export function buildTradingApp(t: Test, overrides: Partial<Config> = {}, options: Parameters<typeof buildTestApp>[2] = {}) {
  return buildTestApp(t, overrides, { settlement: new SettlementStandIn(), agreements: new AgreementsStandIn(), ...options });
}

export interface OrderBody {
  listingId: string;
  pricePlan: string;
  quantity?: number;
  purpose: string;
  scenario: string;
  safeguards: string;
  termStart?: string;
}

/** A valid order for a listing made with `sampleListing`; override any field. */
export const sampleOrder = (listingId: string, overrides: Partial<OrderBody> = {}): OrderBody => ({
  listingId,
  pricePlan: '一次性购买',
  purpose: '交通规划研究',
  scenario: 'Plan bus line changes in Yuzhong district from station ridership',
  safeguards: 'Stored encrypted on our own servers; access limited to the planning team',
  ...overrides,
});

export interface OrderShape {
  id: string;
  number: string;
  status: string;
  amountMinor: number;
  feeMinor: number;
  agreement: { id: string; number: string } | null;
  responseDueAt: string | null;
  acceptanceDueAt: string | null;
  buyerPartyId: string;
  providerPartyId: string;
}

async function expectStatus<T>(res: { statusCode: number; body: string }, status: number, what: string): Promise<T> {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body) as T;
}

/** A user with a verified party of its own, acting for it. */
export async function verifiedUser(app: FastifyInstance, roles: ('buyer' | 'provider' | 'department')[], clerk: TestUser): Promise<{ user: TestUser; party: TestParty }> {
  const user = await signUp(app, roles);
  const party = await createVerifiedParty(app, user, clerk);
  return { user: { ...user, auth: { ...user.auth, 'x-party-id': party.id } }, party };
}

/** An operator, a verified provider with a listing on sale, and a verified buyer. */
export async function tradingWorld(app: FastifyInstance, listing: Record<string, unknown> = {}) {
  const clerk = await signUp(app, ['operator'], 'clerk');
  const provider = await verifiedUser(app, ['provider'], clerk);
  const buyer = await verifiedUser(app, ['buyer'], clerk);
  const product = await listedProduct(app, provider.user, clerk, listing);
  return { clerk, provider, buyer, product };
}

export async function placeOrder(app: FastifyInstance, buyer: TestUser, body: OrderBody, headers: Record<string, string> = {}): Promise<OrderShape> {
  return expectStatus(await as(app, buyer, { method: 'POST', url: '/orders', payload: body, headers }), 201, 'place order');
}

export async function readOrder(app: FastifyInstance, user: TestUser, id: string): Promise<OrderShape> {
  return expectStatus(await as(app, user, { method: 'GET', url: `/orders/${id}` }), 200, 'read order');
}

/** What agreements would say once both parties signed: through trading's own event implementation. */
export async function signAgreement(app: FastifyInstance, order: Pick<OrderShape, 'id' | 'agreement'>): Promise<void> {
  const events = createOrderEvents(app.config);
  await app.db.transaction((tx) => events.signed(tx, order.id, order.agreement!.id, new Date()));
}

/** What settlement would say once the whole price is held in escrow. */
export async function markPaid(app: FastifyInstance, orderId: string): Promise<void> {
  const events = createOrderEvents(app.config);
  await app.db.transaction((tx) => events.paid(tx, orderId, new Date()));
}

export async function markPaidOut(app: FastifyInstance, orderId: string): Promise<void> {
  const events = createOrderEvents(app.config);
  await app.db.transaction((tx) => events.paidOut(tx, orderId, new Date()));
}

export async function markRefunded(app: FastifyInstance, orderId: string, amountMinor: number): Promise<void> {
  const events = createOrderEvents(app.config);
  await app.db.transaction((tx) => events.refunded(tx, orderId, amountMinor, new Date()));
}

/** An order placed, signed and paid: delivering, with a download grant for the buyer's party. */
export async function paidOrder(app: FastifyInstance, buyer: TestUser, listingId: string, overrides: Partial<OrderBody> = {}) {
  const order = await placeOrder(app, buyer, sampleOrder(listingId, overrides));
  await signAgreement(app, order);
  await markPaid(app, order.id);
  const grants = await expectStatus<{ id: string; sha256: string; sizeBytes: number }[]>(await as(app, buyer, { method: 'GET', url: `/orders/${order.id}/grants` }), 200, 'list grants');
  return { order: await readOrder(app, buyer, order.id), grant: grants[0] };
}

/** A paid order whose file the buyer downloaded whole: delivered, the acceptance window open. */
export async function deliveredOrder(app: FastifyInstance, buyer: TestUser, listingId: string) {
  const { order, grant } = await paidOrder(app, buyer, listingId);
  await expectStatus<unknown>({ ...(await as(app, buyer, { method: 'GET', url: `/grants/${grant!.id}/download` })), body: '{}' }, 200, 'download');
  return { order: await readOrder(app, buyer, order.id), grant: grant! };
}

/** A delivered order the buyer accepted and settlement paid out: completed. */
export async function completedOrder(app: FastifyInstance, buyer: TestUser, listingId: string) {
  const { order } = await deliveredOrder(app, buyer, listingId);
  await expectStatus(await as(app, buyer, { method: 'POST', url: `/orders/${order.id}/acceptance` }), 200, 'accept delivery');
  await markPaidOut(app, order.id);
  return readOrder(app, buyer, order.id);
}
