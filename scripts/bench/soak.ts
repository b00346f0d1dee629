// The memory soak of `npm run bench -- --soak-minutes N`: the service as `npm start` runs it, under
// reads (a buyer's /me, listing pages and the search mix, from a load process) and whole trades
// (the trade driver, several buyers) at once for N minutes, while this process reads each service
// process's resident set from /proc every few seconds. What it reports is how far each process's
// RSS grew from the end of the warm-up to the end: issue 20 asks under 5 % over 30 minutes.
import { drive, processTree, rssMb } from './http.js';
import { measureTrades, type TradeAccounts } from './trades.js';
import type { TradeAnswer } from './trade-load.js';

export interface SoakProcess {
  pid: number;
  /** The cluster's primary (it serves nothing), a worker, or the one process of the embedded database. */
  role: 'primary' | 'worker' | 'service';
  /** Median RSS over the last minute of the warm-up, and over the last minute of the soak (MB). */
  afterWarmUpMb: number;
  endMb: number;
  growthPercent: number;
  /**
   * The lowest minute after the warm-up (the heap shrinks when V8 compacts it) and the growth from
   * there to the end: a slope there is what a slow leak looks like, whatever the warm-up's peak.
   */
  floorMb: number;
  growthFromFloorPercent: number;
  /** One RSS figure per minute (the median of that minute's samples), for the timeline. */
  perMinuteMb: number[];
}

export interface SoakResult {
  minutes: number;
  warmUpMinutes: number;
  reads: { requests: number; errors: number; p50: number; p99: number };
  trades: TradeAnswer;
  processes: SoakProcess[];
}

const SAMPLE_MS = 5_000;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export interface SoakSpec {
  url: string;
  pid: number;
  minutes: number;
  /** A buyer who reads: signs in again for each minute of reads (an access token lives 15 minutes). */
  reader: { email: string; password: string };
  readPaths: string[];
  readConnections: number;
  traders: TradeAccounts;
  log: (line: string) => void;
}

export async function soak(s: SoakSpec): Promise<SoakResult> {
  // The first sixth, at most five minutes: JIT, pools, caches and the heap's working size settle.
  const warmUpMinutes = Math.min(5, s.minutes / 6);
  const began = Date.now();
  const end = began + s.minutes * 60_000;
  const samples = new Map<number, { at: number; mb: number }[]>();
  const sample = () => {
    const at = Date.now() - began;
    for (const pid of processTree(s.pid)) {
      const mb = rssMb(pid);
      if (mb === 0) continue;
      let list = samples.get(pid);
      if (!list) samples.set(pid, (list = []));
      list.push({ at, mb });
    }
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_MS);
  const progress = setInterval(() => {
    const now = [...samples].map(([pid, list]) => `${pid} ${list.at(-1)!.mb.toFixed(0)} MB`).join(', ');
    s.log(`    soak: ${((Date.now() - began) / 60_000).toFixed(0)} of ${s.minutes} min; RSS ${now}`);
  }, 60_000);
  try {
    const trades = measureTrades(s.url, s.traders, { seconds: s.minutes * 60, signing: 'step-up' });
    // Awaited after the reads; a driver that fails early must not count as unhandled meanwhile.
    trades.catch(() => undefined);
    const reads = { requests: 0, errors: 0, p50: [] as number[], p99: [] as number[] };
    while (Date.now() < end - 1000) {
      const login = await fetch(`${s.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s.reader) });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const seconds = Math.max(1, Math.min(60, Math.round((end - Date.now()) / 1000)));
      const r = await drive('soak reads', s.url, s.readPaths, { connections: s.readConnections, seconds, headers: { authorization: `Bearer ${accessToken}` } });
      reads.requests += r.requests;
      reads.errors += r.errors;
      reads.p50.push(r.p50);
      reads.p99.push(r.p99);
    }
    const tradeAnswer = await trades;
    sample();
    const warmUpEnd = warmUpMinutes * 60_000;
    const soakEnd = Date.now() - began;
    const window = (list: { at: number; mb: number }[], to: number) => median(list.filter((x) => x.at > to - 60_000 && x.at <= to).map((x) => x.mb));
    const tree = processTree(s.pid);
    const processes = [...samples].map(([pid, list]): SoakProcess => {
      const afterWarmUpMb = window(list, warmUpEnd);
      const endMb = window(list, soakEnd);
      const minutes = Math.ceil(soakEnd / 60_000);
      const perMinuteMb = Array.from({ length: minutes }, (_, m) => median(list.filter((x) => x.at > m * 60_000 && x.at <= (m + 1) * 60_000).map((x) => x.mb)));
      const floorMb = Math.min(...perMinuteMb.slice(Math.ceil(warmUpMinutes)).filter((mb) => mb > 0), endMb);
      return {
        pid,
        role: tree.length === 1 ? 'service' : pid === s.pid ? 'primary' : 'worker',
        afterWarmUpMb,
        endMb,
        growthPercent: afterWarmUpMb ? (endMb / afterWarmUpMb - 1) * 100 : 0,
        floorMb,
        growthFromFloorPercent: floorMb ? (endMb / floorMb - 1) * 100 : 0,
        perMinuteMb,
      };
    });
    return { minutes: s.minutes, warmUpMinutes, reads: { requests: reads.requests, errors: reads.errors, p50: median(reads.p50), p99: Math.max(0, ...reads.p99) }, trades: tradeAnswer, processes };
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
}
