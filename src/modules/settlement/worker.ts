import type { FastifyInstance } from 'fastify';

/**
 * Every process runs the outbox worker on a timer; rows are claimed with SKIP LOCKED, so any number
 * of processes share the work and a row is in one process's hands at a time. The timer does not
 * keep the process alive and stops when the app closes, after the run in flight.
 */
export function runEffectsWorker(app: FastifyInstance) {
  const { settlement } = app;
  const stripe = settlement.rails().includes('stripe');
  app.log.info(
    { rails: settlement.rails() },
    stripe ? 'settlement: Stripe and bank-transfer rails' : 'settlement: no STRIPE_SECRET_KEY, so the bank-transfer rail runs alone',
  );
  // Only Stripe effects go through the outbox so far: without Stripe there is nothing to poll for.
  if (!stripe) return;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = settlement
      .runEffects(app.db)
      .catch((err: unknown) => app.log.error({ err }, 'the settlement outbox worker failed; it retries on its next tick'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, app.config.settlement.outboxIntervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  });
}
