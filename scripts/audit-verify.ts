// Recomputes the whole audit chain from the command line: `npm run audit:verify`.
// Uses the same configuration as the server (DATABASE_URL, or the embedded database under DATA_DIR).
// Exit code 0: the chain verifies; 1: it does not (the first bad sequence number is printed); 2: could not run.
import { loadConfig } from '../src/config.js';
import { openDatabase, type DatabaseHandle } from '../src/lib/database.js';
import { verifyAuditChain } from '../src/modules/audit/service.js';

const config = loadConfig();
let database: DatabaseHandle | undefined;
try {
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
  await database.migrate();
  const started = Date.now();
  const showProgress = process.stderr.isTTY;
  const result = await verifyAuditChain(database.db, (checked, total) => {
    const line = `checked ${checked} of ${total} events`;
    if (showProgress) process.stderr.write(`\r${line}`);
    else if (checked === total || checked % 100_000 === 0) process.stderr.write(`${line}\n`);
  });
  if (showProgress) process.stderr.write('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.ok) {
    console.log(`audit chain OK: ${result.checked} events, head ${result.head ? `#${result.head.seq} ${result.head.hash}` : '(empty)'} (${seconds} s)`);
  } else {
    console.log(`audit chain BROKEN at event #${result.firstBadSeq}: ${result.reason} (${result.checked} events before it verify)`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`audit:verify could not run: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
