import type { FastifyInstance } from 'fastify';

/**
 * Runs `work` every `intervalMs` in this process, never two at once, until the app closes (which
 * waits for a run in progress). A failed run is logged and retried on the next tick. Sweeps use it:
 * every process runs its own, and SKIP LOCKED lets them run side by side.
 */
export function repeatEvery(app: FastifyInstance, intervalMs: number, what: string, work: () => Promise<unknown>) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = work()
      .then(() => undefined)
      .catch((err: unknown) => app.log.error({ err }, `${what} failed; it retries on its next tick`))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  });
}
