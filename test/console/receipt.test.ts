import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { verifyReceipt as verifyInBrowser } from '../../src/console/lib/receipt.js';
import { verifyReceipt as verifyOnServer, type ConsistencyProofFile } from '../../src/lib/tlog/receipt.js';
import { as, buildTestApp, signUp } from '../helpers/app.js';
import { checkAccessibility, consoleBundle, fieldValue, noBrowser, openConsole, screenshot } from '../helpers/console.js';
import { runTs } from '../helpers/spawn.js';

/**
 * The console's receipt checker (WebCrypto, src/console/lib/receipt.ts) and the command-line one
 * (node:crypto, src/lib/tlog/receipt.ts) give the same answer, naming the same check, for a
 * genuine receipt and for each way of forging one, and for a genuine and forged consistency proof
 * to a newer checkpoint. Node has the browser's WebCrypto, so that runs without a browser; the
 * consistency proof is then checked by `audit:verify-receipt` itself and in the page, in chromium.
 */

t.test('the browser’s receipt checker agrees with the command-line one on genuine and forged receipts', async (t) => {
  const app = await buildTestApp(t, {}, noBrowser ? {} : { consoleDir: await consoleBundle() });
  const operator = await signUp(app, ['operator']);
  await signUp(app, ['buyer']);
  const events = (await as(app, operator, { method: 'GET', url: '/audit/events?limit=5' })).json<{ items: { id: string }[] }>().items;
  const receiptOf = async (id: string) => (await as(app, operator, { method: 'GET', url: `/audit/events/${id}/receipt?wait=5` })).json<Record<string, unknown>>();
  const receipt = await receiptOf(events[0]!.id);
  const older = await receiptOf(events.at(-1)!.id);
  const key = (await app.inject({ method: 'GET', url: '/audit/log/key' })).body.trim();
  const [name, hash, raw] = key.split('+') as [string, string, string];
  const flipped = (base64: string) => {
    const bytes = Buffer.from(base64, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    return bytes.toString('base64');
  };
  const forgedSignature = (note: string) => note.replace(/ (\S+)\n$/, (_, sig: string) => ` ${flipped(sig)}\n`);
  const leafText = Buffer.from(receipt.leaf as string, 'base64').toString('utf8');

  const cases: [string, unknown, string][] = [
    ['a genuine receipt', receipt, key],
    ['another genuine one', older, key],
    ['not a receipt', { format: 'something else' }, key],
    ['a key with a wrong hash', receipt, `${name}+00000000+${raw}`],
    ['another log’s key', receipt, `other-log+${hash}+${raw}`],
    ['a forged checkpoint signature', { ...receipt, checkpoint: forgedSignature(receipt.checkpoint as string) }, key],
    ['a tree size the checkpoint does not sign', { ...receipt, treeSize: (receipt.treeSize as number) + 1 }, key],
    ['another leaf’s position', { ...receipt, leafIndex: older.leafIndex }, key],
    ['a position outside the tree', { ...receipt, leafIndex: receipt.treeSize }, key],
    ['a changed record', { ...receipt, leaf: Buffer.from(leafText.replace('"action":"', '"action":"x')).toString('base64') }, key],
    ['a record not in canonical form', { ...receipt, leaf: Buffer.from(` ${leafText}`).toString('base64') }, key],
    ['a changed audit path', { ...receipt, inclusionProof: (receipt.inclusionProof as string[]).map((h, i) => (i === 0 ? flipped(h) : h)) }, key],
  ];
  for (const [what, given, withKey] of cases) {
    const server = verifyOnServer(given, withKey);
    const browser = await verifyInBrowser(given, withKey);
    t.same(browser, server, `${what}: ${server.ok ? 'holds' : `fails at ${server.failed}`} in both`);
  }
  t.ok((receipt.inclusionProof as string[]).length > 0, 'the receipt has an audit path to change');

  // The log grows; once the new user's event is in it, the newest checkpoint signs more leaves.
  await signUp(app, ['buyer'], 'grower');
  const latest = (await as(app, operator, { method: 'GET', url: '/audit/events?limit=1' })).json<{ items: { id: string }[] }>().items[0]!;
  t.ok((await receiptOf(latest.id)).leaf, 'the newest event is in the log');
  const newest = (await app.inject({ method: 'GET', url: '/audit/log/checkpoint' })).body;
  const from = receipt.treeSize as number;
  const to = Number(newest.split('\n')[1]);
  t.ok(to > from, `the log grew from ${from} to ${to} leaves`);
  const proofOf = async (a: number, b: number) => (await app.inject({ method: 'GET', url: `/audit/log/proofs/consistency?from=${a}&to=${b}` })).json<ConsistencyProofFile>();
  const proof = await proofOf(from, to);
  const shorter = await proofOf(from - 1, to);
  const newer: [string, { checkpoint: string; consistency: ConsistencyProofFile }][] = [
    ['a genuine consistency proof', { checkpoint: newest, consistency: proof }],
    ['its own checkpoint, unchanged', { checkpoint: receipt.checkpoint as string, consistency: { from, to: from, proof: [] } }],
    ['a changed hash in the proof', { checkpoint: newest, consistency: { ...proof, proof: proof.proof.map((h, i) => (i === proof.proof.length - 1 ? flipped(h) : h)) } }],
    ['a proof from a wrong older size', { checkpoint: newest, consistency: shorter }],
    ['that proof claiming the receipt’s size', { checkpoint: newest, consistency: { ...shorter, from } }],
    ['a proof with a step left out', { checkpoint: newest, consistency: { ...proof, proof: proof.proof.slice(1) } }],
    ['a newer checkpoint with a bad signature', { checkpoint: forgedSignature(newest), consistency: proof }],
  ];
  for (const [what, given] of newer) {
    const server = verifyOnServer(receipt, key, given);
    const browser = await verifyInBrowser(receipt, key, given);
    t.same(browser, server, `${what}: ${server.ok ? 'holds' : `fails at ${server.failed}`} in both`);
  }
  t.ok(proof.proof.length > 0, `the proof from ${from} to ${to} has steps to change`);

  // The command line itself, on the same files, names the same checks (a process each: the genuine
  // proof and one of each kind of forgery).
  const dir = mkdtempSync(join(tmpdir(), 'dx-consistency-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify(receipt));
  const byCli = [0, 2, 3, 6].map((i) => newer[i]!);
  const cli = await Promise.all(
    byCli.map(async ([, given], i) => {
      writeFileSync(join(dir, `newer-${i}.txt`), given.checkpoint);
      writeFileSync(join(dir, `proof-${i}.json`), JSON.stringify(given.consistency));
      const args = [join(dir, 'receipt.json'), '--key', key, '--newer', join(dir, `newer-${i}.txt`), '--consistency', join(dir, `proof-${i}.json`)];
      return runTs('scripts/audit-verify-receipt.ts', args, {});
    }),
  );
  for (const [i, [what, given]] of byCli.entries()) {
    const browser = await verifyInBrowser(receipt, key, given);
    const { code, stdout } = cli[i]!;
    if (browser.ok) t.ok(code === 0 && /prefix of the newer one/.test(stdout), `${what}: audit:verify-receipt holds it too (${stdout.trim()})`);
    else t.ok(code === 1 && stdout.includes(`FAILED at check "${browser.failed}"`), `${what}: audit:verify-receipt fails it at ${browser.failed} too`);
  }

  t.test('the receipt checker page checks a consistency proof it fetched or was given', { skip: noBrowser }, async (t) => {
    const { page, open, pageErrors } = await openConsole(t, app);
    await open('/receipts');
    await page.getByLabel('回执（JSON）').fill(JSON.stringify(receipt, null, 2));
    await page.getByRole('button', { name: '从服务器获取公钥' }).click();
    await fieldValue(page.getByLabel('日志公钥'), /^[^+\s]+\+[0-9a-f]{8}\+/);
    await page.getByRole('button', { name: '从服务器获取最新检查点及一致性证明' }).click();
    const fetched = await fieldValue(page.getByLabel('一致性证明（JSON）'), /"proof"/);
    t.match(JSON.parse(fetched), { from, proof: Array }, 'the proof from the receipt’s tree, fetched');
    t.match(await page.getByLabel('较新的检查点').inputValue(), /^\S+\n\d+\n/, 'the newest checkpoint, fetched');
    const check = page.getByRole('button', { name: '核验', exact: true });
    await check.click();
    await page.getByText(/^签名的 \d+ 条记录的日志包含了这 \d+ 条记录且未改写/).waitFor();
    t.pass('the receipt and the consistency proof hold in the page');
    await checkAccessibility(t, page, 'receipt checker with a consistency proof');
    await screenshot(page, 'receipt', 'consistency-proof');

    // Pasted instead: a forged proof, then a checkpoint signed by no one, each failing by its check's name.
    await page.getByLabel('一致性证明（JSON）').fill(JSON.stringify(newer[2]![1].consistency));
    await check.click();
    await page.getByText('回执无效：一致性证明未通过。').waitFor();
    await page.getByLabel('一致性证明（JSON）').fill('');
    await check.click();
    await page.getByText(/^回执无效：一致性证明未通过。/).waitFor();
    t.match(await page.locator('.problem-detail').textContent(), `the proof must run from ${from} to ${to}`, 'a newer checkpoint without its proof fails too');
    await page.getByLabel('一致性证明（JSON）').fill(JSON.stringify(proof));
    await page.getByLabel('较新的检查点').fill(forgedSignature(newest));
    await check.click();
    await page.getByText('回执无效：较新检查点的签名未通过。').waitFor();
    t.pass('a forged proof and a forged newer checkpoint fail in the page, by the CLI’s check names');
    t.same(pageErrors, [], 'no errors in the page');
  });
});
