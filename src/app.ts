import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { InvalidatedCache } from './lib/cache.js';
import { listenForChanges, type ChangeFeed } from './lib/changes.js';
import { openDatabase, type Database, type DatabaseHandle } from './lib/database.js';
import { routeToRequestTransaction } from './lib/request-transaction.js';
import { sharedSerializers } from './lib/serialization.js';
import { parseQueryString } from './lib/validation.js';
import { DiskBlobStore, type BlobStore } from './lib/storage.js';
import accountsRoutes from './modules/accounts/routes.js';
import { findAccount, type Account } from './modules/accounts/service.js';
import auditRoutes from './modules/audit/routes.js';
import { createAgreements, type Agreements } from './modules/agreements/index.js';
import agreementsRoutes from './modules/agreements/routes.js';
import { runAgreementSweep } from './modules/agreements/sweep-runner.js';
import { createCalendar, type Calendar } from './modules/calendar/index.js';
import calendarRoutes from './modules/calendar/routes.js';
import catalogRoutes from './modules/catalog/routes.js';
import identityRoutes from './modules/identity/routes.js';
import { openListDcat } from './modules/public-data/dcat.js';
import publicDataRequestRoutes from './modules/public-data/request-routes.js';
import publicDataUsageRoutes from './modules/public-data/usage-routes.js';
import supervisionRoutes from './modules/supervision/routes.js';
import notificationRoutes from './modules/notifications/routes.js';
import { createProcurementEvents } from './modules/procurement/events.js';
import procurementRoutes from './modules/procurement/routes.js';
import { runPublicDataRequestSweep } from './modules/public-data/request-sweep.js';
import publicDataRoutes from './modules/public-data/routes.js';
import type { PartyVerifier } from './modules/identity/verifier.js';
import { createSettlement, type Settlement } from './modules/settlement/index.js';
import settlementRoutes from './modules/settlement/routes.js';
import exportRoutes from './modules/supervision/export-routes.js';
import { runEffectsWorker } from './modules/settlement/worker.js';
import systemRoutes from './modules/system/routes.js';
import { createOrderEvents } from './modules/trading/events.js';
import { checkLineageCitations } from './modules/trading/lineage.js';
import type { AgreementsPort, OrderAgreementEvents, OrderPaymentEvents, SettlementPort } from './modules/trading/ports.js';
import tradingRoutes from './modules/trading/routes.js';
import auth from './plugins/auth.js';
import consolePages, { builtConsoleDir } from './plugins/console.js';
import idempotency from './plugins/idempotency.js';
import input from './plugins/input.js';
import openapi from './plugins/openapi.js';
import problems, { clientError, errorForLog, frameworkError } from './plugins/problems.js';
import rateLimits from './plugins/rate-limit.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: DatabaseHandle;
    db: Database;
    /** File storage for documents and dataset versions. */
    blobs: BlobStore;
    /** Changes announced by the database, for the per-process caches. */
    changes: ChangeFeed;
    /** A user's account as the API shows it, from memory while it is unchanged (`/me`, authorisation). */
    findAccount(userId: string): Promise<Account | undefined>;
    /** Settlement (trading/ports.ts SettlementPort): the ledger and the payment rails. */
    settlement: Settlement;
    /** Agreements: trading's AgreementsPort and the drafting calls of public data and procurement. */
    agreements: Agreements;
    /** The working-day calendar: where modules that store deadlines register them (calendar/registry.ts). */
    calendar: Calendar;
  }
}

export interface AppOptions {
  /** The database is already migrated (a worker of a primary that migrated it). */
  migrated?: boolean;
  /** An open, migrated database; the app takes ownership and closes it. Opened from config when absent. */
  database?: DatabaseHandle;
  /** File storage; a disk store under DATA_DIR/blobs when absent. */
  blobs?: BlobStore;
  logger?: FastifyServerOptions['logger'];
  /** A registry check for party identities; operators review every submission when absent. */
  identityVerifier?: PartyVerifier;
  /**
   * The trade's modules meet at the ports of modules/trading/ports.ts. Each is the real module when
   * absent; a test replaces one side with a stand-in that records the calls it receives.
   */
  settlement?: SettlementPort;
  agreements?: AgreementsPort;
  orderPaymentEvents?: OrderPaymentEvents;
  orderAgreementEvents?: OrderAgreementEvents;
  /** The built console (scripts/console-bundle.ts) served under /console; dist/console when absent. */
  consoleDir?: string;
  /**
   * Hooks installed on the root before any plugin or route, so every route inherits them (the test
   * suite checks each response against the OpenAPI document this way).
   */
  instrument?: (app: FastifyInstance) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the whole service from its configuration. The server and every test use this. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const database =
    options.database ??
    (await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds }));
  if (!options.database && !options.migrated) await database.migrate();
  const changes = await listenForChanges(database);
  // Authorisation reads the caller's current roles and standing on every request, and `/me` the
  // whole account: from memory, dropped the moment the database announces a change to any column
  // the account shows (src/lib/changes.ts, migration 0026).
  const accounts = new InvalidatedCache<Account>(changes, 'user', 100_000);
  const findCachedAccount = (userId: string) => accounts.get(userId, () => findAccount(database.db, userId));

  const logger = options.logger ?? { level: config.logLevel };
  const app = Fastify({
    // Secrets in headers are never logged, nor the parameters and row values of a failed statement.
    logger:
      typeof logger === 'object' && !('child' in logger)
        ? { redact: ['req.headers.authorization', 'req.headers.cookie'], ...logger, serializers: { err: errorForLog, ...logger.serializers } }
        : logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A caller's own request id is kept when it is sane, so logs can be joined across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    frameworkErrors: frameworkError,
    routerOptions: { querystringParser: parseQueryString },
    clientErrorHandler: clientError,
    schemaController: { compilersFactory: { buildSerializer: sharedSerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only (plugins/input.ts): other bodies are answered 415 rather than parsed as text.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.decorate('config', config);
  app.decorate('database', database);
  // Every module reads and writes through this one handle; inside an idempotent request it is that
  // request's transaction (lib/request-transaction.ts).
  const db = routeToRequestTransaction(database.db);
  app.decorate('db', db);
  app.decorate('changes', changes);
  app.decorate('findAccount', findCachedAccount);
  const blobs = options.blobs ?? new DiskBlobStore(join(config.dataDir, 'blobs'));
  app.decorate('blobs', blobs);
  // Trading calls settlement and agreements through their ports; they tell trading what happened
  // through its events, inside the transaction that records it.
  const orderEvents = createOrderEvents(config);
  // A model text that is not valid stops the start here, naming the file and its problems.
  const agreements = await createAgreements({ db, config, blobs, events: options.orderAgreementEvents ?? orderEvents });
  app.decorate('agreements', agreements);
  // The published years the database does not hold yet are stored before the first request.
  const calendar = await createCalendar(db);
  app.decorate('calendar', calendar);
  app.addHook('onClose', async () => {
    await changes.close();
    await database.close();
  });
  const settlement = createSettlement({ config: config.settlement, events: options.orderPaymentEvents ?? orderEvents, log: app.log });
  app.decorate('settlement', settlement);
  options.instrument?.(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(problems);
  await app.register(input);
  // The guard's onRoute hook must run before swagger records the routes, so the docs show it.
  await app.register(auth, {
    secret: config.jwtSecret,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    loadUser: async (userId) => {
      const account = await findCachedAccount(userId);
      return account && { roles: account.roles, active: account.status === 'active' };
    },
    settle: () => changes.settle(),
  });
  // Before the docs record the routes, so every POST documents its Idempotency-Key header.
  await app.register(idempotency, { ttlHours: config.idempotencyKeyTtlHours });
  // After idempotency's hook, which commits an idempotent request's change.
  app.addHook('onSend', async (request, reply) => {
    // Read your own writes: a request that may have changed something answers only once this
    // process's caches have seen the change (src/lib/changes.ts).
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) await changes.fence();
  });
  await app.register(openapi, { publicBaseUrl: config.publicBaseUrl });
  await app.register(rateLimits);

  await app.register(systemRoutes);
  await app.register(accountsRoutes);
  await app.register(auditRoutes);
  await app.register(calendarRoutes, { calendar });
  // A suspension holds the provider's payouts in its own transaction (settlement/payouts.ts).
  await app.register(identityRoutes, { verifier: options.identityVerifier, suspensionEffects: [settlement.suspensionEffects] });
  // The catalog asks trading about the orders a provenance declaration cites, and exports public
  // data's open list beside its listings (catalog/ports.ts).
  await app.register(catalogRoutes, { lineage: { checkCitations: checkLineageCitations }, dcatSources: [openListDcat] });
  await app.register(publicDataRoutes);
  await app.register(publicDataRequestRoutes);
  await app.register(publicDataUsageRoutes);
  await app.register(supervisionRoutes);
  await app.register(notificationRoutes);
  runPublicDataRequestSweep(app, config.publicDataRequestSweepIntervalMs);
  await app.register(tradingRoutes, { settlement: options.settlement ?? settlement, agreements: options.agreements ?? agreements, procurement: createProcurementEvents() });
  // Central procurement orders through trading as buyer of record (Art. 27 ¶3).
  await app.register(procurementRoutes);
  await app.register(settlementRoutes);
  runEffectsWorker(app);
  await app.register(agreementsRoutes, { agreements });
  runAgreementSweep(app, config.agreementSweepIntervalMs);
  await app.register(exportRoutes);
  // The web console: a client of the routes above, served beside them (docs/console.md).
  await app.register(consolePages, { dir: options.consoleDir ?? builtConsoleDir });

  await app.ready();
  return app;
}
