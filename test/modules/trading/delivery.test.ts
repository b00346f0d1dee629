// Delivery: download grants for exactly the declared bytes (Range, digests, the log), their limits,
// and API/offline delivery recorded by the provider and confirmed by the buyer.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { as, expectProblem } from '../../helpers/app.js';
import { uploadVersion } from '../../helpers/catalog.js';
import { markPaid, paidOrder, placeOrder, readOrder, sampleOrder, signAgreement, tradingWorld, verifiedUser, buildTradingApp } from '../../helpers/trading.js';

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

t.test('downloads', async (t) => {
  const app = await buildTradingApp(t);
  const { clerk, provider, buyer, product } = await tradingWorld(app);
  const download = (grantId: string, headers: Record<string, string> = {}, user = buyer.user) => as(app, user, { method: 'GET', url: `/grants/${grantId}/download`, headers });

  t.test('the whole file: exactly the declared bytes, with its hash in ETag and the digests', async (t) => {
    const { grant } = await paidOrder(app, buyer.user, product.id);
    const res = await download(grant!.id);
    t.equal(res.statusCode, 200);
    t.equal(createHash('sha256').update(res.rawPayload).digest('hex'), product.version.sha256);
    t.equal(res.headers.etag, `"${product.version.sha256}"`);
    t.equal(res.headers['content-digest'], `sha-256=:${b64(product.version.sha256)}:`);
    t.equal(res.headers['repr-digest'], `sha-256=:${b64(product.version.sha256)}:`);
    t.equal(res.headers.digest, `SHA-256=${b64(product.version.sha256)}`);
    t.equal(res.headers['accept-ranges'], 'bytes');
  });

  t.test('ranges: 206 with Content-Range, a resumed download does not count, If-Range, 416 past the end', async (t) => {
    const { grant, order } = await paidOrder(app, buyer.user, product.id);
    const size = grant!.sizeBytes;
    const head = await download(grant!.id, { range: 'bytes=0-9' });
    t.equal(head.statusCode, 206);
    t.equal(head.headers['content-range'], `bytes 0-9/${size}`);
    t.equal(head.rawPayload.length, 10);
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivering', 'not complete yet');
    const rest = await download(grant!.id, { range: 'bytes=10-' });
    t.equal(rest.statusCode, 206);
    t.equal(Buffer.concat([head.rawPayload, rest.rawPayload]).length, size);
    t.equal(createHash('sha256').update(Buffer.concat([head.rawPayload, rest.rawPayload])).digest('hex'), product.version.sha256);
    t.equal((await readOrder(app, buyer.user, order.id)).status, 'delivered', 'the last byte reached: delivered');
    const stale = await download(grant!.id, { range: 'bytes=0-4', 'if-range': '"0000"' });
    t.equal(stale.statusCode, 200, 'If-Range that does not match: the whole file');
    const past = await download(grant!.id, { range: `bytes=${size}-` });
    expectProblem(t, past, 416, 'range-not-satisfiable');
    t.equal(past.headers['content-range'], `bytes */${size}`);
    const grants = (await as(app, buyer.user, { method: 'GET', url: `/orders/${order.id}/grants` })).json<{ downloadsUsed: number }[]>();
    t.equal(grants[0]!.downloadsUsed, 2, 'bytes=0-9 and the stale whole file counted; the resume and the 416 did not');
    const record = (await as(app, clerk, { method: 'GET', url: `/orders/${order.id}/record` })).json<{ downloads: { rangeStart: number; rangeEnd: number; sha256: string; userId: string }[] }>();
    t.same(record.downloads.map((d) => [d.rangeStart, d.rangeEnd]), [[0, 9], [10, size - 1], [0, size - 1]]);
    t.ok(record.downloads.every((d) => d.sha256 === product.version.sha256 && d.userId === buyer.user.id));
  });

  t.test("another party's grant is 404", async (t) => {
    const { grant } = await paidOrder(app, buyer.user, product.id);
    const other = await verifiedUser(app, ['buyer'], clerk);
    expectProblem(t, await download(grant!.id, {}, other.user), 404, 'not-found');
  });

  t.test('a used-up grant, and a revoked one, are 410 and log nothing', async (t) => {
    const { grant, order } = await paidOrder(app, buyer.user, product.id);
    for (let i = 0; i < 3; i++) t.equal((await download(grant!.id)).statusCode, 200);
    const usedUp = expectProblem(t, await download(grant!.id), 410, 'grant-unusable') as { reason?: string };
    t.equal(usedUp.reason, 'used_up');

    const second = await paidOrder(app, buyer.user, product.id);
    expectProblem(t, await as(app, buyer.user, { method: 'POST', url: `/grants/${second.grant!.id}/revocation`, payload: { reason: 'x' } }), 403, 'forbidden');
    const revoked = await as(app, clerk, { method: 'POST', url: `/grants/${second.grant!.id}/revocation`, payload: { reason: 'Court order 2026-17' } });
    t.equal(revoked.statusCode, 200);
    const body = expectProblem(t, await download(second.grant!.id), 410, 'grant-unusable') as { reason?: string };
    t.equal(body.reason, 'revoked');
    expectProblem(t, await as(app, clerk, { method: 'POST', url: `/grants/${second.grant!.id}/revocation`, payload: { reason: 'again' } }), 409, 'invalid-state');
    const record = (await as(app, clerk, { method: 'GET', url: `/orders/${order.id}/record` })).json<{ downloads: unknown[] }>();
    t.equal(record.downloads.length, 3);
  });

  t.test('the grant is for the version the revision declared, even after the provider uploads another', async (t) => {
    const newer = await uploadVersion(app, provider.user, product.id);
    t.equal((await as(app, provider.user, { method: 'PATCH', url: `/catalog/listings/${product.id}`, payload: { datasetVersionId: newer.id } })).statusCode, 200);
    const placed = await placeOrder(app, buyer.user, sampleOrder(product.id));
    await signAgreement(app, placed);
    await markPaid(app, placed.id);
    const grants = (await as(app, buyer.user, { method: 'GET', url: `/orders/${placed.id}/grants` })).json<{ sha256: string; datasetVersionId: string }[]>();
    t.equal(grants[0]!.datasetVersionId, product.version.id, 'the live revision’s version, not the draft’s');
    t.equal(grants[0]!.sha256, product.version.sha256);
  });
});

t.test('an expired grant is 410', async (t) => {
  const app = await buildTradingApp(t, { downloadGrantDays: 1 / 86_400 });
  const { buyer, product } = await tradingWorld(app);
  const { grant } = await paidOrder(app, buyer.user, product.id);
  await sleep(1100);
  const body = expectProblem(t, await as(app, buyer.user, { method: 'GET', url: `/grants/${grant!.id}/download` }), 410, 'grant-unusable') as { reason?: string };
  t.equal(body.reason, 'expired');
});

t.test('API delivery: the provider records what it delivered, the buyer confirms receipt', async (t) => {
  const app = await buildTradingApp(t);
  const { provider, buyer, product } = await tradingWorld(app, { deliveryMethod: 'api' });
  const { order, grant } = await paidOrder(app, buyer.user, product.id);
  t.equal(grant, undefined, 'no download grant for an API listing');
  const post = (user: typeof buyer.user, path: string, payload?: object) => as(app, user, { method: 'POST', url: `/orders/${order.id}/${path}`, payload });
  expectProblem(t, await post(buyer.user, 'receipt'), 409, 'invalid-state');
  const sha256 = createHash('sha256').update('api export 2026-11').digest('hex');
  expectProblem(t, await post(buyer.user, 'deliveries', { description: 'x', sha256 }), 403, 'forbidden');
  const recorded = await post(provider.user, 'deliveries', { description: 'API key issued; export of 2026-11 served', sha256, sizeBytes: 1234 });
  t.equal(recorded.statusCode, 201);
  const confirmed = await post(buyer.user, 'receipt');
  t.equal(confirmed.json<{ status: string }>().status, 'delivered');
  const record = (await as(app, provider.user, { method: 'GET', url: `/orders/${order.id}/record` })).json<{ deliveries: { sha256: string; confirmedAt: string | null; confirmAuditEventId: string | null }[] }>();
  t.equal(record.deliveries[0]!.sha256, sha256);
  t.ok(record.deliveries[0]!.confirmedAt && record.deliveries[0]!.confirmAuditEventId);
  expectProblem(t, await post(provider.user, 'deliveries', { description: 'late', sha256 }), 409, 'invalid-state');
});
