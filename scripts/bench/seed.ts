// Seeds a bench database in bulk (multi-row INSERTs, not the API one listing at a time): staff and
// trading accounts, two verified parties, and `count` approved, listed listings with varied
// Chinese and English text whose search vectors are made by the service's own lexer.
import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/lib/database.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { systemActor } from '../../src/modules/audit/events.js';
import { documentLexemes } from '../../src/modules/catalog/search-text.js';
import { searchVector } from '../../src/modules/catalog/listings.js';
import { listingRevisions, listings } from '../../src/modules/catalog/tables.js';
import { maskIdentityNumber, residentIdCheckCharacter, usccCheckCharacter } from '../../src/modules/identity/codes.js';
import { IdentityCipher } from '../../src/modules/identity/crypto.js';
import { parties, partyMembers } from '../../src/modules/identity/tables.js';

export const topics = [
  ['公共交通客流', 'public transport ridership', 'transport'],
  ['企业用电量', 'enterprise power consumption', 'energy'],
  ['空气质量监测', 'air quality monitoring', 'environment'],
  ['物流货运轨迹', 'freight logistics tracks', 'logistics'],
  ['商圈人流热力', 'shopping district footfall', 'retail'],
  ['农产品批发价格', 'wholesale farm produce prices', 'agriculture'],
  ['医疗机构门诊量', 'hospital outpatient volume', 'health'],
  ['气象观测记录', 'weather station observations', 'weather'],
  ['房屋租赁成交', 'housing rental transactions', 'housing'],
  ['企业工商登记', 'company registration records', 'business'],
] as const;
export const places = ['渝中区', '江北区', '南岸区', '沙坪坝区', '九龙坡区', '两江新区', '万州区', '涪陵区', '永川区', '綦江区'];
const qualifiers = [['每日', 'daily'], ['月度', 'monthly'], ['实时', 'real-time'], ['年度', 'annual'], ['分时段', 'hourly']] as const;
const grades = ['general', 'general', 'general', 'important', 'core'] as const;

export const PASSWORD = 'bench passphrase 123';

export interface Seeded {
  providerEmail: string;
  buyerEmail: string;
  listingIds: string[];
}

function uscc(): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let org = '';
  for (let i = 0; i < 9; i++) org += chars[randomInt(chars.length)];
  const first17 = `91500000${org}`;
  return first17 + usccCheckCharacter(first17);
}

function listingContent(i: number) {
  const [zh, en, category] = topics[i % topics.length]!;
  const place = places[randomInt(places.length)]!;
  const [qzh, qen] = qualifiers[randomInt(qualifiers.length)]!;
  const price = (1 + randomInt(200)) * 5000;
  return {
    title: { zh: `${place}${qzh}${zh}数据 ${i}`, en: `${en} of ${place}, ${qen}, set ${i}` },
    description: { zh: `${place}${zh}的${qzh}汇总，已去标识化，可用于规划与研究。`, en: `${qen} ${en} for ${place}, de-identified, for planning and research.` },
    category,
    tags: [zh, qen],
    grade: grades[randomInt(grades.length)]!,
    personalInformation: { contains: false },
    governmentDerived: i % 7 === 0,
    schema: { fields: [{ name: 'area', type: 'string', description: '区域' }, { name: 'value', type: 'decimal', description: 'Measured value' }] },
    sample: { mediaType: 'text/csv', text: 'area,value\n渝中区,1200\n' },
    formats: ['csv'],
    updateFrequency: 'daily',
    coverage: { period: { start: '2024-01-01', end: '2024-12-31' }, area: place },
    deliveryMethod: 'download',
    licence: { allowedPurposes: ['规划研究'], forbiddenUses: ['re-identification'], termMonths: 12, territory: 'mainland China', onwardTransfer: 'forbidden' },
    pricePlans: [{ name: '一次性购买', kind: 'one_off', amountMinor: price, currency: 'CNY' }],
  } as const;
}

export async function seed(db: Database, config: Config, count: number, progress: (done: number) => void): Promise<Seeded> {
  const ctx = { db, config, signAccessToken: () => '' };
  const stamp = Date.now();
  const providerEmail = `provider-${stamp}@bench.example.cn`;
  const buyerEmail = `buyer-${stamp}@bench.example.cn`;
  const provider = await createUser(ctx, systemActor(), { email: providerEmail, password: PASSWORD, displayName: 'Bench provider', roles: ['provider'] }, 'script');
  const buyer = await createUser(ctx, systemActor(), { email: buyerEmail, password: PASSWORD, displayName: 'Bench buyer', roles: ['buyer'] }, 'script');
  const cipher = new IdentityCipher(config.identityKey);
  const now = new Date();
  const until = new Date(now.getTime() + 365 * 86_400_000);
  const party = (userId: string, kind: 'company' | 'person', number: string) => {
    const id = randomUUID();
    return {
      row: {
        id, kind, legalName: kind === 'company' ? '重庆基准数据有限公司' : '张三', representative: '赵六', contacts: [{ name: '赵六' }], overseas: false, country: 'CN',
        identityScheme: kind === 'company' ? ('uscc' as const) : ('resident_id' as const), identityNumberSealed: cipher.encrypt(number, id),
        identityNumberHmac: cipher.lookupHash(kind === 'company' ? 'uscc' : 'resident_id', number), identityNumberMasked: maskIdentityNumber(number),
        verificationStatus: 'verified' as const, submittedAt: now, verifiedAt: now, verifiedUntil: until, createdBy: userId,
      },
      member: { partyId: id, userId, role: 'admin' as const },
    };
  };
  const residentFirst17 = `50010319850517${String(randomInt(1000)).padStart(3, '0')}`;
  const sellerParty = party(provider.id, 'company', uscc());
  const buyerParty = party(buyer.id, 'person', residentFirst17 + residentIdCheckCharacter(residentFirst17));
  await db.insert(parties).values([sellerParty.row, buyerParty.row]);
  await db.insert(partyMembers).values([sellerParty.member, buyerParty.member]);

  const listingIds: string[] = [];
  const BATCH = 500;
  for (let start = 0; start < count; start += BATCH) {
    const listingRows: (typeof listings.$inferInsert)[] = [];
    const revisionRows: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const content = listingContent(i);
      const listingId = randomUUID();
      const revisionId = randomUUID();
      const listedAt = new Date(now.getTime() - (count - i) * 1000);
      listingIds.push(listingId);
      listingRows.push({ id: listingId, ownerPartyId: sellerParty.row.id, status: 'listed' as const, workingRevisionId: revisionId, liveRevisionId: revisionId, listedAt, createdBy: provider.id, createdAt: listedAt, updatedAt: listedAt });
      revisionRows.push({
        id: revisionId, listingId, number: 1, reviewStatus: 'approved' as const, content: content as never, title: content.title.zh, category: content.category, grade: content.grade,
        deliveryMethod: content.deliveryMethod, governmentDerived: content.governmentDerived, personalInformation: false, minPriceMinor: content.pricePlans[0].amountMinor, currency: 'CNY',
        searchVector: searchVector(documentLexemes([content.title.zh, content.title.en, ...content.tags]), documentLexemes([content.description.zh, content.description.en, content.category, content.coverage.area])),
        createdBy: provider.id, createdAt: listedAt, updatedAt: listedAt, submittedAt: listedAt, decidedAt: listedAt,
      });
    }
    await db.transaction(async (tx) => {
      await tx.insert(listings).values(listingRows);
      await tx.insert(listingRevisions).values(revisionRows as never);
    });
    progress(listingIds.length);
  }
  await db.execute(sql`analyze`);
  return { providerEmail, buyerEmail, listingIds };
}

/**
 * `n` distinct search requests, Chinese and English, with and without filters, in the order a
 * Zipf-like popularity (s = 1) draws them: the first is asked most, the thousandth least.
 */
export function searchMix(distinct: number, draws: number): string[] {
  const candidates = new Set<string>();
  const terms = [...topics.flatMap(([zh, en]) => [zh.slice(0, 2), zh.slice(2, 4), en.split(' ')[0]!, en]), ...places, '数据', 'daily', 'monthly', '实时'];
  const filters = ['', '', '&category=transport', '&grade=general', '&priceMax=300000', '&sort=price_asc', '&category=energy&priceMax=500000', '&sort=newest'];
  while (candidates.size < distinct) {
    const words = [terms[randomInt(terms.length)]!, ...(randomInt(3) === 0 ? [terms[randomInt(terms.length)]!] : [])];
    candidates.add(`/catalog/search?q=${encodeURIComponent(words.join(' '))}${filters[randomInt(filters.length)]}`);
  }
  const ranked = [...candidates];
  const weights = ranked.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, w, i) => (cumulative[i] = sum + w / total), 0);
  return Array.from({ length: draws }, () => {
    const r = Math.random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return ranked[lo]!;
  });
}
