import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { sampleListing, uploadEvidence, uploadVersion, verifiedProvider } from '../../helpers/catalog.js';

const incomingOf = (app: FastifyInstance) => join(app.config.dataDir, 'blobs', 'incoming');
const leftovers = (app: FastifyInstance) => (existsSync(incomingOf(app)) ? readdirSync(incomingOf(app)) : []);

async function setUp(t: Test) {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const listing = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json<{ id: string }>();
  return { app, operator, provider, listing };
}

async function versionsOf(app: FastifyInstance, user: TestUser, id: string) {
  return (await as(app, user, { method: 'GET', url: `/catalog/listings/${id}/versions` })).json<{ id: string }[]>();
}

t.test('dataset versions are stored by SHA-256 and numbered; the listing declares the one on sale', async (t) => {
  const { app, provider, operator, listing } = await setUp(t);
  const bytes = Buffer.from('station,riders\n解放碑,12000\n');
  const first = await uploadVersion(app, provider, listing.id, bytes);
  t.equal(first.sha256, createHash('sha256').update(bytes).digest('hex'));
  t.equal(first.number, 1);
  t.ok(await app.blobs.exists(first.sha256), 'the bytes are in the store');
  const second = await uploadVersion(app, provider, listing.id);
  t.equal(second.number, 2);
  t.same((await versionsOf(app, operator, listing.id)).map((v) => v.id), [second.id, first.id]);

  const chosen = (await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${listing.id}`, payload: { datasetVersionId: first.id } })).json();
  t.equal(chosen.working.datasetVersion.id, first.id);

  const other = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();
  expectProblem(t, await as(app, provider, { method: 'PATCH', url: `/catalog/listings/${other.id}`, payload: { datasetVersionId: first.id } }), 400, 'validation-failed');
});

t.test("a stranger cannot upload to or read another party's listing", async (t) => {
  const { app, operator, listing } = await setUp(t);
  const { user: rival } = await verifiedProvider(app, operator);
  const res = await as(app, rival, { method: 'POST', url: `/catalog/listings/${listing.id}/versions`, headers: { 'content-type': 'text/csv' }, payload: 'a,b\n' });
  expectProblem(t, res, 404, 'not-found');
  expectProblem(t, await as(app, rival, { method: 'GET', url: `/catalog/listings/${listing.id}/versions` }), 404, 'not-found');
  const buyer = await signUp(app, ['buyer']);
  expectProblem(t, await as(app, buyer, { method: 'POST', url: '/catalog/documents', headers: { 'content-type': 'application/pdf' }, payload: 'x' }), 403, 'forbidden');
});

t.test('an upload over the limit is refused with 413 and leaves nothing behind', async (t) => {
  const { app, provider, listing } = await setUp(t);
  const tooBig = Buffer.alloc(app.config.catalogDatasetMaxBytes + 1, 0x61);
  const res = await as(app, provider, { method: 'POST', url: `/catalog/listings/${listing.id}/versions`, headers: { 'content-type': 'text/csv' }, payload: tooBig });
  expectProblem(t, res, 413, 'payload-too-large');
  const doc = await as(app, provider, { method: 'POST', url: '/catalog/documents', headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(app.config.catalogDocumentMaxBytes + 1) });
  expectProblem(t, doc, 413, 'payload-too-large');
  t.same(leftovers(app), []);
  t.same(await versionsOf(app, provider, listing.id), []);
});

/** Sends `sent` bytes of a body announced as `announced` bytes (or chunked), then reads the answer or breaks off. */
function rawUpload(port: number, user: TestUser, path: string, opts: { announced?: number; chunks: Buffer[]; breakOff: boolean }) {
  return new Promise<{ status?: number; body?: string }>((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path,
      agent: new Agent({ keepAlive: true }),
      headers: { ...user.auth, 'content-type': 'text/csv', ...(opts.announced ? { 'content-length': String(opts.announced) } : {}) },
    });
    req.on('error', () => resolve({}));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    (async () => {
      for (const chunk of opts.chunks) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        await sleep(20);
      }
      if (opts.breakOff) {
        // Let the server start writing the file, then cut the connection mid-body.
        await sleep(200);
        req.destroy();
        resolve({});
      } else req.end();
    })().catch(() => resolve({}));
  });
}

t.test('an upload cut off half-way over a real socket leaves no file and no row', async (t) => {
  const { app, provider, listing } = await setUp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const path = `/catalog/listings/${listing.id}/versions`;

  await rawUpload(port, provider, path, { announced: 100_000, chunks: [Buffer.alloc(20_000, 0x61), Buffer.alloc(20_000, 0x62)], breakOff: true });
  for (let i = 0; i < 100 && leftovers(app).length > 0; i++) await sleep(50);
  await sleep(100);
  t.same(leftovers(app), [], 'no half-written file in incoming');
  t.same(await versionsOf(app, provider, listing.id), [], 'no row');

  // Chunked, with no length announced: the limit is enforced while streaming.
  const chunk = Buffer.alloc(64 * 1024, 0x63);
  const over = await rawUpload(port, provider, path, { chunks: [chunk, chunk, chunk, chunk, chunk], breakOff: false });
  t.equal(over.status, 413, 'the client reads the answer, not a reset');
  t.match(over.body, /payload-too-large/);
  for (let i = 0; i < 100 && leftovers(app).length > 0; i++) await sleep(50);
  t.same(leftovers(app), []);
  t.same(await versionsOf(app, provider, listing.id), []);

  const ok = await rawUpload(port, provider, `${path}?filename=ok.csv`, { chunks: [Buffer.from('a,b\n'), Buffer.from('1,2\n')], breakOff: false });
  t.equal(ok.status, 201, 'the service still takes uploads afterwards');
});

t.test('evidence documents: the same bytes twice are one document; each party sees its own', async (t) => {
  const { app, operator, provider } = await setUp(t);
  const { user: rival } = await verifiedProvider(app, operator);
  const bytes = Buffer.from('%PDF-1.4 consent forms');
  const a = await uploadEvidence(app, provider, bytes);
  const b = await uploadEvidence(app, provider, bytes);
  t.equal(a.id, b.id);
  const theirs = await uploadEvidence(app, rival, bytes);
  t.not(theirs.id, a.id, 'the same file uploaded by another party is that party’s document');
  const mine = (await as(app, provider, { method: 'GET', url: '/catalog/documents' })).json();
  t.same(mine.items.map((d: { id: string }) => d.id), [a.id]);
  const events = (await as(app, operator, { method: 'GET', url: '/audit/events?action=catalog.evidence_uploaded' })).json();
  t.equal(events.items.length, 2, 'one audit event per new document');
});
