import cluster from 'node:cluster';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './lib/database.js';
import { prepareFirstRunSetup } from './modules/accounts/setup.js';

/**
 * The one entry point (`npm start`). With a server database it runs `WEB_CONCURRENCY` workers
 * (default: one per core) under a primary that migrates the database once, prints the first-run
 * setup token, restarts a worker that dies and stops them all on SIGTERM. The embedded database
 * belongs to one process, so there the process serves alone.
 */
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`configuration: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

function announceSetup(setup: Awaited<ReturnType<typeof prepareFirstRunSetup>>, warn: (msg: string) => void) {
  if (setup && 'token' in setup) {
    warn(`first run: no operator yet. Create one with POST /setup/operator and the one-time setup token ${setup.token} (also in ${setup.file})`);
  } else if (setup) {
    warn(`first run: no operator yet. Create one with POST /setup/operator and the setup token in ${setup.file}`);
  }
}

async function serve(migrated: boolean) {
  const app = await buildApp(config, { migrated });
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
    await app.listen({ port: config.port, host: config.host });
    const where = app.database.kind === 'pglite' ? 'embedded database, one process' : `server database, worker ${cluster.worker?.id ?? 1} of ${config.workers}`;
    app.log.info(`API docs at http://${config.host}:${config.port}/docs (${where})`);
  } catch (err) {
    app.log.error({ err }, 'could not start');
    await app.close();
    process.exit(1);
  }
}

async function primary() {
  const database = await openDatabase({ url: config.databaseUrl, poolSize: 1 });
  try {
    await database.migrate();
    announceSetup(await prepareFirstRunSetup(database.db, config.dataDir), console.warn);
  } finally {
    await database.close();
  }
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`worker ${worker.id} stopped (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      const timer = setTimeout(() => process.exit(1), 12_000);
      timer.unref();
      cluster.on('exit', () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      });
    });
  }
  for (let i = 0; i < config.workers; i++) cluster.fork();
}

if (config.workers > 1 && cluster.isPrimary) await primary();
else await serve(cluster.isWorker);
