import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { prepareFirstRunSetup } from './modules/accounts/setup.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`configuration: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const app = await buildApp(config);

const setup = await prepareFirstRunSetup(app.db, config.dataDir);
if (setup && 'token' in setup) {
  app.log.warn(`first run: no operator yet. Create one with POST /setup/operator and the one-time setup token ${setup.token} (also in ${setup.file})`);
} else if (setup) {
  app.log.warn(`first run: no operator yet. Create one with POST /setup/operator and the setup token in ${setup.file}`);
}

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // In-flight requests finish; a hung close is cut off so the process always exits.
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`API docs at http://${config.host}:${config.port}/docs (database: ${app.database.kind})`);
} catch (err) {
  app.log.error({ err }, 'could not start');
  await app.close();
  process.exit(1);
}
