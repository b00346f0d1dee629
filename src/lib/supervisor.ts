import cluster, { type Worker } from 'node:cluster';
import type { StartupFailure } from './startup-errors.js';

/**
 * The primary's care of its workers (Node's `cluster`). A worker that dies is replaced, after a
 * pause that doubles with each death in a row (up to `maxDelayMs`), so a crash loop does not spin
 * the machine; the pause starts over once a worker has served for `stableMs`. When every worker
 * died before it could listen (the port is taken, the database refuses), restarting cannot help:
 * the primary stops its workers and calls `giveUp` with the reason a worker sent.
 */
export interface SupervisorOptions {
  workers: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  stableMs?: number;
  log: (line: string) => void;
  giveUp: (failure: StartupFailure) => void;
}

/** What a worker sends the primary before it exits because it could not start. */
export interface StartFailedMessage {
  startFailed: StartupFailure;
}

const isStartFailed = (message: unknown): message is StartFailedMessage =>
  typeof message === 'object' && message !== null && typeof (message as StartFailedMessage).startFailed?.message === 'string';

export function superviseWorkers(options: SupervisorOptions): { stop(): Promise<void> } {
  const { workers, initialDelayMs = 1000, maxDelayMs = 30_000, stableMs = 30_000 } = options;
  const listeningSince = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  let startsFailedInARow = 0;
  let deathsInARow = 0;
  let lastFailure: StartupFailure | undefined;
  let stopping = false;

  cluster.on('message', (_worker, message: unknown) => {
    if (isStartFailed(message)) lastFailure = message.startFailed;
  });
  cluster.on('listening', (worker) => {
    listeningSince.set(worker.id, Date.now());
    startsFailedInARow = 0;
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const since = listeningSince.get(worker.id);
    listeningSince.delete(worker.id);
    if (since === undefined) startsFailedInARow++;
    if (since !== undefined && Date.now() - since >= stableMs) deathsInARow = 0;
    deathsInARow++;
    if (listeningSince.size === 0 && startsFailedInARow >= workers) {
      const failure = lastFailure ?? { message: `every worker stopped before it could serve (the last with ${signal ?? `exit code ${code}`})`, exitCode: 1 };
      void stop().then(() => options.giveUp(failure));
      return;
    }
    const pause = Math.min(maxDelayMs, initialDelayMs * 2 ** (deathsInARow - 1));
    options.log(`worker ${worker.id} stopped (${signal ?? code}); starting another in ${(pause / 1000).toFixed(1)} s`);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopping) cluster.fork();
    }, pause);
    timers.add(timer);
  });

  /** Stops restarting and ends every worker with SIGTERM; resolves once all have exited. */
  async function stop(): Promise<void> {
    stopping = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(
      alive.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  }

  for (let i = 0; i < workers; i++) cluster.fork();
  return { stop };
}
