// Checks a receipt of the exchange's audit log offline, with the log's public key alone. The key is
// GET /audit/log/key; the newer checkpoint GET /audit/log/checkpoint; the proof
// GET /audit/log/proofs/consistency?from=<receipt's treeSize>&to=<newer size>. Opens no database.
import { readFileSync } from 'node:fs';
import { verifyReceipt } from '../src/lib/tlog/receipt.js';
import { parseCli } from './cli.js';

const cli = parseCli({
  name: 'audit:verify-receipt',
  summary:
    'Checks a receipt of the audit log (GET /audit/events/{id}/receipt) offline with the log’s public key: the leaf, its audit path, the signed checkpoint; ' +
    'with --newer and --consistency, also that a newer checkpoint only extends the receipt’s tree. Trusts nothing the exchange says now.',
  usage: ['RECEIPT.json (--key KEY | --key-file FILE) [--newer CHECKPOINT --consistency PROOF.json]'],
  options: {
    key: { type: 'string', value: 'KEY', description: 'the log’s verifier key, origin+hash+base64 (GET /audit/log/key)' },
    'key-file': { type: 'string', value: 'FILE', description: 'a file holding that key' },
    newer: { type: 'string', value: 'FILE', description: 'a newer signed checkpoint (GET /audit/log/checkpoint)' },
    consistency: { type: 'string', value: 'FILE', description: 'the consistency proof from the receipt’s tree to the newer one' },
  },
  positionals: { names: 'RECEIPT.json', min: 1, max: 1 },
  examples: [
    'npm run -s audit:verify-receipt -- receipt.json --key-file log-key.txt',
    'npm run -s audit:verify-receipt -- receipt.json --key-file log-key.txt --newer newest.txt --consistency consistency.json',
  ],
  exitCodes: ['0  every check passed', '1  a check failed (it is named)', '2  wrong arguments, or a file that cannot be read'],
});
const { values, positionals } = cli;
if ((values.key === undefined) === (values['key-file'] === undefined)) cli.usageError('give the log’s key: --key KEY or --key-file FILE (one of them)');
if ((values.newer === undefined) !== (values.consistency === undefined)) cli.usageError('--newer and --consistency go together');

/** A file's text, or a usage error naming the option and the file. */
function read(what: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return cli.usageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
function readJson(what: string, file: string): unknown {
  try {
    return JSON.parse(read(what, file));
  } catch (err) {
    return cli.usageError(`${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}
const key = values.key ?? read('the key file', values['key-file']!).trim();
const receipt = readJson('the receipt', positionals[0]!);
const proof = values.consistency === undefined ? undefined : readJson('the proof', values.consistency);
// Its members are checked by verifyReceipt, which names the check that fails.
if (proof !== undefined && (typeof proof !== 'object' || proof === null)) cli.usageError(`the proof ${values.consistency} is not a consistency proof (GET /audit/log/proofs/consistency)`);
const newer = values.newer ? ({ checkpoint: read('the checkpoint', values.newer), consistency: proof } as Parameters<typeof verifyReceipt>[2]) : undefined;
const result = verifyReceipt(receipt, key, newer);
if (result.ok) {
  console.log(`receipt OK: leaf ${result.leafIndex} is in the signed tree of ${result.treeSize} leaves${newer ? ', and that tree is a prefix of the newer one' : ''}`);
} else {
  console.log(`receipt FAILED at check "${result.failed}": ${result.detail}`);
  process.exitCode = 1;
}
