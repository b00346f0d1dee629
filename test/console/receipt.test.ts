import t from 'tap';
import { verifyReceipt as verifyInBrowser } from '../../src/console/lib/receipt.js';
import { verifyReceipt as verifyOnServer } from '../../src/lib/tlog/receipt.js';
import { as, buildTestApp, signUp } from '../helpers/app.js';

/**
 * The console's receipt checker (WebCrypto, src/console/lib/receipt.ts) and the command-line one
 * (node:crypto, src/lib/tlog/receipt.ts) give the same answer, naming the same check, for a
 * genuine receipt and for each way of forging one. Node has the browser's WebCrypto, so this
 * runs without a browser; test/console/trade.test.ts checks a receipt in chromium too.
 */

t.test('the browser’s receipt checker agrees with the command-line one on genuine and forged receipts', async (t) => {
  const app = await buildTestApp(t);
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
  const leafText = Buffer.from(receipt.leaf as string, 'base64').toString('utf8');

  const cases: [string, unknown, string][] = [
    ['a genuine receipt', receipt, key],
    ['another genuine one', older, key],
    ['not a receipt', { format: 'something else' }, key],
    ['a key with a wrong hash', receipt, `${name}+00000000+${raw}`],
    ['another log’s key', receipt, `other-log+${hash}+${raw}`],
    ['a forged checkpoint signature', { ...receipt, checkpoint: (receipt.checkpoint as string).replace(/ (\S+)\n$/, (_, sig: string) => ` ${flipped(sig)}\n`) }, key],
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
});
