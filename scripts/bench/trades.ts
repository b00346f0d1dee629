// Whole trades through the HTTP API of a running service, as its users make them: the buyer orders,
// both parties sign (each re-entering a password), the exchange seals the agreement, the buyer pays
// by bank transfer and the operator records it, the buyer downloads and accepts, the operator
// records the payout. Counted: trades settled per second, and each trade's time end to end.
import { randomInt } from 'node:crypto';
import { createUser } from '../../src/modules/accounts/service.js';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/lib/database.js';
import { systemActor } from '../../src/modules/audit/events.js';
import { usccCheckCharacter } from '../../src/modules/identity/codes.js';

const PASSWORD = 'bench trade passphrase';

export interface TradeAccounts {
  operator: string;
  provider: string;
  buyers: string[];
}

/** Staff and trading accounts, made before the service starts (the embedded database is one process's). */
export async function seedTradeAccounts(db: Database, config: Config, buyers: number): Promise<TradeAccounts> {
  const ctx = { db, config, signAccessToken: () => '' };
  const make = async (role: 'operator' | 'provider' | 'buyer', n = 0) => {
    const email = `${role}-${n}-${Date.now()}@trades.bench.example.cn`;
    await createUser(ctx, systemActor(), { email, password: PASSWORD, displayName: `bench ${role} ${n}`, roles: [role] }, 'script');
    return email;
  };
  return { operator: await make('operator'), provider: await make('provider'), buyers: await Promise.all(Array.from({ length: buyers }, (_, i) => make('buyer', i))) };
}

type Call = (method: string, path: string, body?: unknown, type?: string) => Promise<Record<string, unknown> & { items?: unknown[] }>;

function client(base: string, token?: string): Call {
  return async (method, path, body, type = 'application/json') => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': type } : {}) },
      body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : (body as string),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as Record<string, unknown>;
  };
}

async function login(base: string, email: string): Promise<Call> {
  const tokens = await client(base)('POST', '/auth/login', { email, password: PASSWORD });
  return client(base, tokens.accessToken as string);
}

const CHECKLIST = { identityNumberMatchesDocuments: true, legalNameMatchesDocuments: true, representativeConfirmed: true, documentsLegibleAndCurrent: true };

async function verifiedParty(as: Call, ops: Call, name: string): Promise<void> {
  const first17 = `915001${String(randomInt(10 ** 8)).padStart(8, '0')}MA${randomInt(10)}`;
  const party = await as('POST', '/parties', { kind: 'company', legalName: name, representative: '赵六', contacts: [{ name: '赵六' }], identityNumber: first17 + usccCheckCharacter(first17) });
  await as('POST', `/parties/${party.id}/documents?kind=business_licence`, '%PDF-1.4\n% licence\n%%EOF\n', 'application/pdf');
  await as('POST', `/parties/${party.id}/submission`);
  await ops('POST', `/parties/${party.id}/reviews`, { decision: 'verified', checklist: CHECKLIST, reasons: '' });
}

/** A listing on sale with a dataset version, made and approved through the API. */
async function listedProduct(seller: Call, ops: Call): Promise<string> {
  const listing = await seller('POST', '/catalog/listings', {
    title: { zh: '基准测试客流数据', en: 'Bench ridership' },
    description: { zh: '用于基准测试的去标识化客流数据。', en: 'De-identified ridership for the bench.' },
    category: 'transport', tags: ['bench'], grade: 'general', personalInformation: { contains: false }, governmentDerived: false,
    schema: { fields: [{ name: 'station', type: 'string', description: '站点' }] }, sample: { mediaType: 'text/csv', text: 'station\n解放碑\n' },
    formats: ['csv'], updateFrequency: 'daily', coverage: { period: { start: '2024-01-01', end: '2024-12-31' }, area: '重庆市' }, deliveryMethod: 'download',
    licence: { allowedPurposes: ['交通规划研究'], forbiddenUses: ['re-identification'], termMonths: 12, territory: 'mainland China', onwardTransfer: 'forbidden' },
    pricePlans: [{ name: '一次性购买', kind: 'one_off', amountMinor: 500000, currency: 'CNY' }],
  });
  const id = listing.id as string;
  const evidence = await seller('POST', '/catalog/documents?filename=assessment.pdf', '%PDF-1.4\n% assessment\n%%EOF\n', 'application/pdf');
  const cite = [{ sha256: evidence.sha256, description: 'Anonymisation assessment' }];
  await seller('PUT', `/catalog/listings/${id}/provenance`, { sourceType: 'own_operations', collectionMethod: 'Card readers', legalBasis: 'Operating licence', collectionPeriod: { start: '2024-01-01', end: '2024-12-31' }, collectionArea: '重庆市', evidence: cite, processing: 'Counts per station' });
  await seller('PUT', `/catalog/listings/${id}/ground`, { ground: 'anonymised', method: 'Aggregation, k >= 50', reidentificationRisk: 'none', evidence: cite });
  const version = await seller('POST', `/catalog/listings/${id}/versions?filename=ridership.csv`, 'station,riders\n解放碑,12000\n观音桥,9800\n', 'text/csv');
  await seller('PATCH', `/catalog/listings/${id}`, { datasetVersionId: version.id });
  await seller('POST', `/catalog/listings/${id}/submit`);
  const revision = ((await ops('GET', `/catalog/listings/${id}`)).working as { id: string }).id;
  const requirements = ['source_stated', 'ground_and_evidence', 'identity_verified', 'government_derived_flag', 'personal_information', 'grade'];
  await ops('POST', `/catalog/listings/${id}/review`, { revisionId: revision, decision: 'approve', notes: 'bench', checklist: requirements.map((requirement) => ({ requirement, satisfied: true, note: 'ok' })) });
  return id;
}

export interface TradeMeasures {
  trades: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError: string | null;
}

/** Runs `loops` concurrent buyers, each trading one order after another, for `seconds`. */
export async function measureTrades(base: string, accounts: TradeAccounts, opts: { seconds: number }): Promise<TradeMeasures> {
  const ops = await login(base, accounts.operator);
  const seller = await login(base, accounts.provider);
  await verifiedParty(seller, ops, '重庆基准数据供应有限公司');
  const listingId = await listedProduct(seller, ops);
  const buyers = await Promise.all(accounts.buyers.map(async (email, i) => {
    const buyer = await login(base, email);
    await verifiedParty(buyer, ops, `重庆基准采购方${i}有限公司`);
    return buyer;
  }));

  let bankLine = 0;
  const trade = async (buyer: Call) => {
    const order = await buyer('POST', '/orders', { listingId, pricePlan: '一次性购买', purpose: '交通规划研究', scenario: '基准测试', safeguards: '加密存储' });
    const agreementId = (order.agreement as { id: string }).id;
    const { contentSha256 } = await buyer('GET', `/agreements/${agreementId}`);
    await buyer('POST', `/agreements/${agreementId}/signatures`, { contentSha256, password: PASSWORD });
    await seller('POST', `/agreements/${agreementId}/signatures`, { contentSha256, password: PASSWORD });
    const pay = await buyer('POST', `/orders/${order.id}/payment`, { rail: 'bank_transfer' });
    await ops('POST', '/settlement/bank-receipts', { reference: pay.reference, amountMinor: order.amountMinor, currency: 'CNY', bankReference: `BENCH-${process.pid}-${++bankLine}` });
    const grants = (await buyer('GET', `/orders/${order.id}/grants`)) as unknown as { id: string }[];
    await buyer('GET', `/grants/${grants[0]!.id}/download`);
    await buyer('POST', `/orders/${order.id}/acceptance`);
    await ops('POST', `/settlement/payments/${pay.paymentId}/payout/bank-transfer`, { amountMinor: (order.amountMinor as number) - (order.feeMinor as number), currency: 'CNY', bankReference: `BENCH-${process.pid}-${++bankLine}` });
  };

  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const end = Date.now() + opts.seconds * 1000;
  await Promise.all(buyers.map(async (buyer) => {
    while (Date.now() < end) {
      const started = performance.now();
      try {
        await trade(buyer);
        latencies.push(performance.now() - started);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { trades: latencies.length, perSecond: latencies.length / opts.seconds, p50: at(0.5), p99: at(0.99), errors, firstError };
}
