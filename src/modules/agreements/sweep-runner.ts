import type { FastifyInstance } from 'fastify';
import { sweepExpiredAgreements } from './lifecycle.js';

/**
 * Every process sweeps on a timer; SKIP LOCKED lets any number sweep side by side. `npm run
 * agreements:sweep` does the same once, for a cron job.
 */
export function runAgreementSweep(app: FastifyInstance, intervalMs: number) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = sweepExpiredAgreements(app.db)
      .then((n) => {
        if (n > 0) app.log.info({ expired: n }, 'agreements whose term ended are marked expired');
      })
      .catch((err: unknown) => app.log.error({ err }, 'the agreement sweep failed; it retries on its next tick'))
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  });
}
