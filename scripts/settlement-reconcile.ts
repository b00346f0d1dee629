// Compares the settlement ledger with the rails' records for a period: `npm run settlement:reconcile
// -- --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z` (default: the last 24 hours; `--json`
// prints the report as the API gives it). Uses the server's configuration (DATABASE_URL, or the
// embedded database under DATA_DIR).
// Exit code 0: nothing differs; 1: mismatches (each listed); 2: could not run.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase, type DatabaseHandle } from '../src/lib/database.js';
import { reconcile } from '../src/modules/settlement/reconciliation.js';
import { createStripeClient } from '../src/modules/settlement/stripe-rail.js';

let database: DatabaseHandle | undefined;
try {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const to = values.to ? new Date(values.to) : new Date();
  const from = values.from ? new Date(values.from) : new Date(to.getTime() - 24 * 3600 * 1000);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new Error('--from and --to take ISO 8601 date-times');
  const config = loadConfig();
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
  await database.migrate();
  // Chargebacks are compared with Stripe's own disputes when the exchange takes cards.
  const stripe = config.settlement.stripe ? createStripeClient(config.settlement.stripe) : null;
  const report = await reconcile(database.db, from, to, stripe);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const { payments, payouts, refunds } = report.checked;
    console.log(`settlement ${report.from} to ${report.to}: ${payments} payments, ${payouts} payouts, ${refunds} refunds checked, ${report.mismatches.length} mismatches`);
    for (const m of report.mismatches) {
      console.log(`${m.kind}\t${m.rail}\t${m.record} ${m.recordId}\torder ${m.orderId}\tledger ${m.ledgerMinor ?? '-'}\trail ${m.railMinor ?? '-'}\t${m.detail}`);
    }
  }
  if (report.mismatches.length > 0) process.exitCode = 1;
} catch (err) {
  console.error(`settlement:reconcile could not run: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
