import t from 'tap';
import { checkIdentityNumber, checkResidentId, checkUscc, maskIdentityNumber, normaliseIdentityNumber } from '../../../src/modules/identity/codes.js';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { generateResidentId, generateUscc } from '../../helpers/identity.js';

// Published examples: a real enterprise USCC and the resident ID from GB 11643-1999's annex.
const KNOWN_USCC = '91350100M000100Y43';
const KNOWN_RESIDENT_ID = '11010519491231002X';

/**
 * Replaces the check character with another valid-looking one that is wrong in both schemes: a
 * resident ID with a wrong check character can be, by chance (one time in 31), a valid USCC, and
 * would then be refused for naming the other scheme instead.
 */
const wrongCheck = (id: string) => {
  const candidates = [...'0123456789X'].map((c) => id.slice(0, 17) + c);
  return candidates.find((c) => c !== id && !checkUscc(c).ok && !checkResidentId(c).ok)!;
};

t.test('check characters per GB 32100-2015 and GB 11643-1999', async (t) => {
  t.ok(checkUscc(KNOWN_USCC).ok, 'a published USCC passes');
  t.ok(checkResidentId(KNOWN_RESIDENT_ID).ok, 'the standard’s example passes');
  for (let i = 0; i < 50; i++) {
    t.ok(checkUscc(generateUscc()).ok);
    t.ok(checkResidentId(generateResidentId()).ok);
  }
  t.match(checkUscc(wrongCheck(KNOWN_USCC)), { ok: false, reason: { en: /check character/ } });
  t.match(checkResidentId(wrongCheck(KNOWN_RESIDENT_ID)), { ok: false, reason: { en: /check character/ } });
  t.match(checkUscc('91350100M000100Y4'), { ok: false, reason: { en: /18 characters, not 17/ } });
  t.match(checkUscc('91350100I000100Y43'), { ok: false, reason: { en: /letters other than I, O, S, V and Z/ } });
  t.match(checkResidentId('1101051949123100'), { ok: false, reason: { en: /18 characters/ } });
  t.match(checkResidentId('110105194902300021'), { ok: false, reason: { en: /date of birth/ } }, '30 February');
  t.match(checkResidentId('110105' + '20991231' + '0021'), { ok: false, reason: { en: /date of birth/ } }, 'born in the future');
});

t.test('spaces and lower-case x are normalised; the other scheme is named', async (t) => {
  t.equal(normaliseIdentityNumber(' 110105 19491231 002x '), KNOWN_RESIDENT_ID);
  t.same(checkResidentId('110105 19491231 002x'), { ok: true, value: KNOWN_RESIDENT_ID });
  t.match(checkIdentityNumber('resident_id', KNOWN_USCC), { ok: false, reason: { en: /Unified Social Credit Code; a natural person/ } });
  t.match(checkIdentityNumber('uscc', KNOWN_RESIDENT_ID), { ok: false, reason: { en: /resident identity number; an organisation/ } });
  t.equal(maskIdentityNumber(KNOWN_RESIDENT_ID), '1101**********002X');
  t.equal(maskIdentityNumber('E1234567'), 'E1****67', 'a short number shows a quarter at each end');
});

t.test('registration refuses invalid numbers with a problem that names the field', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['provider']);
  const base = { legalName: '重庆数据有限公司', representative: '李四', contacts: [{ name: '王五' }] };
  const cases = [
    { kind: 'company', identityNumber: wrongCheck(generateUscc()), reason: /check character/ },
    { kind: 'company', identityNumber: generateUscc().slice(0, 16), reason: /18 characters/ },
    { kind: 'person', identityNumber: wrongCheck(generateResidentId()), reason: /check character/ },
    { kind: 'person', identityNumber: '500103199902290012', reason: /date of birth/ },
    { kind: 'person', identityNumber: generateUscc(), reason: /Unified Social Credit Code; a natural person/ },
    { kind: 'organisation', identityNumber: generateResidentId(), reason: /resident identity number; an organisation/ },
  ];
  for (const c of cases) {
    const res = await as(app, user, { method: 'POST', url: '/parties', payload: { ...base, kind: c.kind, identityNumber: c.identityNumber } });
    const problem = expectProblem(t, res, 400, 'validation-failed');
    t.match(problem, { detail: c.reason, errors: [{ path: '/body/identityNumber' }] });
    t.notMatch(res.body, c.identityNumber, 'the answer does not echo the number');
  }
  const overseasInCn = await as(app, user, { method: 'POST', url: '/parties', payload: { ...base, kind: 'company', identityNumber: 'HRB 12345', overseas: { country: 'CN', documentType: 'registration' } } });
  expectProblem(t, overseasInCn, 400, 'validation-failed');
  const mine = (await as(app, user, { method: 'GET', url: '/me/parties' })).json();
  t.same(mine.items, [], 'nothing was registered');
});

t.test('the same identity cannot be registered twice, however it is written', async (t) => {
  const app = await buildTestApp(t);
  const first = await signUp(app, ['buyer']);
  const second = await signUp(app, ['buyer']);
  const id = generateResidentId(new Date(Date.UTC(1985, 4, 17)));
  const body = { kind: 'person', legalName: '张三', representative: '张三', contacts: [{ name: '张三', phone: '+86 138 0000 0000' }] };
  t.equal((await as(app, first, { method: 'POST', url: '/parties', payload: { ...body, identityNumber: id } })).statusCode, 201);
  const spaced = `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`.toLowerCase();
  const dup = expectProblem(t, await as(app, second, { method: 'POST', url: '/parties', payload: { ...body, identityNumber: spaced } }), 409, 'conflict');
  t.match(dup.detail, /already registered/);
  t.notMatch(JSON.stringify(dup), id.slice(0, 10), 'the conflict names neither the number nor the other party');

  const company = generateUscc();
  const org = { kind: 'company', legalName: '甲公司', representative: '李四', contacts: [{ name: '李四' }] };
  t.equal((await as(app, first, { method: 'POST', url: '/parties', payload: { ...org, identityNumber: company } })).statusCode, 201);
  expectProblem(t, await as(app, second, { method: 'POST', url: '/parties', payload: { ...org, identityNumber: company.toLowerCase() } }), 409, 'conflict');
});

t.test('an overseas party is flagged and identified by its own document', async (t) => {
  const app = await buildTestApp(t);
  const user = await signUp(app, ['buyer']);
  const res = await as(app, user, {
    method: 'POST',
    url: '/parties',
    payload: { kind: 'company', legalName: 'Example GmbH', representative: 'Erika Mustermann', contacts: [{ name: 'Erika', email: 'erika@example.de' }], identityNumber: 'HRB 123456', overseas: { country: 'DE', documentType: 'registration' } },
  });
  t.equal(res.statusCode, 201);
  t.match(res.json(), { overseas: true, country: 'DE', identityScheme: 'overseas', overseasDocumentType: 'registration', identityNumberMasked: 'HR*****56' });
  const submit = expectProblem(t, await as(app, user, { method: 'POST', url: `/parties/${res.json().id}/submission` }), 409, 'invalid-state');
  t.match(submit, { missingDocument: 'business_licence' });
});
