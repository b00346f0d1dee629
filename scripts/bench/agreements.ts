// Agreement PDFs (issue 11): a three-page Chinese agreement rendered and sealed, as the second
// signature does it, in this process (no route of its own: sealing happens inside a signature).
// Standalone: `node --import ./scripts/typescript.mjs scripts/bench/agreements.ts`; `npm run bench` runs it as a section.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fillClauses, knownPlaceholders, parseModelText } from '../../src/modules/agreements/model-text.js';
import { loadAgreementFont } from '../../src/modules/agreements/font.js';
import { renderAgreementPdf, type AgreementDocument } from '../../src/modules/agreements/pdf.js';
import { createSeal, loadSealKey } from '../../src/modules/agreements/seal.js';

export interface AgreementMeasures {
  pdfsPerSecond: number;
  medianMs: number;
  p99Ms: number;
  /** CPU time per PDF (user + system): what the render costs on a machine busy with other work too. */
  cpuMsPerPdf: number;
  bytes: number;
  pages: number;
}

const fixture = (name: string) => fileURLToPath(new URL(`../../${name}`, import.meta.url));

/** A trade agreement whose sealed copy runs to three A4 pages of mostly Chinese text. */
function sampleDocument(): AgreementDocument {
  const text = parseModelText(readFileSync(fixture('templates/trade.v1.txt'), 'utf8'));
  const values = Object.fromEntries(knownPlaceholders.trade.map((p) => [p, '']));
  Object.assign(values, {
    'agreement.number': 'DTA-2026-000123',
    'provider.name': '重庆示例数据科技有限公司',
    'provider.identityNumber': '9150**********123X',
    'buyer.name': '重庆城市交通研究院有限公司',
    'buyer.identityNumber': '9150**********456Y',
    'order.number': 'ORD-2026-000456',
    'product.title': '重庆市公共交通客流数据 / Chongqing public transport ridership',
    pricePlan: '标准版（一次性）',
    price: '12,500.00 CNY',
    fee: '625.00 CNY',
    purpose: '城市交通拥堵成因分析与公交线网优化研究',
    scenario: '交通规划部门内部分析平台，仅限授权研究人员访问',
    safeguards: '数据在传输和存储时均加密，访问须经审批并留存日志，定期开展安全评估与应急演练',
    'term.start': '2026-12-01',
    'term.end': '2027-11-30',
    onwardTransfer: '不得向任何第三方提供（forbidden）',
    territory: '中国大陆 mainland China',
    disposalDays: '30',
    specialTerms: '乙方每季度向甲方报告数据使用情况。Party B reports its use quarterly.',
  });
  return {
    number: 'DTA-2026-000123',
    revision: 1,
    title: text.title,
    basis: text.basis,
    modelText: { kind: 'trade', version: text.version, sha256: text.sha256 },
    parties: [
      { partyId: '00000000-0000-4000-8000-000000000001', role: 'provider', label: { zh: '甲方（数据提供方）', en: 'Party A (provider)' }, name: values['provider.name']!, identityNumberMasked: values['provider.identityNumber']!, signs: true },
      { partyId: '00000000-0000-4000-8000-000000000002', role: 'buyer', label: { zh: '乙方（数据需求方）', en: 'Party B (buyer)' }, name: values['buyer.name']!, identityNumberMasked: values['buyer.identityNumber']!, signs: true },
    ],
    clauses: fillClauses(text, values),
    dataList: [{ name: '公交IC卡刷卡记录', description: '2025年全年脱敏刷卡明细', format: 'text/csv', sha256: 'ab'.repeat(32) }],
    createdAt: new Date('2026-11-29T10:00:00.000Z'),
  };
}

export async function measureAgreements(options: { seconds?: number; keep?: (pdf: Buffer) => void } = {}): Promise<AgreementMeasures> {
  const seconds = options.seconds ?? 5;
  const font = loadAgreementFont();
  const seal = createSeal(await loadSealKey(fixture('test/fixtures/agreement-seal.p12'), 'test-seal-passphrase'));
  const doc = sampleDocument();
  const sealedAt = new Date('2026-11-29T11:00:00.000Z');
  const signatures = doc.parties.map((p, i) => ({ partyName: p.name, label: p.label, userName: `signer ${i + 1}`, signedAt: sealedAt, ip: '203.0.113.7', contentSha256: 'cd'.repeat(32), auditEventId: '00000000-0000-4000-8000-00000000000a' }));
  const once = async () => {
    const unsigned = await renderAgreementPdf(font, doc, { signatures, sealedAt, contentSha256: 'cd'.repeat(32), beforeEnd: (d) => seal.placeholder(d, sealedAt, 'Chongqing, CN') });
    return seal.sign(unsigned, sealedAt);
  };
  const first = await once();
  options.keep?.(first);
  for (let i = 0; i < 5; i++) await once();
  const times: number[] = [];
  const end = Date.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  while (Date.now() < end) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  times.sort((a, b) => a - b);
  const pages = (first.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  return {
    pdfsPerSecond: times.length / seconds,
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0,
    cpuMsPerPdf: (cpu.user + cpu.system) / 1000 / Math.max(1, times.length),
    bytes: first.length,
    pages,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.env.BENCH_AGREEMENT_PDF;
  const m = await measureAgreements({ seconds: Number(process.env.BENCH_SECONDS ?? 5), keep: out ? (pdf) => writeFileSync(out, pdf) : undefined });
  console.log(`sealed ${m.pages}-page Chinese agreement: ${m.pdfsPerSecond.toFixed(1)} PDFs/s, median ${m.medianMs.toFixed(1)} ms, p99 ${m.p99Ms.toFixed(1)} ms, CPU ${m.cpuMsPerPdf.toFixed(1)} ms each, ${(m.bytes / 1024).toFixed(1)} KB`);
}
