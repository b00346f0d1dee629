// `npm run bench`: the service measured the way a user meets it. For each database it seeds the
// catalog in bulk, starts the service in its own process(es) exactly as `npm start` does, starts a
// bare Fastify hello-world beside it as the ceiling, and drives both with autocannon from this
// process. Then the audit log's measures, which have no route of their own. Prints a table and
// writes bench/results.json. A missed target is reported, not fatal (BENCH_STRICT=1 makes it so).
//
//   npm run bench                                   # PGlite, and the server at 127.0.0.1:5432 if it answers
//   BENCH_DATABASES=postgres BENCH_LISTINGS=100000 npm run bench
//   BENCH_PROFILE=1 npm run bench                   # CPU profile of the service, top entries printed
import { parseCli } from './cli.js';

parseCli({
  name: 'bench',
  summary:
    'Measures the service the way a user meets it, on each database: seeds the catalog, starts the service as npm start does beside a bare Fastify ' +
    'hello-world, drives both with autocannon, then whole trades, the audit log and agreements. Prints a table and writes bench/results.json. ' +
    'Takes minutes: measure on an idle machine.',
  usage: [''],
  options: {},
  examples: ['npm run bench', 'BENCH_DATABASES=postgres BENCH_LISTINGS=100000 npm run bench', 'BENCH_PROFILE=1 npm run bench'],
  exitCodes: ['0  measured (a missed target is reported, not fatal)', '1  a target was missed and BENCH_STRICT=1', '2  wrong arguments'],
  environment:
    'BENCH_DATABASES (pglite,postgres), BENCH_DATABASE_URL, BENCH_LISTINGS (100000), BENCH_SECONDS (8), BENCH_CONNECTIONS (50), BENCH_TRADE_BUYERS (16), ' +
    'BENCH_LOG_EVENTS, BENCH_SEARCH_WARM_UP_ROUNDS (20), BENCH_PROFILE, BENCH_STRICT, WEB_CONCURRENCY; see docs/development.md',
});

// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
await import('./bench/run.js');
