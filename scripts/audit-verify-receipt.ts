// Checks a receipt of the exchange's audit log offline, with the log's public key alone:
//
//   npm run audit:verify-receipt -- receipt.json --key 'origin+hash+base64'      (or --key-file key.txt)
//   npm run audit:verify-receipt -- receipt.json --key-file key.txt --newer checkpoint.txt --consistency proof.json
//
// The key is GET /audit/log/key; the newer checkpoint GET /audit/log/checkpoint; the proof
// GET /audit/log/proofs/consistency?from=<receipt's treeSize>&to=<newer size>.
// Exit 0: every check passed; 1: one failed (named); 2: the command was used wrongly.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyReceipt } from '../src/lib/tlog/receipt.js';

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { key: { type: 'string' }, 'key-file': { type: 'string' }, newer: { type: 'string' }, consistency: { type: 'string' } } });
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const { values, positionals } = args;
const key = values.key ?? (values['key-file'] ? readFileSync(values['key-file'], 'utf8').trim() : undefined);
if (positionals.length !== 1 || !key || Boolean(values.newer) !== Boolean(values.consistency)) {
  console.error('usage: audit-verify-receipt RECEIPT.json (--key KEY | --key-file FILE) [--newer CHECKPOINT --consistency PROOF.json]');
  process.exit(2);
}
const read = (file: string) => readFileSync(file, 'utf8');
let receipt: unknown;
try {
  receipt = JSON.parse(read(positionals[0]!));
} catch (err) {
  console.error(`cannot read the receipt: ${(err as Error).message}`);
  process.exit(2);
}
const newer = values.newer ? { checkpoint: read(values.newer), consistency: JSON.parse(read(values.consistency!)) } : undefined;
const result = verifyReceipt(receipt, key, newer);
if (result.ok) {
  console.log(`receipt OK: leaf ${result.leafIndex} is in the signed tree of ${result.treeSize} leaves${newer ? ', and that tree is a prefix of the newer one' : ''}`);
} else {
  console.log(`receipt FAILED at check "${result.failed}": ${result.detail}`);
  process.exitCode = 1;
}
