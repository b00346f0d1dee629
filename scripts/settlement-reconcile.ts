// Compares the settlement ledger with the rails' records for a period, as
// GET /settlement/reconciliation does. The period is always given: a check of "some recent hours"
// that nobody asked for would pass silently while the mismatch sits outside it.
import type { DatabaseHandle } from '../src/lib/database.js';
import { dateOption, parseCli, positiveIntegerOption, scriptConfig, whyItFailed } from './cli.js';

const cli = parseCli({
  name: 'settlement:reconcile',
  summary:
    'Compares the ledger with the rails (Stripe, bank transfer) for the payments, payouts and refunds made in a period, and lists every mismatch: ' +
    'missing in the ledger, missing on the rail, amount, currency, status. The period is required: --from and --to, or --last-hours.',
  usage: ['--from DATE --to DATE [--json]', '--last-hours N [--json]'],
  options: {
    from: { type: 'string', value: 'DATE', description: 'start of the period (ISO 8601, inclusive)' },
    to: { type: 'string', value: 'DATE', description: 'end of the period (ISO 8601, exclusive)' },
    'last-hours': { type: 'string', value: 'N', description: 'the N hours up to now, instead of --from and --to' },
    json: { type: 'boolean', default: false, description: 'print the report as the API gives it' },
  },
  examples: [
    'npm run settlement:reconcile -- --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z',
    'npm run settlement:reconcile -- --last-hours 24 --json      # from cron, once a day',
  ],
  exitCodes: ['0  ledger and rails agree', '1  mismatches (each listed)', '2  wrong arguments or settings, or the database could not be read'],
  environment: "the server's configuration (DATABASE_URL, or the embedded database under DATA_DIR); see docs/configuration.md",
});
const { values } = cli;
if (values['last-hours'] !== undefined && (values.from !== undefined || values.to !== undefined)) cli.usageError('give either --last-hours or --from and --to, not both');
let from: Date;
let to: Date;
if (values['last-hours'] !== undefined) {
  to = new Date();
  from = new Date(to.getTime() - positiveIntegerOption(cli, 'last-hours', values['last-hours']) * 3600 * 1000);
} else {
  if (values.from === undefined || values.to === undefined) cli.usageError('the period is required: --from DATE and --to DATE, or --last-hours N');
  from = dateOption(cli, 'from', values.from!);
  to = dateOption(cli, 'to', values.to!);
  if (from >= to) cli.usageError('--from must be before --to');
}

// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { openDatabase } = await import('../src/lib/database.js');
const { reconcile } = await import('../src/modules/settlement/reconciliation.js');
const { createStripeClient } = await import('../src/modules/settlement/stripe-rail.js');
const config = scriptConfig(cli.name);
let database: DatabaseHandle | undefined;
try {
  cli.progress('opening the database');
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds });
  await database.migrate();
  cli.progress(`reconciling ${from.toISOString()} to ${to.toISOString()}`);
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
  console.error(`settlement:reconcile could not run: ${whyItFailed(err, config)}`);
  process.exitCode = 2;
} finally {
  await database?.close();
}
