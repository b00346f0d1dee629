import type { FastifyInstance } from 'fastify';

/**
 * Runs `work` every `intervalMs` in this process, never two at once, until the app closes (which
 * waits for a run in progress). A failed run is logged and retried on the next tick. Sweeps use it:
 * every process runs its own, and SKIP LOCKED lets them run side by side.
 *
 * `stopping` is aborted when the app closes: work that drains a queue batch by batch stops after
 * the batch in hand, so a backlog does not hold a shutdown past its deadline; another process, or
 * this one's next start, takes up the rest.
 */
export function repeatEvery(app: FastifyInstance, intervalMs: number, what: string, work: (stopping: AbortSignal) => Promise<unknown>) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const stopping = new AbortController();
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = work(stopping.signal)
      .then(() => undefined)
      .catch((err: unknown) => app.log.error({ err }, `${what} failed; it retries on its next tick`))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    stopped = true;
    stopping.abort();
    clearInterval(timer);
    await running;
  });
}

/**
 * Between two batches of a drain: lets whatever waits for the database go first. The embedded
 * database runs one transaction at a time, and a loop that asks for its next one at once gets it
 * ahead of the requests that queued meanwhile, so a backlog would hold them (and a shutdown) until
 * it had drained.
 */
export const yieldBetweenBatches = () => new Promise<void>((resolve) => setImmediate(resolve));
