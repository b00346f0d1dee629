// One sweep of the orders: expires orders left unanswered and accepts deliveries whose acceptance
// window has closed (the provider is then paid through settlement): `npm run trading:sweep`, e.g.
// from cron. Every server process also sweeps on a timer; sweeps claim rows FOR UPDATE SKIP LOCKED,
// so running this alongside them is safe. Uses the server's configuration and the same app (so the
// same settlement and agreements) as the server. Exit code 0: done; 2: could not run.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const config = { ...loadConfig(), logLevel: 'warn' as const, tradingSweepIntervalMs: 0 };
try {
  const app = await buildApp(config);
  try {
    const result = await app.trading.sweep();
    console.log(`trading sweep: ${result.expired} orders expired, ${result.accepted} deliveries accepted automatically`);
  } finally {
    await app.close();
  }
} catch (err) {
  console.error(`trading:sweep could not run: ${(err as Error).message}`);
  process.exitCode = 2;
}
