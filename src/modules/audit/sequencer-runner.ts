import type { FastifyInstance } from 'fastify';
import { integrateAll } from './sequencer.js';
import type { LogSigner } from './signer.js';

/**
 * Every process runs the sequencer on a timer; the advisory lock lets one integrate at a time, so
 * the log keeps up whichever processes are alive. A caller that wants its receipt at once can
 * wake it and wait for the log to grow (announced by the `audit` notice from any process).
 */
export function runSequencer(app: FastifyInstance, signer: LogSigner) {
  let running: Promise<void> | null = null;
  let stopped = false;
  // A backlog is integrated batch by batch; closing stops after the batch in hand.
  const stopping = new AbortController();
  const waiters = new Set<() => void>();
  app.changes.on('audit', () => {
    for (const wake of waiters) wake();
    waiters.clear();
  });

  const tick = () => {
    if (running || stopped) return;
    running = integrateAll(app.db, signer, stopping.signal)
      .then(() => undefined)
      .catch((err: unknown) => app.log.error({ err }, 'the audit sequencer failed; it retries on its next tick'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, app.config.auditSequencerIntervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    stopped = true;
    stopping.abort();
    clearInterval(timer);
    await running;
  });

  return {
    /** Integrate now rather than at the next tick. */
    kick: tick,
    /** Resolves when the log grows, or after `ms` at most. */
    nextGrowth(ms: number): Promise<void> {
      tick();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timeout);
          waiters.delete(done);
          resolve();
        };
        const timeout = setTimeout(done, Math.max(0, Math.min(ms, 1000)));
        waiters.add(done);
      });
    },
  };
}
