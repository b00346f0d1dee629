// What one party reads of another's actions, and what a third party reads of a trade, with the real
// modules through the HTTP API. A party sees its own people; of the other side, only that the party
// acted, in which role and when: never the user id, e-mail or name of the person. Whoever is not a
// party to a trade (and not staff) reads a listing's lineage as titles and dates, never the cited
// trade's order or listing id. Every answer is walked whole (test/helpers/leaks.ts).
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { as, buildTestApp, signUp, type TestUser } from '../helpers/app.js';
import { contentHash, signAs } from '../helpers/agreements.js';
import { approve, completeDraft, listedProduct, sampleListing, sampleProvenance, submit } from '../helpers/catalog.js';
import { createVerifiedParty, type TestParty } from '../helpers/identity.js';
import { assertNoLeaks, findLeaks, personSecrets, type Secrets } from '../helpers/leaks.js';
import { bankRef, recordReceipt } from '../helpers/settlement.js';
import { placeOrder, sampleOrder, type OrderShape } from '../helpers/trading.js';

interface Person {
  user: TestUser;
  party: TestParty;
  secrets: Secrets;
}

/** A person with a distinctive name, acting for a verified party of their own. */
async function person(app: FastifyInstance, clerk: TestUser, roles: ('buyer' | 'provider')[], name: string, label: string): Promise<Person> {
  const user = await signUp(app, roles, name);
  const party = await createVerifiedParty(app, user, clerk);
  return { user: { ...user, auth: { ...user.auth, 'x-party-id': party.id } }, party, secrets: personSecrets(label, { id: user.id, email: user.email, displayName: name }) };
}

async function ok<T = unknown>(res: { statusCode: number; body: string }, status = 200, what = ''): Promise<T> {
  if (res.statusCode !== status) throw new Error(`${what} expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 400)}`);
  return JSON.parse(res.body || 'null') as T;
}

const get = (app: FastifyInstance, user: TestUser, url: string) => as(app, user, { method: 'GET', url });
const post = (app: FastifyInstance, user: TestUser, url: string, payload?: Record<string, unknown>) => as(app, user, { method: 'POST', url, ...(payload === undefined ? {} : { payload }) });

/** Every event that concerns the party, all pages, and the receipt of each. */
async function eventsAndReceipts(app: FastifyInstance, reader: Person): Promise<{ events: unknown[]; receipts: unknown[] }> {
  const events: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; next: string | null } = await ok(await get(app, reader.user, `/parties/${reader.party.id}/audit-events?limit=200${cursor ? `&cursor=${cursor}` : ''}`));
    events.push(...page.items);
    cursor = page.next;
  } while (cursor);
  const receipts = await Promise.all(events.map(async (e) => ok(await get(app, reader.user, `/audit/events/${e.id}/receipt?wait=5`), 200, 'receipt')));
  return { events, receipts };
}

t.test('the leak walker finds a secret in a key, a nested value and base64 text', async (t) => {
  const secrets = { id: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Zhou Xun' };
  const leaf = Buffer.from(JSON.stringify({ actor: { userId: secrets.id } })).toString('base64');
  t.same(
    findLeaks({ list: [{ deep: `signed by ZHOU XUN` }], [secrets.id]: 1, receipt: { leaf } }, secrets).map((l) => `${l.secret} ${l.path} ${l.where}`),
    ['name /list/0/deep value', `id /${secrets.id} key`, 'id /receipt/leaf base64 value'],
  );
  t.same(findLeaks({ a: ['nothing', 42, null, true], b: 'ZmFyIGZyb20gYW55dGhpbmc=' }, secrets), []);
});

t.test('no party sees the other side’s people, in any view of the trade, either way', async (t) => {
  const app = await buildTestApp(t);
  const clerk = await signUp(app, ['operator'], 'clerk');
  const seller = await person(app, clerk, ['provider'], 'qianduoduo', 'the provider’s admin');
  // The buyer also sells what it makes from what it bought (the lineage test below).
  const buyer = await person(app, clerk, ['buyer', 'provider'], 'sunlili', 'the buyer’s admin');
  const product = await listedProduct(app, seller.user, clerk, { licence: { ...sampleListing().licence, onwardTransfer: 'allowed' } });

  // Trade 1: the buyer signs first, the provider second; bank transfer; an offline delivery the
  // provider records; the buyer downloads, accepts; the provider is paid.
  const first = await placeOrder(app, buyer.user, sampleOrder(product.id));
  const agreementOf = (order: OrderShape) => order.agreement!.id;
  const hash1 = await contentHash(app, buyer.user, agreementOf(first));
  const buyerSigned1 = await ok(await signAs(app, buyer.user, agreementOf(first), hash1), 201, 'buyer signs');
  const providerSigned1 = await ok(await signAs(app, seller.user, agreementOf(first), hash1), 201, 'provider signs');
  const pay = await ok<{ paymentId: string; reference: string }>(await post(app, buyer.user, `/orders/${first.id}/payment`, { rail: 'bank_transfer' }));
  await ok(await recordReceipt(app, clerk, pay.reference, first.amountMinor), 201, 'bank receipt');
  const delivery = await ok(await post(app, seller.user, `/orders/${first.id}/deliveries`, { description: '另以移动硬盘交付 also on a drive', sha256: product.version.sha256 }), 201, 'delivery');
  const [grant] = await ok<{ id: string }[]>(await get(app, buyer.user, `/orders/${first.id}/grants`));
  t.equal((await get(app, buyer.user, `/grants/${grant!.id}/download`)).statusCode, 200);
  const accepted = await ok(await post(app, buyer.user, `/orders/${first.id}/acceptance`));
  const net = first.amountMinor - first.feeMinor;
  await ok(await post(app, clerk, `/settlement/payments/${pay.paymentId}/payout/bank-transfer`, { amountMinor: net, currency: 'CNY', bankReference: bankRef() }));

  // Trade 2: the provider signs first, the buyer second; the operator ends it; the buyer certifies
  // the disposal of the data.
  const second = await placeOrder(app, buyer.user, sampleOrder(product.id));
  const hash2 = await contentHash(app, seller.user, agreementOf(second));
  const providerSigned2 = await ok(await signAs(app, seller.user, agreementOf(second), hash2), 201, 'provider signs');
  const buyerSigned2 = await ok(await signAs(app, buyer.user, agreementOf(second), hash2), 201, 'buyer signs');
  await ok(await post(app, clerk, `/agreements/${agreementOf(second)}/termination`, { reason: '双方同意提前终止 ended early by consent' }));
  const disposal = await ok(await post(app, buyer.user, `/agreements/${agreementOf(second)}/disposal`, { method: 'deleted', statement: '已删除全部副本 every copy deleted' }), 201, 'disposal');

  const sealed = await ok<{ sealedSha256: string }>(await get(app, buyer.user, `/agreements/${agreementOf(first)}`));

  t.test('the buyer reads nothing of the provider’s people', async (t) => {
    const views: Record<string, unknown> = {
      'GET /orders/{id}': await ok(await get(app, buyer.user, `/orders/${first.id}`)),
      'GET /orders/purchases': await ok(await get(app, buyer.user, '/orders/purchases')),
      'GET /orders/{id}/record': await ok(await get(app, buyer.user, `/orders/${first.id}/record`)),
      'GET /orders/{id}/grants': await ok(await get(app, buyer.user, `/orders/${first.id}/grants`)),
      'POST /orders/{id}/acceptance': accepted,
      'GET /agreements/{id}': await ok(await get(app, buyer.user, `/agreements/${agreementOf(first)}`)),
      'GET /agreements': await ok(await get(app, buyer.user, '/agreements')),
      'POST /agreements/{id}/signatures (signing second)': buyerSigned2,
      'POST /agreements/{id}/signatures (signing first)': buyerSigned1,
      'POST /agreements/{id}/disposal': disposal,
      'GET /settlement/payments/{id}': await ok(await get(app, buyer.user, `/settlement/payments/${pay.paymentId}`)),
      'GET /agreement-verifications/{sha256}': await ok(await app.inject({ method: 'GET', url: `/agreement-verifications/${sealed.sealedSha256}` })),
      ...Object.fromEntries(Object.entries(await eventsAndReceipts(app, buyer)).map(([k, v]) => [`party audit ${k}`, v])),
    };
    for (const [what, body] of Object.entries(views)) assertNoLeaks(t, body, seller.secrets, what);
  });

  t.test('the provider reads nothing of the buyer’s people', async (t) => {
    const views: Record<string, unknown> = {
      'GET /orders/{id}': await ok(await get(app, seller.user, `/orders/${first.id}`)),
      'GET /orders/sales': await ok(await get(app, seller.user, '/orders/sales')),
      'GET /orders/{id}/record': await ok(await get(app, seller.user, `/orders/${first.id}/record`)),
      'POST /orders/{id}/deliveries': delivery,
      'GET /agreements/{id}': await ok(await get(app, seller.user, `/agreements/${agreementOf(second)}`)),
      'GET /agreements': await ok(await get(app, seller.user, '/agreements')),
      'POST /agreements/{id}/signatures (signing second)': providerSigned1,
      'POST /agreements/{id}/signatures (signing first)': providerSigned2,
      'GET /settlement/payments/{id}': await ok(await get(app, seller.user, `/settlement/payments/${pay.paymentId}`)),
      ...Object.fromEntries(Object.entries(await eventsAndReceipts(app, seller)).map(([k, v]) => [`party audit ${k}`, v])),
    };
    for (const [what, body] of Object.entries(views)) assertNoLeaks(t, body, buyer.secrets, what);
  });

  t.test('each party still sees its own signer, staff see both, and the other side reads that the party signed', async (t) => {
    type Signature = { partyId: string; role: string; partyName: string; userId: string | null; userName: string | null; signedAt: string };
    const signatures = async (user: TestUser) => (await ok<{ signatures: Signature[] }>(await get(app, user, `/agreements/${agreementOf(first)}`))).signatures;
    const byParty = (list: Signature[], party: TestParty) => list.find((s) => s.partyId === party.id)!;
    const asBuyer = await signatures(buyer.user);
    t.match(byParty(asBuyer, buyer.party), { userId: buyer.user.id, userName: 'sunlili' }, 'the buyer sees its own signer');
    t.match(byParty(asBuyer, seller.party), { userId: null, userName: null, partyName: seller.party.legalName, role: 'provider' }, 'of the provider: the party, its role and when');
    t.ok(byParty(asBuyer, seller.party).signedAt);
    const asOperator = await signatures(clerk);
    t.match(byParty(asOperator, seller.party), { userId: seller.user.id, userName: 'qianduoduo' }, 'operators see every signer');
    t.match(byParty(asOperator, buyer.party), { userId: buyer.user.id });
    const record = await ok<{ agreement: { signatures: Signature[] } }>(await get(app, seller.user, `/orders/${first.id}/record`));
    t.match(byParty(record.agreement.signatures, seller.party), { userId: seller.user.id }, 'the record shows the provider its own signer');
    t.equal(byParty(record.agreement.signatures, buyer.party).userId, null);
  });

  t.test('a listing made from the trade names it only to the parties to it and to staff', async (t) => {
    const derived = await completeDraft(app, buyer.user, { title: { zh: '客流预测', en: 'Ridership forecast' } });
    const declared = await as(app, buyer.user, {
      method: 'PUT',
      url: `/catalog/listings/${derived.id}/provenance`,
      payload: { ...sampleProvenance([{ sha256: derived.evidence.sha256, description: 'Model card' }]), sourceType: 'bought_on_exchange', citedOrders: [first.id] },
    });
    t.equal(declared.statusCode, 200, declared.body.slice(0, 300));
    await submit(app, buyer.user, derived.id);
    await approve(app, clerk, derived.id);
    const tradeIds = { 'the cited order id': first.id, 'the cited listing id': product.id };

    const stranger = await person(app, clerk, ['buyer'], 'zhouxun', 'a stranger');
    const seen = await ok<{ live: { provenance: { declaration: { citedOrders?: string[]; lineage: Record<string, unknown>[] } } } }>(await get(app, stranger.user, `/catalog/listings/${derived.id}`));
    assertNoLeaks(t, seen, { ...tradeIds, ...seller.secrets, ...buyer.secrets }, 'a third party’s GET /catalog/listings/{id}');
    t.match(seen.live.provenance.declaration.lineage, [{ depth: 1, title: { en: 'Chongqing public transport ridership' }, orderedAt: String, completedAt: String }], 'titles and dates only');
    t.notOk('citedOrders' in seen.live.provenance.declaration, 'no cited order ids');
    // The bought listing is itself on sale, so the catalog names it; what it must not do is tie the
    // derived listing to the trade.
    const search = await ok<{ items: { id: string }[] }>(await get(app, stranger.user, '/catalog/search?q=forecast'));
    assertNoLeaks(t, search, { 'the cited order id': first.id }, 'a third party’s GET /catalog/search');
    assertNoLeaks(t, search.items.filter((i) => i.id === derived.id), tradeIds, 'the derived listing in GET /catalog/search');
    const dcat = await ok<{ 'dcat:dataset': { '@id': string }[] }>(await app.inject({ method: 'GET', url: '/catalog/dcat' }));
    assertNoLeaks(t, dcat, { 'the cited order id': first.id }, 'GET /catalog/dcat');
    const derivedInDcat = dcat['dcat:dataset'].filter((d) => d['@id'].includes(derived.id));
    t.equal(derivedInDcat.length, 1);
    assertNoLeaks(t, derivedInDcat, tradeIds, 'the derived listing in GET /catalog/dcat');

    for (const [reader, who] of [[seller.user, 'the provider of the cited trade'], [buyer.user, 'the listing’s party, which bought it'], [clerk, 'an operator']] as const) {
      const view = await ok<{ live: { provenance: { declaration: { citedOrders?: string[]; lineage: { orderId?: string; listingId?: string }[] } } } }>(await get(app, reader, `/catalog/listings/${derived.id}`));
      t.match(view.live.provenance.declaration, { citedOrders: [first.id], lineage: [{ orderId: first.id, listingId: product.id }] }, `${who} sees the trade’s ids`);
      t.notOk(JSON.stringify(view).includes('"parties"'), 'the stored parties of a citation are shown to no one');
    }
    const etag = (user: TestUser) => get(app, user, `/catalog/listings/${derived.id}`).then((r) => r.headers.etag);
    t.not(await etag(stranger.user), await etag(seller.user), 'each representation has its own ETag');
  });
});
