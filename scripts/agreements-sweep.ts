// Marks signed agreements whose term has ended as expired, once, for a cron job beside (or instead
// of) the timer every server process runs. Safe alongside running servers: rows are claimed with
// FOR UPDATE SKIP LOCKED.
import type { DatabaseHandle } from '../src/lib/database.js';
import { parseCli, scriptConfig, whyItFailed } from './cli.js';

const cli = parseCli({
  name: 'agreements:sweep',
  summary: 'Marks signed agreements whose term has ended as expired, once (every server process also does this on a timer, AGREEMENT_SWEEP_INTERVAL_MS). Safe alongside running servers.',
  usage: [''],
  options: {},
  examples: ['npm run agreements:sweep', '*/15 * * * *  cd /srv/exchange && npm run -s agreements:sweep -- --quiet     # crontab'],
  exitCodes: ['0  swept (the count is printed)', '2  wrong arguments or settings, or the database could not be used'],
  environment: "the server's configuration (DATABASE_URL, or the embedded database under DATA_DIR); see docs/configuration.md",
});
// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { openDatabase } = await import('../src/lib/database.js');
const { sweepExpiredAgreements } = await import('../src/modules/agreements/lifecycle.js');
const config = scriptConfig(cli.name);
let database: DatabaseHandle | undefined;
try {
  cli.progress('opening the database');
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds });
  await database.migrate();
  cli.progress('sweeping agreements');
  const expired = await sweepExpiredAgreements(database.db);
  console.log(`agreements:sweep: ${expired} agreement${expired === 1 ? '' : 's'} marked expired`);
} catch (err) {
  console.error(`agreements:sweep could not run: ${whyItFailed(err, config)}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
