import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, type Config } from './config.js';
import { EX_CONFIG, explainStartupError, type StartupFailure } from './lib/startup-errors.js';
import { compileAll } from './lib/lazy-compile.js';
import type { StartFailedMessage } from './lib/supervisor.js';
import type { prepareFirstRunSetup } from './modules/accounts/setup.js';

/**
 * The one entry point (`npm start`). With a server database it runs `WEB_CONCURRENCY` workers
 * (default: one per core) under a primary that migrates the database once, prints the first-run
 * setup token, replaces a worker that dies (lib/supervisor.ts) and stops them all on SIGTERM. The
 * embedded database belongs to one process, so there the process serves alone. A start that
 * cannot succeed ends with one line saying what is wrong and what to do (lib/startup-errors.ts).
 * The service's modules load only once the configuration is read, so a wrong setting is said at once.
 */
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`configuration: ${err.message} (docs/configuration.md lists every setting; docs/operations.md makes the secrets and the seal)`);
    process.exit(EX_CONFIG);
  }
  throw err;
}

function stopWith(failure: StartupFailure): void {
  console.error(`could not start: ${failure.message}`);
  process.exit(failure.exitCode);
}

/**
 * Ends a start that failed. A known cause is one line (a worker hands it to the primary, which
 * says it once); anything else is a bug, and its stack is what a developer needs.
 */
function failStart(err: unknown): void {
  const failure = explainStartupError(err, config);
  if (!failure) throw err;
  if (cluster.isWorker && process.send) {
    process.send({ startFailed: failure } satisfies StartFailedMessage, () => process.exit(failure.exitCode));
    return;
  }
  stopWith(failure);
}

function announceSetup(setup: Awaited<ReturnType<typeof prepareFirstRunSetup>>, warn: (msg: string) => void) {
  if (setup && 'token' in setup) {
    warn(`first run: no operator yet. Create one with POST /setup/operator and the one-time setup token ${setup.token} (also in ${setup.file})`);
  } else if (setup) {
    warn(`first run: no operator yet. Create one with POST /setup/operator and the setup token in ${setup.file}`);
  }
}

async function serve(migrated: boolean) {
  const [{ buildApp }, { prepareFirstRunSetup }] = await Promise.all([import('./app.js'), import('./modules/accounts/setup.js')]);
  let app: FastifyInstance;
  try {
    app = await buildApp(config, { migrated });
  } catch (err) {
    return failStart(err);
  }
  if (!migrated) announceSetup(await prepareFirstRunSetup(app.db, config.dataDir), (msg) => app.log.warn(msg));
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
    // Every route's validators and serializers, compiled before the first request rather than by it.
    await app.ready();
    compileAll();
    const address = await app.listen({ port: config.port, host: config.host });
    const where = app.database.kind === 'pglite' ? 'embedded database, one process' : `server database, worker ${cluster.worker?.id ?? 1} of ${config.workers}`;
    // The address listened on, not the one configured: PORT=0 takes whatever port is free.
    app.log.info(`API docs at ${address}/docs (${where})`);
  } catch (err) {
    await app.close().catch(() => {});
    failStart(err);
  }
}

async function primary() {
  const [{ openDatabase }, { superviseWorkers }, { prepareFirstRunSetup }] = await Promise.all([
    import('./lib/database.js'),
    import('./lib/supervisor.js'),
    import('./modules/accounts/setup.js'),
  ]);
  try {
    const database = await openDatabase({ url: config.databaseUrl, poolSize: 1, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds });
    try {
      await database.migrate();
      announceSetup(await prepareFirstRunSetup(database.db, config.dataDir), console.warn);
    } finally {
      await database.close();
    }
  } catch (err) {
    return failStart(err);
  }
  const workers = superviseWorkers({ workers: config.workers, log: (line) => console.error(line), giveUp: stopWith });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const timer = setTimeout(() => process.exit(1), 12_000);
      timer.unref();
      void workers.stop().then(() => process.exit(0));
    });
  }
}

if (config.workers > 1 && cluster.isPrimary) await primary();
else await serve(cluster.isWorker);
