import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { registerParty, samplePdf } from '../../helpers/identity.js';

/** Every file under the blob store, temporary uploads included. */
function storedFiles(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/**
 * POSTs `chunks` chunks of `size` bytes with chunked transfer encoding, one after another, and
 * stops sending once the server has answered (it closes the connection after a 413).
 */
function chunkedUpload(port: number, path: string, auth: Record<string, string>, chunks: number, size: number) {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    let answered = false;
    // A keep-alive connection, as browsers and HTTP clients keep: the server drains the rest of the
    // refused body and the connection stays open. With `Connection: close` (an agent-less request)
    // Node's server ends the socket once it has answered, the next chunk meets a reset, and the
    // answer can be lost on the client's side before it is read: that made this test flaky.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers: { ...auth, 'content-type': 'image/jpeg', 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body });
      });
    });
    // Writing into a connection the server has closed fails; that is expected once it answered.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    let sent = 0;
    const next = (): void => {
      if (answered) return;
      if (sent++ < chunks) req.write(Buffer.alloc(size, sent), () => setImmediate(next));
      else req.end();
    };
    next();
  });
}

t.test('documents are kept by hash; the same bytes again are the same document', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await registerParty(app, seller, 'company');
  const pdf = samplePdf();
  const url = `/parties/${party.id}/documents?kind=business_licence`;

  const first = await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: pdf });
  t.equal(first.statusCode, 201);
  t.match(first.json(), { kind: 'business_licence', sizeBytes: pdf.length, mediaType: 'application/pdf', sha256: /^[0-9a-f]{64}$/ });
  const again = await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: pdf });
  t.equal(again.statusCode, 200, 're-uploading is idempotent');
  t.equal(again.json().id, first.json().id);

  const view = (await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json();
  t.equal(view.documents.length, 1);
  const added = (await as(app, operator, { method: 'GET', url: `/audit/events?action=party.document_added&subjectId=${party.id}` })).json();
  t.equal(added.items.length, 1, 'audited once');

  const download = await as(app, operator, { method: 'GET', url: `/parties/${party.id}/documents/${first.json().id}` });
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/pdf');
  t.equal(download.headers['x-content-type-options'], 'nosniff');
  t.same(download.rawPayload, pdf, 'the exact bytes come back');

  const png = await as(app, seller, { method: 'POST', url: `/parties/${party.id}/documents?kind=authorisation_letter`, headers: { 'content-type': 'image/png' }, payload: Buffer.from('\x89PNG\r\n\x1a\nletter') });
  t.equal(png.statusCode, 201);
});

t.test('only PDF, PNG and JPEG; a kind is required; not while in review', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const party = await registerParty(app, seller, 'company');
  const url = `/parties/${party.id}/documents?kind=business_licence`;
  expectProblem(t, await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'text/html' }, payload: '<script>1</script>' }), 415, 'unsupported-media-type');
  expectProblem(t, await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'image/svg+xml' }, payload: '<svg/>' }), 415, 'unsupported-media-type');
  expectProblem(t, await as(app, seller, { method: 'POST', url: `/parties/${party.id}/documents`, headers: { 'content-type': 'application/pdf' }, payload: samplePdf() }), 400, 'validation-failed');
  t.equal((await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf; charset=binary' }, payload: samplePdf() })).statusCode, 201);
  t.equal((await as(app, seller, { method: 'POST', url: `/parties/${party.id}/submission` })).statusCode, 200);
  expectProblem(t, await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: samplePdf('late') }), 409, 'invalid-state');
  expectProblem(t, await as(app, null, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: samplePdf() }), 401, 'unauthenticated');
});

t.test('a document over the size limit is refused with 413 and leaves nothing behind', async (t) => {
  const limit = 64 * 1024;
  const app = await buildTestApp(t, { identityDocumentMaxBytes: limit });
  const seller = await signUp(app, ['provider']);
  const party = await registerParty(app, seller, 'company');
  const url = `/parties/${party.id}/documents?kind=business_licence`;
  const blobs = join(app.config.dataDir, 'blobs');

  // Fastify's own bodyLimit (1 MiB in tests) does not apply to a streamed upload; the limit that
  // counts is the document limit, whether the length is declared or not.
  t.equal((await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(limit, 1) })).statusCode, 201, 'exactly at the limit is fine');
  const before = storedFiles(blobs);
  t.equal(before.length, 1);

  const declared = await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(limit + 1, 2) });
  t.match(expectProblem(t, declared, 413, 'payload-too-large').detail, String(limit));

  // A chunked upload declares no length, so only the streaming limit can stop it; over a real
  // connection (inject cannot abort a stream payload cleanly).
  await app.listen({ port: 0, host: '127.0.0.1' });
  const streamed = await chunkedUpload((app.server.address() as AddressInfo).port, url, seller.auth, 40, 4096);
  t.equal(streamed.status, 413);
  t.match(streamed.type, /^application\/problem\+json/);
  t.match(JSON.parse(streamed.body), { type: '/problems/payload-too-large' });

  const big = await as(app, seller, { method: 'POST', url, headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(2 * 1024 * 1024, 3) });
  expectProblem(t, big, 413, 'payload-too-large');
  t.equal(big.headers.connection, 'close', 'a body too large to drain ends the connection');
  t.not(declared.headers.connection, 'close', 'a small leftover is drained and the connection kept');

  t.same(storedFiles(blobs), before, 'no new file, no temporary file');
  t.equal((await as(app, seller, { method: 'GET', url: `/parties/${party.id}` })).json().documents.length, 1, 'no new document row');
});

t.test('larger limits than the JSON body limit work for documents', async (t) => {
  const app = await buildTestApp(t, { identityDocumentMaxBytes: 3 * 1024 * 1024, bodyLimitBytes: 1024 * 1024 });
  const seller = await signUp(app, ['provider']);
  const party = await registerParty(app, seller, 'company');
  const res = await as(app, seller, { method: 'POST', url: `/parties/${party.id}/documents?kind=business_licence`, headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(2 * 1024 * 1024, 4) });
  t.equal(res.statusCode, 201, 'a 2 MiB scan passes a 3 MiB document limit');
});
