import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { testSealEnv } from '../../helpers/agreements.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { parties } from '../../../src/modules/identity/tables.js';
import { as, buildTestApp, expectProblem, signUp, type TestUser } from '../../helpers/app.js';
import { createVerifiedParty, generateUscc, registerParty } from '../../helpers/identity.js';
import { runTs } from '../../helpers/spawn.js';

t.test('no response body and no log line carries a full identity number', async (t) => {
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString());
      callback();
    },
  });
  const app = await buildTestApp(t, {}, { logger: { level: 'trace', stream } });
  const bodies: string[] = [];
  const call = async (user: TestUser | null, options: InjectOptions): Promise<LightMyRequestResponse> => {
    const res = await as(app, user, options);
    bodies.push(res.body);
    return res;
  };

  const seller = await signUp(app, ['provider']);
  const buyer = await signUp(app, ['buyer']);
  const operator = await signUp(app, ['operator']);
  const company = await createVerifiedParty(app, seller, operator, 'company');
  const person = await createVerifiedParty(app, buyer, operator, 'person');
  const numbers = [company.identityNumber, person.identityNumber];

  // Every way a number goes in or comes out: reads, lists, audit, failed and duplicate registrations.
  await call(seller, { method: 'GET', url: `/parties/${company.id}` });
  await call(buyer, { method: 'GET', url: '/me/parties' });
  await call(operator, { method: 'GET', url: '/parties' });
  await call(operator, { method: 'GET', url: `/parties/${person.id}` });
  await call(operator, { method: 'GET', url: '/audit/events?limit=200' });
  await call(buyer, { method: 'POST', url: '/parties', payload: { kind: 'person', legalName: 'x', representative: 'x', contacts: [{ name: 'x' }], identityNumber: person.identityNumber } });
  await call(buyer, { method: 'POST', url: '/parties', payload: { kind: 'person', legalName: 'x', representative: 'x', contacts: [{ name: 'x' }], identityNumber: company.identityNumber } });
  const broken = person.identityNumber.slice(0, 17) + (person.identityNumber.endsWith('1') ? '2' : '1');
  await call(buyer, { method: 'POST', url: '/parties', payload: { kind: 'person', legalName: 'x', representative: 'x', contacts: [{ name: 'x' }], identityNumber: broken } });
  await call(operator, { method: 'POST', url: `/parties/${company.id}/suspension`, payload: { reason: 'privacy test' } });

  const masked = JSON.parse(bodies[0]!).identityNumberMasked as string;
  t.equal(masked, `${company.identityNumber.slice(0, 4)}**********${company.identityNumber.slice(-4)}`);
  t.ok(logLines.length > 20, `the log was collected (${logLines.length} lines)`);
  for (const n of [...numbers, broken]) {
    // The first 14 characters already identify a person (division code and birth date).
    for (const fragment of [n, n.slice(0, 14), n.slice(4, 18)]) {
      t.notOk(bodies.some((b) => b.includes(fragment)), `no response carries ${fragment.length} characters of a number`);
      t.notOk(logLines.some((l) => l.includes(fragment)), `no log line carries ${fragment.length} characters of a number`);
    }
  }

  const stored = await app.db.select().from(parties);
  for (const row of stored) {
    t.notOk(numbers.some((n) => JSON.stringify(row).includes(n.slice(0, 14))), 'the database row holds no plain number');
  }
});

t.test('operators see the full number only through the audited reveal', async (t) => {
  const app = await buildTestApp(t);
  const seller = await signUp(app, ['provider']);
  const operator = await signUp(app, ['operator']);
  const party = await registerParty(app, seller, 'company');

  expectProblem(t, await as(app, seller, { method: 'POST', url: `/parties/${party.id}/identity-number/reveal`, payload: { reason: 'curious' } }), 403, 'forbidden');
  expectProblem(t, await as(app, operator, { method: 'POST', url: `/parties/${party.id}/identity-number/reveal`, payload: {} }), 400, 'validation-failed');
  const revealed = await as(app, operator, { method: 'POST', url: `/parties/${party.id}/identity-number/reveal`, payload: { reason: 'Compare with the licence scan' } });
  t.equal(revealed.statusCode, 200);
  t.same(revealed.json(), { identityNumber: party.identityNumber });

  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?action=party.identity_number_revealed&subjectId=${party.id}` })).json();
  t.match(events.items, [{ actor: { userId: operator.id, role: 'operator' }, payload: { reason: 'Compare with the licence scan' } }]);
  t.notMatch(JSON.stringify(events), party.identityNumber, 'the audit record does not repeat the number');
});

t.test('a ciphertext is bound to its party and its key', async (t) => {
  const { IdentityCipher } = await import('../../../src/modules/identity/crypto.js');
  const key = Buffer.alloc(32, 7).toString('base64');
  const cipher = new IdentityCipher(key);
  const number = generateUscc();
  const sealed = cipher.encrypt(number, 'party-a');
  t.equal(cipher.decrypt(sealed, 'party-a'), number);
  t.not(cipher.encrypt(number, 'party-a'), sealed, 'a fresh nonce each time');
  t.throws(() => cipher.decrypt(sealed, 'party-b'), 'copied onto another party it does not decrypt');
  t.throws(() => new IdentityCipher(Buffer.alloc(32, 8).toString('base64')).decrypt(sealed, 'party-a'), 'another key cannot read it');
  t.equal(cipher.lookupHash('uscc', number), new IdentityCipher(key).lookupHash('uscc', number), 'the lookup hash is stable');
  t.not(cipher.lookupHash('uscc', number), new IdentityCipher(Buffer.alloc(32, 8).toString('base64')).lookupHash('uscc', number));
  t.throws(() => new IdentityCipher(Buffer.alloc(16).toString('base64')), /32 bytes/);
});

t.test('the identity key at start-up', async (t) => {
  const server = { DATABASE_URL: 'postgres://127.0.0.1:5432/x', JWT_SECRET: 'j'.repeat(40), AUDIT_LOG_KEY: Buffer.alloc(32, 2).toString('base64'), ...testSealEnv };
  t.throws(() => loadConfig(server, () => {}), new ConfigError('IDENTITY_KEY is required when DATABASE_URL is set (base64 of 32 random bytes)'));
  t.throws(() => loadConfig({ ...server, IDENTITY_KEY: Buffer.alloc(16).toString('base64') }, () => {}), /^IDENTITY_KEY is not valid/);
  t.equal(loadConfig({ ...server, IDENTITY_KEY: Buffer.alloc(32, 1).toString('base64') }, () => {}).identityKey, Buffer.alloc(32, 1).toString('base64'));

  const dataDir = mkdtempSync(join(tmpdir(), 'dx-identity-key-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const embedded = loadConfig({ DATA_DIR: dataDir }, (m) => warnings.push(m));
  t.ok(existsSync(join(dataDir, 'secrets', 'identity-key')), 'the embedded default makes a key file');
  t.ok(warnings.some((w) => w.includes('identity-key')), 'and warns about it');
  t.equal(loadConfig({ DATA_DIR: dataDir }, () => {}).identityKey, embedded.identityKey, 'the same key on the next start');

  const run = await runTs('src/server.ts', [], { ...server, DATA_DIR: dataDir });
  t.equal(run.code, 78, 'the server refuses to start');
  t.match(run.stderr, /IDENTITY_KEY/, 'and names the variable');
});
