// `npm run bench`: the service measured from outside, the way a user meets it. For each database it
// seeds the catalog in bulk, starts the service in its own process(es) exactly as `npm start` does
// (the built bundle, `node dist/server.js`) and a bare Fastify hello-world in another, and drives
// both from load processes that do nothing else (autocannon; its own CLI cross-checks the
// hello-world figure). Then whole trades (a driver process of their own), the audit log and
// agreement PDFs, which have no route of their own. Prints issue 20's table with each target marked
// met or missed, and writes bench/results.json.
import { parseCli, positiveIntegerOption } from './cli.js';

const cli = parseCli({
  name: 'bench',
  summary:
    'Measures the service from outside on each database: the service as npm start runs it beside a bare Fastify hello-world, each driven by load processes ' +
    'of their own; then whole trades, the audit log and agreement PDFs. Prints req/s, the ratio to the hello-world, p50 and p99 next to the targets of ' +
    'issue 20, and writes bench/results.json. The full run takes many minutes: measure on an idle machine. --quick is about a minute per database.',
  usage: ['[--quick] [--databases pglite,postgres] [--measures LIST] [--seconds N] [--profile] ...'],
  options: {
    quick: { type: 'boolean', description: 'a short run that proves the bench works: 2 s per measure, 2,000 listings, 200 searches, one warm-up round, a 20,000-event log (options given win)' },
    databases: { type: 'string', value: 'LIST', description: 'pglite, postgres or both (a scratch database on the server is made and dropped)', default: 'pglite,postgres' },
    'database-url': { type: 'string', value: 'URL', description: 'the PostgreSQL server to make the scratch database on', default: 'postgres://postgres@127.0.0.1:5432/test' },
    measures: { type: 'string', value: 'LIST', description: 'which to measure: health, me, listing, search, uncached, trades, agreement, appends, verify, soak (default: all but soak)' },
    seconds: { type: 'string', value: 'N', description: 'seconds per load measure (default 8; --quick 2)' },
    connections: { type: 'string', value: 'N', description: 'connections of each load process', default: '50' },
    listings: { type: 'string', value: 'N', description: 'approved listings seeded (default 100000; --quick 2000)' },
    searches: { type: 'string', value: 'N', description: 'distinct search queries in the mix (default 1000; --quick 200)' },
    'warm-up-rounds': { type: 'string', value: 'N', description: 'at most this many rounds of the search mix before it is measured (default 20; --quick 1)' },
    buyers: { type: 'string', value: 'N', description: 'buyers trading at once', default: '16' },
    'trade-seconds': { type: 'string', value: 'N', description: 'how long they trade (default: --seconds, at least 10: a trade takes seconds)' },
    signing: { type: 'string', value: 'HOW', description: 'how trades confirm signatures: step-up (one password check per party every few minutes) or password (one per signature)', default: 'step-up' },
    'log-events': { type: 'string', value: 'N', description: 'events in the log audit:verify checks, on the server (default 1000000; --quick 20000); 0 skips it' },
    workers: { type: 'string', value: 'N', description: 'WEB_CONCURRENCY of the service on the server database (default: one per core, as npm start)' },
    'soak-minutes': { type: 'string', value: 'N', description: "the memory soak's length: reads and whole trades at once on a fresh service, each process's RSS followed (issue 20: under 5 % growth after the warm-up)", default: '30' },
    'soak-buyers': { type: 'string', value: 'N', description: 'buyers trading at once during the soak', default: '4' },
    profile: { type: 'boolean', description: 'run the service with --cpu-prof; prints where each profile is and its top entries' },
    strict: { type: 'boolean', description: 'exit 1 when a target is missed' },
  },
  examples: [
    'npm run bench -- --quick',
    'npm run bench -- --quick --databases postgres --measures me,listing --profile',
    'npm run bench -- --databases postgres --log-events 1000000',
    'npm run bench -- --measures soak --listings 20000',
    'npm run bench',
  ],
  exitCodes: ['0  measured (a missed target is reported, not fatal)', '1  a target was missed and --strict was given', '2  wrong arguments'],
});

const { values: v } = cli;
const number = (name: keyof typeof v, full: number, quick: number) => {
  const given = v[name];
  return typeof given === 'string' ? positiveIntegerOption(cli, name, given) : v.quick ? quick : full;
};
const list = (name: string, given: string, allowed: readonly string[]) => {
  const items = given.split(',').map((s) => s.trim()).filter(Boolean);
  const wrong = items.find((i) => !allowed.includes(i));
  if (wrong !== undefined || items.length === 0) cli.usageError(`--${name} takes a comma-separated list of ${allowed.join(', ')}; got "${given}"`);
  return items;
};
// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { measureNames, runBench } = await import('./bench/run.js');
const signing = v.signing === 'step-up' || v.signing === 'password' ? v.signing : cli.usageError(`--signing takes step-up or password; got "${v.signing}"`);
const seconds = number('seconds', 8, 2);
const logEvents = v['log-events'] === '0' ? 0 : number('log-events', 1_000_000, 20_000);

await runBench({
  databases: list('databases', v.databases, ['pglite', 'postgres']) as ('pglite' | 'postgres')[],
  databaseUrl: v['database-url'],
  seconds,
  connections: number('connections', 50, 50),
  listings: number('listings', 100_000, 2000),
  searches: number('searches', 1000, 200),
  warmUpRounds: number('warm-up-rounds', 20, 1),
  buyers: number('buyers', 16, 16),
  tradeSeconds: number('trade-seconds', Math.max(10, seconds), Math.max(10, seconds)),
  signing,
  logEvents,
  measures: new Set(list('measures', v.measures ?? measureNames.filter((m) => m !== 'soak').join(','), measureNames) as (typeof measureNames)[number][]),
  workers: v.workers === undefined ? undefined : positiveIntegerOption(cli, 'workers', v.workers),
  soakMinutes: positiveIntegerOption(cli, 'soak-minutes', v['soak-minutes']),
  soakBuyers: positiveIntegerOption(cli, 'soak-buyers', v['soak-buyers']),
  profile: v.profile === true,
  strict: v.strict === true,
  progress: cli.progress,
});
