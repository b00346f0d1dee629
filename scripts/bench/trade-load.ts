// Whole trades through the HTTP API, from a process of its own (plain Node, none of the service's
// modules), as its users make them: the buyer orders, both parties sign (confirming with a step-up
// token, one password check per party every few minutes, or with the password each time), the
// exchange seals the agreement, the buyer pays by bank transfer and the operator records it, the
// buyer downloads and accepts, the operator records the payout. Run by scripts/bench/trades.ts as
//
//   node scripts/bench/trade-load.ts SPEC.json
//
// SPEC is a TradeSpec; the answer, one TradeAnswer as JSON on stdout: trades settled per second,
// each trade's time end to end, and each step's p50 and p99.
import { readFileSync } from 'node:fs';

export interface TradeSpec {
  url: string;
  password: string;
  operator: string;
  provider: string;
  buyers: string[];
  /** Valid USCCs for the parties the driver registers: the provider's first, then one per buyer. */
  identityNumbers: string[];
  seconds: number;
  signing: 'step-up' | 'password';
}

export interface StepLatency {
  step: string;
  count: number;
  p50: number;
  p99: number;
}

export interface TradeAnswer {
  trades: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError: string | null;
  steps: StepLatency[];
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as TradeSpec;
const stepTimes = new Map<string, number[]>();
let measuring = false;

type Json = Record<string, unknown>;
type Call = (step: string, method: string, path: string, body?: unknown, type?: string) => Promise<Json>;

/** A signed-in session: its access token, and how to sign in again once the token it had expired. */
interface Session {
  token: string;
  renewFrom(expired: string): Promise<void>;
}

/**
 * Calls as one session, signing in again when the service says its token has expired (a soak
 * outlives the token's lifetime, as a user's working day does).
 */
function client(session?: Session): Call {
  const call: Call = async (step, method, path, body, type = 'application/json') => {
    const started = performance.now();
    let token = session?.token;
    const send = () =>
      fetch(spec.url + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': type } : {}) },
        body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : (body as string),
      });
    let res = await send();
    if (res.status === 401 && session && token) {
      await res.body?.cancel();
      await session.renewFrom(token);
      token = session.token;
      res = await send();
    }
    const text = await res.text();
    if (measuring) {
      const times = stepTimes.get(step) ?? [];
      times.push(performance.now() - started);
      stepTimes.set(step, times);
    }
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as Json;
  };
  return call;
}

/** A signed-in party member: its calls, and how it confirms a signature. */
interface Member {
  call: Call;
  /**
   * The body's proof for a signature: a step-up token, taken afresh when the last is about to
   * expire, was taken in a session since renewed, or `fresh` is asked; or the password.
   */
  proof(fresh?: boolean): Promise<Json>;
}

async function login(email: string): Promise<Member> {
  const signIn = async () => (await client()('login', 'POST', '/auth/login', { email, password: spec.password })).accessToken as string;
  // One sign-in at a time: the calls that find the same token expired all wait for it.
  let signingIn: Promise<void> | undefined;
  const session: Session = {
    token: await signIn(),
    async renewFrom(expired) {
      if (session.token !== expired) return;
      signingIn ??= signIn().then(
        (token) => void (session.token = token),
        () => undefined,
      ).finally(() => (signingIn = undefined));
      await signingIn;
    },
  };
  const call = client(session);
  // One step-up at a time per member, shared by the trades that sign meanwhile (the provider signs
  // every buyer's agreements), renewed 30 s before it expires so none is refused on the way, and
  // when the session was renewed (a step-up token is bound to the session it was taken in).
  let stepUp: Promise<{ token: string; renewAt: number; session: string }> | undefined;
  const renew = async () => {
    const under = session.token;
    const answer = await call('step-up', 'POST', '/auth/step-up', { password: spec.password });
    return { token: answer.stepUpToken as string, renewAt: Date.parse(answer.expiresAt as string) - 30_000, session: under };
  };
  return {
    call,
    async proof(fresh = false) {
      if (spec.signing === 'password') return { password: spec.password };
      const seen = (stepUp ??= renew());
      const current = await seen.catch(() => undefined);
      // The first to find it failed or due renews it; the others wait for that one.
      if (fresh || !current || Date.now() > current.renewAt || current.session !== session.token) {
        if (stepUp === seen) stepUp = renew();
        return { stepUpToken: (await stepUp).token };
      }
      return { stepUpToken: current.token };
    },
  };
}

const CHECKLIST = { identityNumberMatchesDocuments: true, legalNameMatchesDocuments: true, representativeConfirmed: true, documentsLegibleAndCurrent: true };

async function verifiedParty(as: Call, ops: Call, name: string, identityNumber: string): Promise<void> {
  const party = await as('setup', 'POST', '/parties', { kind: 'company', legalName: name, representative: '赵六', contacts: [{ name: '赵六' }], identityNumber });
  await as('setup', 'POST', `/parties/${party.id}/documents?kind=business_licence`, '%PDF-1.4\n% licence\n%%EOF\n', 'application/pdf');
  await as('setup', 'POST', `/parties/${party.id}/submission`);
  await ops('setup', 'POST', `/parties/${party.id}/reviews`, { decision: 'verified', checklist: CHECKLIST, reasons: '' });
}

/** A listing on sale with a dataset version, made and approved through the API. */
async function listedProduct(seller: Call, ops: Call): Promise<string> {
  const listing = await seller('setup', 'POST', '/catalog/listings', {
    title: { zh: '基准测试客流数据', en: 'Bench ridership' },
    description: { zh: '用于基准测试的去标识化客流数据。', en: 'De-identified ridership for the bench.' },
    category: 'transport', tags: ['bench'], grade: 'general', personalInformation: { contains: false }, governmentDerived: false,
    schema: { fields: [{ name: 'station', type: 'string', description: '站点' }] }, sample: { mediaType: 'text/csv', text: 'station\n解放碑\n' },
    formats: ['csv'], updateFrequency: 'daily', coverage: { period: { start: '2024-01-01', end: '2024-12-31' }, area: '重庆市' }, deliveryMethod: 'download',
    licence: { allowedPurposes: ['交通规划研究'], forbiddenUses: ['re-identification'], termMonths: 12, territory: 'mainland China', onwardTransfer: 'forbidden' },
    pricePlans: [{ name: '一次性购买', kind: 'one_off', amountMinor: 500000, currency: 'CNY' }],
  });
  const id = listing.id as string;
  const evidence = await seller('setup', 'POST', '/catalog/documents?filename=assessment.pdf', '%PDF-1.4\n% assessment\n%%EOF\n', 'application/pdf');
  const cite = [{ sha256: evidence.sha256, description: 'Anonymisation assessment' }];
  await seller('setup', 'PUT', `/catalog/listings/${id}/provenance`, { sourceType: 'own_operations', collectionMethod: 'Card readers', legalBasis: 'Operating licence', collectionPeriod: { start: '2024-01-01', end: '2024-12-31' }, collectionArea: '重庆市', evidence: cite, processing: 'Counts per station' });
  await seller('setup', 'PUT', `/catalog/listings/${id}/ground`, { ground: 'anonymised', method: 'Aggregation, k >= 50', reidentificationRisk: 'none', evidence: cite });
  const version = await seller('setup', 'POST', `/catalog/listings/${id}/versions?filename=ridership.csv`, 'station,riders\n解放碑,12000\n观音桥,9800\n', 'text/csv');
  await seller('setup', 'PATCH', `/catalog/listings/${id}`, { datasetVersionId: version.id });
  await seller('setup', 'POST', `/catalog/listings/${id}/submit`);
  const revision = ((await ops('setup', 'GET', `/catalog/listings/${id}`)).working as { id: string }).id;
  const requirements = ['source_stated', 'ground_and_evidence', 'identity_verified', 'government_derived_flag', 'personal_information', 'grade'];
  await ops('setup', 'POST', `/catalog/listings/${id}/review`, { revisionId: revision, decision: 'approve', notes: 'bench', checklist: requirements.map((requirement) => ({ requirement, satisfied: true, note: 'ok' })) });
  return id;
}

const ops = (await login(spec.operator)).call;
const seller = await login(spec.provider);
await verifiedParty(seller.call, ops, '重庆基准数据供应有限公司', spec.identityNumbers[0]!);
const listingId = await listedProduct(seller.call, ops);
const buyers = await Promise.all(spec.buyers.map(async (email, i) => {
  const buyer = await login(email);
  await verifiedParty(buyer.call, ops, `重庆基准采购方${i}有限公司`, spec.identityNumbers[i + 1]!);
  return buyer;
}));

/**
 * A signature confirmed with the member's proof. A step-up token taken in a session that another
 * call renewed meanwhile is refused; the member steps up again in the current one and signs.
 */
async function sign(member: Member, step: string, agreementId: string, contentSha256: unknown) {
  const path = `/agreements/${agreementId}/signatures`;
  try {
    await member.call(step, 'POST', path, { contentSha256, ...(await member.proof()) });
  } catch (err) {
    if (!(err as Error).message.includes('/problems/reauthentication-failed')) throw err;
    await member.call(step, 'POST', path, { contentSha256, ...(await member.proof(true)) });
  }
}

let bankLine = 0;
async function trade(buyer: Member) {
  const order = await buyer.call('order', 'POST', '/orders', { listingId, pricePlan: '一次性购买', purpose: '交通规划研究', scenario: '基准测试', safeguards: '加密存储' });
  const agreementId = (order.agreement as { id: string }).id;
  const { contentSha256 } = await buyer.call('read agreement', 'GET', `/agreements/${agreementId}`);
  await sign(buyer, 'buyer signs', agreementId, contentSha256);
  await sign(seller, 'provider signs and seals', agreementId, contentSha256);
  const pay = await buyer.call('payment', 'POST', `/orders/${order.id}/payment`, { rail: 'bank_transfer' });
  await ops('bank receipt', 'POST', '/settlement/bank-receipts', { reference: pay.reference, amountMinor: order.amountMinor, currency: 'CNY', bankReference: `BENCH-${process.pid}-${++bankLine}` });
  const grants = (await buyer.call('grants', 'GET', `/orders/${order.id}/grants`)) as unknown as { id: string }[];
  await buyer.call('download', 'GET', `/grants/${grants[0]!.id}/download`);
  await buyer.call('acceptance', 'POST', `/orders/${order.id}/acceptance`);
  await ops('payout', 'POST', `/settlement/payments/${pay.paymentId}/payout/bank-transfer`, { amountMinor: (order.amountMinor as number) - (order.feeMinor as number), currency: 'CNY', bankReference: `BENCH-${process.pid}-${++bankLine}` });
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const latencies: number[] = [];
let errors = 0;
let firstError: string | null = null;
measuring = true;
const began = performance.now();
const end = Date.now() + spec.seconds * 1000;
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
// Trades begun before the end finish after it: the rate is over the time they all took.
const elapsedSeconds = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const steps = [...stepTimes].map(([step, times]) => {
  times.sort((a, b) => a - b);
  return { step, count: times.length, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
});
const answer: TradeAnswer = { trades: latencies.length, perSecond: latencies.length / elapsedSeconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors, firstError, steps };
process.stdout.write(JSON.stringify(answer) + '\n');
