import type { FastifyInstance } from 'fastify';
import { repeatEvery } from '../../lib/repeat.js';
import { sweepExpiredAgreements } from './lifecycle.js';

/**
 * Every process sweeps on a timer; SKIP LOCKED lets any number sweep side by side. `npm run
 * agreements:sweep` does the same once, for a cron job.
 */
export function runAgreementSweep(app: FastifyInstance, intervalMs: number) {
  repeatEvery(app, intervalMs, 'the agreement sweep', async () => {
    const n = await sweepExpiredAgreements(app.db);
    if (n > 0) app.log.info({ expired: n }, 'agreements whose term ended are marked expired');
  });
}
