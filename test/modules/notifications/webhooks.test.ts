import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { IdentityCipher } from '../../../src/modules/identity/crypto.js';
import { deliverNotifications, notificationView } from '../../../src/modules/notifications/notifier.js';
import { webhookDeliveries } from '../../../src/modules/notifications/tables.js';
import { deliverWebhooks, isPrivateAddress, MAX_WEBHOOK_ATTEMPTS } from '../../../src/modules/notifications/webhooks.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { createVerifiedParty } from '../../helpers/identity.js';
import { deliveredOrder, placeOrder, sampleOrder, tradingWorld } from '../../helpers/trading.js';

/** A receiver on 127.0.0.1 that answers as `answer` says and keeps what it got. */
async function receiver(t: Test) {
  const got: { headers: IncomingMessage['headers']; body: string }[] = [];
  let answer: 'ok' | 'fail' | 'hang' = 'ok';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      if (answer === 'hang') return;
      res.writeHead(answer === 'ok' ? 204 : 500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, answer: (a: typeof answer) => (answer = a) };
}

const verify = (secret: string, header: string, body: string) => {
  const { t: ts, v1 } = Object.fromEntries(header.split(',').map((kv) => kv.split('='))) as { t: string; v1: string };
  return createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex') === v1;
};

t.test('a party’s webhook gets its notifications signed; retried while the endpoint fails; secrets rotate; removal stops it', async (t) => {
  const app = await buildTestApp(t);
  const hook = await receiver(t);
  // A short time to answer, so the endpoint that hangs costs the test little.
  const settings = { cipher: new IdentityCipher(app.config.identityKey, 'webhook-secret'), allowPrivate: true, timeoutMs: 300 };
  const send = (at = new Date()) => deliverWebhooks(app.db, settings, notificationView, () => at);
  const { buyer, product } = await tradingWorld(app);
  const partyId = buyer.party.id;
  const endpoints = `/parties/${partyId}/webhook-endpoints`;

  const added = await as(app, buyer.user, { method: 'POST', url: endpoints, payload: { url: hook.url } });
  t.equal(added.statusCode, 201, added.body);
  const { id: endpointId, secret } = added.json();
  t.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  t.notOk(JSON.stringify((await as(app, buyer.user, { method: 'GET', url: endpoints })).json()).includes(secret), 'the secret is shown once');

  await deliveredOrder(app, buyer.user, product.id);
  await deliverNotifications(app.db);
  t.same(await send(), { delivered: 4, retried: 0, failed: 0 }, 'the buyer’s verification and its three trade notifications');
  const first = hook.got[0]!;
  t.ok(verify(secret, String(first.headers['x-exchange-signature']), first.body), 'signed with the endpoint’s secret');
  t.match(JSON.parse(first.body), { id: first.headers['x-exchange-delivery'], notification: { kind: first.headers['x-exchange-event'], title: { zh: /./, en: /./ } } });
  t.equal(await send().then((r) => r.delivered), 0, 'each delivered once');

  // The endpoint fails: retried with back-off, every attempt listed, given up after the last.
  hook.answer('fail');
  const rotated = (await as(app, buyer.user, { method: 'POST', url: `${endpoints}/${endpointId}/secret` })).json();
  t.not(rotated.secret, secret);
  await placeOrder(app, buyer.user, sampleOrder(product.id));
  await deliverNotifications(app.db);
  t.same(await send(), { delivered: 0, retried: 1, failed: 0 }, 'the agreement to sign reaches a failing endpoint');
  t.ok(verify(rotated.secret, String(hook.got.at(-1)!.headers['x-exchange-signature']), hook.got.at(-1)!.body), 'signed with the new secret');
  let later = Date.now();
  for (let i = 2; i <= MAX_WEBHOOK_ATTEMPTS; i++) {
    later += 2 * 3_600_000;
    await send(new Date(later));
  }
  const listed = (await as(app, buyer.user, { method: 'GET', url: `${endpoints}/${endpointId}/deliveries` })).json();
  t.match(listed.items[0], { status: 'failed', attempts: MAX_WEBHOOK_ATTEMPTS, lastStatus: 500, lastError: /500/ });
  t.equal(listed.items.filter((d: { status: string }) => d.status === 'delivered').length, 4);

  // An endpoint that does not answer in time counts as a failed attempt.
  hook.answer('hang');
  await app.db.update(webhookDeliveries).set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(0) }).where(eq(webhookDeliveries.endpointId, endpointId));
  t.match(await send(new Date(later + 1)), { retried: 5 }, 'every delivery timed out and waits for another try');
  const [slow] = (await as(app, buyer.user, { method: 'GET', url: `${endpoints}/${endpointId}/deliveries` })).json().items;
  t.match(slow.lastError, /no answer within/);

  // Removed: the waiting deliveries fail, and nothing more is sent.
  t.equal((await as(app, buyer.user, { method: 'DELETE', url: `${endpoints}/${endpointId}` })).statusCode, 204);
  t.same((await as(app, buyer.user, { method: 'GET', url: endpoints })).json(), []);
  t.same(await send(new Date(later + 10 * 3_600_000)), { delivered: 0, retried: 0, failed: 0 });
  t.ok((await app.db.select().from(webhookDeliveries)).every((d) => d.status !== 'pending'), 'nothing waits for a removed endpoint');
});

t.test('only the party’s admins manage its webhooks, at public https addresses', async (t) => {
  const app = await buildTestApp(t, { webhookAllowPrivateAddresses: false });
  const owner: TestUser = await signUp(app, ['buyer'], 'owner');
  const party = await createVerifiedParty(app, owner, await signUp(app, ['operator'], 'ops'));
  const add = (user: TestUser, url: string) => as(app, user, { method: 'POST', url: `/parties/${party.id}/webhook-endpoints`, payload: { url } });
  for (const url of ['http://hooks.example.cn/x', 'https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://localhost/x', 'https://[::1]/x', 'https://user:pw@hooks.example.cn/x']) {
    expectProblem(t, await add(owner, url), 422, 'webhook-url-not-allowed');
  }
  expectProblem(t, await add(owner, 'not a url'), 400, 'validation-failed');
  expectProblem(t, await add(await signUp(app, ['buyer'], 'stranger'), 'https://hooks.example.cn/x'), 404, 'not-found');
  t.equal((await add(owner, 'https://hooks.example.cn/exchange')).statusCode, 201);
  for (const ip of ['10.0.0.1', '172.20.1.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:10.0.0.1']) t.ok(isPrivateAddress(ip), `${ip} is private`);
  t.notOk(isPrivateAddress('203.0.113.9'));
});
