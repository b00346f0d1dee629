// POST /agreement-verifications is public: anyone may send anything, including nothing at all.
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildTestApp, expectProblem } from '../../helpers/app.js';

const verify = (app: FastifyInstance, payload: Buffer | undefined, headers: Record<string, string> = { 'content-type': 'application/pdf' }) =>
  app.inject({ method: 'POST', url: '/agreement-verifications', headers, ...(payload === undefined ? {} : { payload }) });

t.test('no body, no Content-Type: a clear 400, not a server error', async (t) => {
  const app = await buildTestApp(t);
  const bare = await verify(app, undefined, {});
  expectProblem(t, bare, 400, 'validation-failed');
  t.match(bare.json(), { errors: [{ path: '/body' }] });
  expectProblem(t, await verify(app, undefined, { 'content-length': '0' }), 400, 'validation-failed');
  for (const empty of [await verify(app, Buffer.alloc(0)), await verify(app, undefined, { 'content-type': 'application/pdf' })]) {
    t.equal(empty.statusCode, 200, 'an empty file with its media type is read, and is no agreement');
    t.match(empty.json(), { genuine: false, agreement: null, seal: { valid: false, detail: /no digital signature/ } });
  }
});
