import type { Database } from '../../lib/database.js';
import { systemActor } from '../audit/events.js';
import type { ProcurementOrderEvents } from '../trading/ports.js';
import { lockProcurement, moveProcurement } from './states.js';

/**
 * What trading tells procurement about the orders the bureau placed, in trading's transaction. A
 * repeat finds the procurement already moved and changes nothing.
 */
export function createProcurementEvents(): ProcurementOrderEvents {
  return {
    async deliveryAccepted(tx: Database, procurementId: string, orderId: string, at: Date) {
      const procurement = await lockProcurement(tx, procurementId);
      if (procurement.status !== 'ordered' || procurement.orderId !== orderId) return;
      await moveProcurement(tx, { ...systemActor(), role: 'trading' }, procurement, 'complete', { details: { orderId }, at });
    },
  };
}
