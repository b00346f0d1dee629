import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { as, buildTestApp, signUp, type TestUser } from '../../helpers/app.js';
import { applyFor, requestWorld } from '../../helpers/public-data-requests.js';
import { recordReceipt } from '../../helpers/settlement.js';
import { placeOrder, readOrder, sampleOrder, signAgreement, tradingWorld } from '../../helpers/trading.js';

const BOM = '\ufeff';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A whole trade through the API (an order with Chinese text, paid by bank one fen too much, released) and a public-data request. */
async function exportWorld(app: FastifyInstance) {
  const from = new Date();
  const { clerk, buyer, provider, product } = await tradingWorld(app);
  const placed = await placeOrder(app, buyer.user, sampleOrder(product.id, { scenario: '=HYPERLINK("http://evil.example")' }));
  await signAgreement(app, placed);
  const pay = (await as(app, buyer.user, { method: 'POST', url: `/orders/${placed.id}/payment`, payload: { rail: 'bank_transfer' } })).json<{ paymentId: string; reference: string }>();
  t.equal((await recordReceipt(app, clerk, pay.reference, placed.amountMinor + 1)).statusCode, 201, 'paid one fen too much');
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, placed.id));
  const payment = (await as(app, clerk, { method: 'GET', url: `/settlement/payments/${pay.paymentId}` })).json<{ id: string; createdAt: string; payout: { id: string }; refunds: { id: string; createdAt: string }[] }>();
  const requests = await requestWorld(app);
  const request = await applyFor(app, requests.applicant, [requests.entry.id]);
  const to = new Date(Date.now() + 1);
  return { from, to, clerk, buyer, provider, order: (await readOrder(app, buyer.user, placed.id)) as Awaited<ReturnType<typeof readOrder>> & { createdAt: string }, payment, request, bureau: requests.bureau, applicantParty: requests.applicantParty };
}

type World = Awaited<ReturnType<typeof exportWorld>>;

const periodQuery = (from: Date | string, to: Date | string, format = 'csv') =>
  `from=${encodeURIComponent(typeof from === 'string' ? from : from.toISOString())}&to=${encodeURIComponent(typeof to === 'string' ? to : to.toISOString())}&format=${format}`;

const exportOf = (app: FastifyInstance, user: TestUser | null, dataset: string, from: Date | string, to: Date | string, format = 'csv') =>
  as(app, user, { method: 'GET', url: `/exports/${dataset}?${periodQuery(from, to, format)}` });

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks), after the BOM. */
function csvRows(body: string): string[][] {
  const rows: string[][] = [];
  const field = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n|$)/gy;
  let row: string[] = [];
  let match: RegExpExecArray | null;
  while (field.lastIndex < body.length && (match = field.exec(body))) {
    const raw = match[1]!;
    row.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    if (match[2] !== ',') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

async function xlsxRows(payload: Buffer): Promise<(string | number | null)[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(payload as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: (string | number | null)[][] = [];
  sheet.eachRow((row) => rows.push((row.values as (string | number | null)[]).slice(1).map((v) => v ?? null)));
  return rows;
}

/** Each dataset, a column that identifies the world's row in it, and that row's value there. */
const expectations = (w: World) => [
  { dataset: 'orders', key: '订单号 Order number', value: w.order.number, at: w.order.createdAt },
  { dataset: 'payments', key: '付款编号 Payment ID', value: w.payment.id, at: w.payment.createdAt },
  { dataset: 'payouts', key: '结算编号 Payout ID', value: w.payment.payout.id },
  { dataset: 'refunds', key: '退款编号 Refund ID', value: w.payment.refunds[0]!.id, at: w.payment.refunds[0]!.createdAt },
  { dataset: 'public-data-requests', key: '申请编号 Request ID', value: w.request.id as string, at: w.request.receivedAt as string },
];

t.test('operators export each dataset as CSV and XLSX: BOM, Chinese intact, amounts in yuan, period boundaries', async (t) => {
  const app = await buildTestApp(t);
  const w = await exportWorld(app);
  const yuan = (minor: number) => (minor / 100).toFixed(2);

  for (const e of expectations(w)) {
    const csv = await exportOf(app, w.clerk, e.dataset, w.from, w.to);
    t.equal(csv.statusCode, 200, `${e.dataset} csv`);
    t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/);
    t.match(csv.headers['content-disposition'], new RegExp(`^attachment; filename="${e.dataset}_\\d{8}T\\d{6}Z_\\d{8}T\\d{6}Z\\.csv"$`));
    t.ok(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 byte-order mark');
    const rows = csvRows(csv.body.slice(BOM.length));
    const header = rows[0]!;
    const keyColumn = header.indexOf(e.key);
    t.ok(keyColumn >= 0, `${e.dataset}: Chinese and English header "${e.key}"`);
    const row = rows.find((r) => r[keyColumn] === e.value);
    t.ok(row, `${e.dataset}: the world's row is in the CSV`);

    const xlsx = await exportOf(app, w.clerk, e.dataset, w.from, w.to, 'xlsx');
    t.equal(xlsx.statusCode, 200, `${e.dataset} xlsx`);
    t.equal(xlsx.headers['content-type'], XLSX);
    t.match(xlsx.headers['content-disposition'], /\.xlsx"$/);
    const sheet = await xlsxRows(xlsx.rawPayload);
    t.same(sheet[0], header, `${e.dataset}: the same header row in XLSX`);
    t.equal(sheet.length, rows.length, `${e.dataset}: as many rows in XLSX as in CSV`);
    t.ok(sheet.some((r) => r[keyColumn] === e.value), `${e.dataset}: the world's row is in the XLSX`);

    if (e.at) {
      const at = new Date(e.at);
      const just = await exportOf(app, w.clerk, e.dataset, at, new Date(at.getTime() + 1));
      t.ok(csvRows(just.body.slice(1)).some((r) => r[keyColumn] === e.value), `${e.dataset}: a period starting at the row's instant includes it`);
      const before = await exportOf(app, w.clerk, e.dataset, new Date(at.getTime() - 60_000), at);
      t.notOk(csvRows(before.body.slice(1)).some((r) => r[keyColumn] === e.value), `${e.dataset}: a period ending at the row's instant excludes it`);
    }
  }

  const orders = csvRows((await exportOf(app, w.clerk, 'orders', w.from, w.to)).body.slice(1));
  const [header, order] = [orders[0]!, orders.find((r) => r.includes(w.order.number))!];
  const cell = (name: string) => order[header.indexOf(name)];
  t.equal(cell('用途 Purpose'), '交通规划研究', 'Chinese text survives');
  t.match(cell('买方 Buyer'), /^重庆测试数据有限公司/, "the buyer's legal name");
  t.equal(cell('金额（元） Amount (yuan)'), yuan(w.order.amountMinor), 'amounts as decimal yuan');
  t.equal(cell('币种 Currency'), 'CNY');
  t.equal(cell('下单时间 Placed at'), w.order.createdAt, 'instants in ISO 8601');
  t.equal(cell('应用场景 Scenario'), `'=HYPERLINK("http://evil.example")`, 'a formula in free text is defused in CSV');
  const sheet = await xlsxRows((await exportOf(app, w.clerk, 'orders', w.from, w.to, 'xlsx')).rawPayload);
  const xlsxOrder = sheet.find((r) => r.includes(w.order.number))!;
  t.equal(xlsxOrder[header.indexOf('金额（元） Amount (yuan)')], w.order.amountMinor / 100, 'XLSX amounts are numbers');
  t.equal(xlsxOrder[header.indexOf('应用场景 Scenario')], '=HYPERLINK("http://evil.example")', 'XLSX keeps text as text');
  t.equal(xlsxOrder[header.indexOf('用途 Purpose')], '交通规划研究');

  const refunds = csvRows((await exportOf(app, w.clerk, 'refunds', w.from, w.to)).body.slice(1));
  t.equal(refunds[1]![refunds[0]!.indexOf('金额（元） Amount (yuan)')], '0.01', 'the over-payment refund of one fen');
});

t.test('the audit log exports in full for operators, and no identity number leaves in any export', async (t) => {
  const app = await buildTestApp(t);
  const w = await exportWorld(app);
  const res = await exportOf(app, w.clerk, 'audit-events', w.from, w.to);
  t.equal(res.statusCode, 200);
  const rows = csvRows(res.body.slice(1));
  const action = rows[0]!.indexOf('操作 Action');
  t.ok(rows.some((r) => r[action] === 'party.registered'), 'the parties registered in the period');
  t.ok(rows.some((r) => r[action] === 'order.placed' || r[action]?.startsWith('order.')), "the order's steps");
  const xlsx = await xlsxRows((await exportOf(app, w.clerk, 'audit-events', w.from, w.to, 'xlsx')).rawPayload);
  t.equal(xlsx.length, rows.length, 'XLSX has the same rows');

  const exported = await app.inject({ method: 'GET', url: '/audit/events?action=export.downloaded&limit=5', headers: w.clerk.auth });
  t.same(exported.json().items[0].payload, { dataset: 'audit-events', format: 'xlsx', from: w.from.toISOString(), to: w.to.toISOString() }, 'each export is itself audited');

  const parties = [w.applicantParty];
  for (const dataset of ['orders', 'payments', 'payouts', 'refunds', 'public-data-requests', 'audit-events']) {
    const body = (await exportOf(app, w.clerk, dataset, w.from, w.to)).body;
    for (const party of parties) t.notOk(body.includes(party.identityNumber), `${dataset}: no identity number in the clear`);
  }
});

t.test('an empty period is a file with the header only', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  for (const dataset of ['orders', 'payments', 'payouts', 'refunds', 'public-data-requests', 'audit-events']) {
    const csv = await exportOf(app, operator, dataset, '2020-01-01T00:00:00Z', '2020-02-01T00:00:00+08:00');
    t.equal(csv.statusCode, 200);
    t.ok(csv.body.startsWith(BOM), `${dataset}: BOM`);
    const rows = csvRows(csv.body.slice(1));
    t.equal(rows.length, 1, `${dataset}: one CSV row, the header`);
    t.ok(csv.body.endsWith('\r\n'), 'CRLF line ends');
    const sheet = await xlsxRows((await exportOf(app, operator, dataset, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', 'xlsx')).rawPayload);
    t.same(sheet, [rows[0]], `${dataset}: one XLSX row, the same header`);
  }
});

t.test('bad input is a 400 problem, never a 500', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const cases = [
    ['/exports/orders?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'the period ends before it starts'],
    ['/exports/orders?from=2026-13-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'no month 13'],
    ['/exports/orders?from=2026-02-30&to=2026-03-01T00:00:00Z', 'a date, not an instant'],
    ['/exports/orders?from=yesterday&to=2026-03-01T00:00:00Z', 'not a date'],
    ['/exports/orders?from=2026-01-01T00:00:60Z&to=2026-03-01T00:00:00Z', 'a leap second'],
    ['/exports/orders?to=2026-03-01T00:00:00Z', 'no start'],
    ['/exports/payments?from=0000-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'year 0, which the database does not read'],
    ['/exports/payments?from=2026-01-01T00:00:00Z&to=9999-12-31T23:59:59-01:00', 'past the year 9999 in UTC'],
    ['/exports/orders?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&format=pdf', 'an unknown format'],
    ['/exports/orders?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&extra=1', 'an unknown parameter'],
    ['/exports/parties?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'an unknown dataset'],
  ] as const;
  for (const [url, why] of cases) {
    const res = await as(app, operator, { method: 'GET', url });
    t.equal(res.statusCode, 400, why);
    t.match(res.headers['content-type'], /^application\/problem\+json/, why);
    t.equal(res.json().type, '/problems/validation-failed', why);
  }
});

t.test('only operators export, and the bureau the public-data requests', async (t) => {
  const app = await buildTestApp(t);
  const [buyer, bureau, department] = [await signUp(app, ['buyer']), await signUp(app, ['bureau']), await signUp(app, ['department'])];
  const [from, to] = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];
  t.equal((await exportOf(app, null, 'orders', from, to)).statusCode, 401, 'anonymous');
  for (const [user, dataset] of [[buyer, 'orders'], [buyer, 'public-data-requests'], [department, 'public-data-requests'], [bureau, 'orders'], [bureau, 'audit-events']] as const) {
    const res = await exportOf(app, user, dataset, from, to);
    t.equal(res.statusCode, 403, `${user.roles[0]} exports no ${dataset}`);
    t.equal(res.json().type, '/problems/forbidden');
  }
  t.equal((await exportOf(app, bureau, 'public-data-requests', from, to, 'xlsx')).statusCode, 200, 'the bureau exports the requests');
});
