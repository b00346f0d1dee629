// A load generator in a process of its own, for `npm run bench`: autocannon's API and nothing else
// (no TypeScript loader, none of the service's modules, no other work on its event loop), so that
// what it measures is the server's ceiling, not its own. Run by scripts/bench/http.ts as
//
//   node scripts/bench/load.ts SPEC.json
//
// SPEC is a LoadSpec; the answer is one LoadAnswer as JSON on stdout. `duration` mode drives the
// paths in turn over `connections` for `seconds`; `once` mode asks each path once, one after
// another on one connection (what a first, uncached answer costs).
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  mode: 'duration' | 'once';
  connections: number;
  seconds: number;
}

export interface LoadAnswer {
  /** autocannon's own figure: the mean of its per-second samples, as its CLI prints it. */
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
let next = 0;
const result = await autocannon({
  // One path is sent as autocannon's CLI sends it: a request built once and reused. Several are
  // taken in turn, each request built as it goes.
  url: spec.paths.length === 1 ? spec.url + spec.paths[0] : spec.url,
  headers: spec.headers,
  ...(spec.mode === 'once' ? { connections: 1, amount: spec.paths.length } : { connections: spec.connections, duration: spec.seconds }),
  ...(spec.paths.length === 1 ? {} : { requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: spec.paths[next++ % spec.paths.length]! }) }] }),
});
const answer: LoadAnswer = {
  requestsPerSecond: result.requests.average,
  requests: result.requests.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors + result.non2xx + result.timeouts,
};
process.stdout.write(JSON.stringify(answer) + '\n');
