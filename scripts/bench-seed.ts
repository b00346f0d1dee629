// Seeds the catalog for `npm run bench` through the API itself (app.inject): one verified provider
// party and `count` approved listings with varied Chinese and English titles.
import type { FastifyInstance } from 'fastify';
import { usccCheckCharacter } from '../src/modules/identity/codes.js';

const topics = [
  ['公共交通客流', 'public transport ridership', 'transport'],
  ['企业用电量', 'enterprise power consumption', 'energy'],
  ['空气质量监测', 'air quality monitoring', 'environment'],
  ['物流货运轨迹', 'freight logistics tracks', 'logistics'],
  ['商圈人流热力', 'shopping district footfall', 'retail'],
  ['农产品批发价格', 'wholesale farm produce prices', 'agriculture'],
] as const;
const places = ['渝中区', '江北区', '南岸区', '沙坪坝区', '九龙坡区', '两江新区', '万州区', '涪陵区'];

async function call(app: FastifyInstance, token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : { payload: payload as string }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return res.json();
}

export async function seedCatalog(app: FastifyInstance, operatorToken: string, providerToken: string, count: number): Promise<void> {
  const first17 = '91500000MA6BENCH0'.replace(/[IOSVZ]/g, '1');
  const party = await call(app, providerToken, 'POST', '/parties', {
    kind: 'company',
    legalName: '重庆基准数据有限公司',
    representative: '赵六',
    contacts: [{ name: '赵六', email: 'bench@example.cn' }],
    identityNumber: first17 + usccCheckCharacter(first17),
  });
  await call(app, providerToken, 'POST', `/parties/${party.id}/documents?kind=business_licence`, Buffer.from('%PDF-1.4\n%%EOF\n') as never, { 'content-type': 'application/pdf' });
  await call(app, providerToken, 'POST', `/parties/${party.id}/submission`);
  const checklist = { identityNumberMatchesDocuments: true, legalNameMatchesDocuments: true, representativeConfirmed: true, documentsLegibleAndCurrent: true };
  await call(app, operatorToken, 'POST', `/parties/${party.id}/reviews`, { decision: 'verified', checklist, reasons: '' });

  const evidence = await call(app, providerToken, 'POST', '/catalog/documents?filename=assessment.pdf', Buffer.from('%PDF-1.4\n% assessment\n%%EOF\n') as never, { 'content-type': 'application/pdf' });
  const cite = [{ sha256: evidence.sha256, description: 'Anonymisation assessment' }];
  for (let i = 0; i < count; i++) {
    const [zh, en, category] = topics[i % topics.length]!;
    const place = places[i % places.length]!;
    const listing = await call(app, providerToken, 'POST', '/catalog/listings', {
      title: { zh: `${place}${zh}数据 ${i}`, en: `${en} of ${place} ${i}` },
      description: { zh: `${place}按日汇总的${zh}，已去标识化。`, en: `Daily ${en}, de-identified.` },
      category,
      tags: [zh, en.split(' ')[0]],
      grade: 'general',
      personalInformation: { contains: false },
      governmentDerived: i % 3 === 0,
      schema: { fields: [{ name: 'day', type: 'date', description: '日期' }, { name: 'value', type: 'integer', description: 'Daily value' }] },
      sample: { mediaType: 'text/csv', text: 'day,value\n2024-01-01,1\n' },
      formats: ['csv'],
      updateFrequency: 'daily',
      coverage: { period: { start: '2024-01-01', end: '2024-12-31' }, area: place },
      deliveryMethod: 'download',
      licence: { allowedPurposes: ['研究'], forbiddenUses: ['re-identification'], termMonths: 12, territory: 'mainland China', onwardTransfer: 'forbidden' },
      pricePlans: [{ name: '一次性购买', kind: 'one_off', amountMinor: 10_000 * (1 + (i % 50)), currency: 'CNY' }],
    });
    const path = `/catalog/listings/${listing.id}`;
    await call(app, providerToken, 'PUT', `${path}/provenance`, {
      sourceType: 'own_operations',
      collectionMethod: 'Sensors',
      legalBasis: 'Own operations',
      collectionPeriod: { start: '2024-01-01', end: '2024-12-31' },
      collectionArea: place,
      evidence: cite,
      processing: 'Aggregated per day',
    });
    await call(app, providerToken, 'PUT', `${path}/ground`, { ground: 'anonymised', method: 'Aggregation', reidentificationRisk: 'None at day level', evidence: cite });
    const version = await call(app, providerToken, 'POST', `${path}/versions?filename=data.csv`, Buffer.from(`day,value\n2024-01-01,${i}\n`) as never, { 'content-type': 'text/csv' });
    await call(app, providerToken, 'PATCH', path, { datasetVersionId: version.id });
    const submitted = await call(app, providerToken, 'POST', `${path}/submit`);
    const requirements = ['source_stated', 'ground_and_evidence', 'identity_verified', 'government_derived_flag', 'personal_information', 'grade'];
    await call(app, operatorToken, 'POST', `${path}/review`, {
      revisionId: submitted.working.id,
      decision: 'approve',
      notes: 'bench',
      checklist: requirements.map((requirement) => ({ requirement, satisfied: true, note: 'ok' })),
    });
  }
}
