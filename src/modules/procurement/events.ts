import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { systemActor } from '../audit/events.js';
import type { ProcurementOrderEvents } from '../trading/ports.js';
import { lockProcurement, moveProcurement } from './states.js';
import { procurementNeeds, procurementShares } from './tables.js';

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

    /**
     * Nothing was bought: the procurement is cancelled, the departments' shares no longer count
     * against their budgets, and their needs may be consolidated again.
     */
    async orderEnded(tx: Database, procurementId: string, orderId: string, status: string, at: Date) {
      const procurement = await lockProcurement(tx, procurementId);
      if (procurement.status !== 'ordered' || procurement.orderId !== orderId) return;
      await moveProcurement(tx, { ...systemActor(), role: 'trading' }, procurement, 'order_ended', { set: { cancelReason: `the order ended ${status}` }, details: { orderId, orderStatus: status }, at });
      await tx.update(procurementShares).set({ committedAt: null }).where(eq(procurementShares.procurementId, procurementId));
      await tx.update(procurementNeeds).set({ status: 'filed', procurementId: null, updatedAt: at }).where(eq(procurementNeeds.procurementId, procurementId));
    },
  };
}
