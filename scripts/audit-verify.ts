// Recomputes the whole audit log from the stored events and compares it with every signed
// checkpoint: `npm run audit:verify`. Uses the server's configuration (DATABASE_URL, or the
// embedded database under DATA_DIR, and the log's key).
// Exit code 0: the log verifies; 1: it does not (the first bad leaf is named, with its event's seq); 2: could not run.
import { loadConfig } from '../src/config.js';
import { openDatabase, type DatabaseHandle } from '../src/lib/database.js';
import { createLogSigner } from '../src/modules/audit/signer.js';
import { verifyAuditLog } from '../src/modules/audit/verify.js';

const config = loadConfig();
let database: DatabaseHandle | undefined;
try {
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
  await database.migrate();
  const started = Date.now();
  const showProgress = process.stderr.isTTY;
  const bar = (done: number, total: number) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done} of ${total} leaves`;
  };
  const result = await verifyAuditLog(database.db, createLogSigner(config.auditLogOrigin, config.auditLogKey), (done, total) => {
    if (showProgress) process.stderr.write(`\r${bar(done, total)}`);
    else if (done === total || done % 200_000 < 20_000) process.stderr.write(`${bar(done, total)}\n`);
  });
  if (showProgress) process.stderr.write('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.ok) {
    console.log(`audit log OK: ${result.leaves} leaves, ${result.checkpoints} signed checkpoints match, ${result.pending} events waiting for the sequencer (${seconds} s)`);
  } else {
    // The reason names the leaf by its index and its event by seq (`leaf 2 (event seq 3) ...`).
    console.log(`audit log BROKEN: ${result.reason}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`audit:verify could not run: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
