// Recomputes the whole audit log from the stored events and compares it with every signed
// checkpoint. On the embedded database it needs the server stopped (the database belongs to one
// process); a running server does the same for an operator at POST /audit/verify.
import type { DatabaseHandle } from '../src/lib/database.js';
import { parseCli, scriptConfig, whyItFailed } from './cli.js';

const cli = parseCli({
  name: 'audit:verify',
  summary:
    'Recomputes the whole audit log (every leaf, the Merkle tree) from the stored events and checks it against every signed checkpoint. ' +
    'On the embedded database, stop the server first; with a server running, POST /audit/verify does the same.',
  usage: [''],
  options: {},
  examples: ['npm run audit:verify', 'DATABASE_URL=postgres://… AUDIT_LOG_KEY=… npm run audit:verify -- --quiet'],
  exitCodes: ['0  the log verifies', '1  it does not: the first leaf that does not match is named', '2  wrong arguments or settings, or the database could not be used'],
  environment: "the server's configuration (DATABASE_URL or DATA_DIR, AUDIT_LOG_KEY, AUDIT_LOG_ORIGIN); see docs/configuration.md",
});
// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { openDatabase } = await import('../src/lib/database.js');
const { createLogSigner } = await import('../src/modules/audit/signer.js');
const { verifyAuditLog } = await import('../src/modules/audit/verify.js');
const config = scriptConfig(cli.name);
let database: DatabaseHandle | undefined;
try {
  cli.progress('opening the database');
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds });
  await database.migrate();
  const started = Date.now();
  const quiet = cli.values.quiet === true;
  const showBar = process.stderr.isTTY && !quiet;
  const bar = (done: number, total: number) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done} of ${total} leaves`;
  };
  const result = await verifyAuditLog(database.db, createLogSigner(config.auditLogOrigin, config.auditLogKey), (done, total) => {
    if (showBar) process.stderr.write(`\r${bar(done, total)}`);
    else if (done === total || done % 200_000 < 20_000) cli.progress(bar(done, total));
  });
  if (showBar) process.stderr.write('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.ok) {
    console.log(`audit log OK: ${result.leaves} leaves, ${result.checkpoints} signed checkpoints match, ${result.pending} events waiting for the sequencer (${seconds} s)`);
  } else {
    // The reason names the leaf by its index and its event by seq (`leaf 2 (event seq 3) ...`).
    console.log(`audit log BROKEN: ${result.reason}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`audit:verify could not run: ${whyItFailed(err, config)}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
