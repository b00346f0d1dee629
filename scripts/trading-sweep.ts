// One sweep of the orders: expires orders left unanswered and accepts deliveries whose acceptance
// window has closed (the provider is then paid through settlement), e.g. from cron. Every server
// process also sweeps on a timer; sweeps claim rows FOR UPDATE SKIP LOCKED, so running this
// alongside them is safe. It builds the same app as the server, so the same settlement and
// agreements act.
import { parseCli, scriptConfig, whyItFailed } from './cli.js';

const cli = parseCli({
  name: 'trading:sweep',
  summary: 'Expires orders left unanswered (ORDER_RESPONSE_HOURS) and accepts deliveries whose acceptance window closed (ACCEPTANCE_WINDOW_DAYS), once. Safe alongside running servers.',
  usage: [''],
  options: {},
  examples: ['npm run trading:sweep', '*/5 * * * *  cd /srv/exchange && npm run -s trading:sweep -- --quiet     # crontab'],
  exitCodes: ['0  swept (the counts are printed)', '2  wrong arguments or settings, or the database could not be used'],
  environment: "the server's configuration (DATABASE_URL, or the embedded database under DATA_DIR); see docs/configuration.md",
});
// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { buildApp } = await import('../src/app.js');
const config = { ...scriptConfig(cli.name), logLevel: 'warn' as const, tradingSweepIntervalMs: 0 };
try {
  cli.progress('opening the database and building the app');
  const app = await buildApp(config);
  try {
    cli.progress('sweeping orders');
    const result = await app.trading.sweep();
    console.log(`trading sweep: ${result.expired} orders expired, ${result.accepted} deliveries accepted automatically`);
  } finally {
    await app.close();
  }
} catch (err) {
  console.error(`trading:sweep could not run: ${whyItFailed(err, config)}`);
  process.exitCode = 2;
}
