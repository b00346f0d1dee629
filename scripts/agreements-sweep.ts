// Marks signed agreements whose term has ended as expired, once: `npm run agreements:sweep`, for a
// cron job beside (or instead of) the timer every server process runs. Safe alongside running
// servers: rows are claimed with FOR UPDATE SKIP LOCKED. Uses the server's configuration.
// Exit code 0: swept (the count is printed); 2: could not run.
import { loadConfig } from '../src/config.js';
import { openDatabase, type DatabaseHandle } from '../src/lib/database.js';
import { sweepExpiredAgreements } from '../src/modules/agreements/lifecycle.js';

const config = loadConfig();
let database: DatabaseHandle | undefined;
try {
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
  await database.migrate();
  const expired = await sweepExpiredAgreements(database.db);
  console.log(`agreements:sweep: ${expired} agreement${expired === 1 ? '' : 's'} marked expired`);
} catch (err) {
  console.error(`agreements:sweep could not run: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
