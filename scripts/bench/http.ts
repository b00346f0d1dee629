// Processes and load for `npm run bench`: the service started as `npm start` starts it, a bare
// Fastify hello-world beside it, autocannon driving both from the bench's own process, and the
// service's memory sampled from /proc while it is under load.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Largest resident set of one service process (MB) while the load ran; null for the hello-world. */
  rssMb: number | null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface Service {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a process of its own and waits until `readyPath` answers 200: a TypeScript entry point with
 * tsx, or a built JavaScript one (`dist/server.js`, as `npm start` runs it) with source maps.
 */
export async function startProcess(entry: string, env: Record<string, string>, readyPath: string, extraNodeArgs: string[] = []): Promise<Service> {
  const port = await freePort();
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : ['--enable-source-maps'];
  const child = spawn(process.execPath, [...extraNodeArgs, ...loader, entry], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${entry} exited: ${stderr}`);
    try {
      if ((await fetch(url + readyPath)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 1200) throw new Error(`${entry} did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 12_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The process and its children (cluster workers), by reading /proc. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all;
}

const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

/** Drives `paths` (taken in turn) against `base` with autocannon, sampling the service's memory. */
export async function drive(
  name: string,
  base: string,
  paths: string[],
  options: { connections: number; seconds: number; headers?: Record<string, string>; pid?: number },
): Promise<LoadResult> {
  let next = 0;
  let maxRss = 0;
  const sampler = options.pid
    ? setInterval(() => {
        for (const pid of processTree(options.pid!)) maxRss = Math.max(maxRss, rssMb(pid));
      }, 250)
    : undefined;
  const result = await autocannon({
    url: base,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers ?? {},
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
  });
  if (sampler) clearInterval(sampler);
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    rssMb: options.pid ? Math.round(maxRss) : null,
  };
}

export interface ColdLatencies {
  queries: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Each path once, one after another on one connection: what an answer costs when nothing is cached
 * (the first time a query is asked, or after a catalog change empties the caches).
 */
export async function coldLatencies(base: string, paths: string[], headers: Record<string, string>): Promise<ColdLatencies> {
  const times: number[] = [];
  for (const path of paths) {
    const started = performance.now();
    const res = await fetch(base + path, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
  return { queries: times.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}
