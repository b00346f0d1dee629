import type { Actor } from '../plugins/auth.js';
import type { Role } from '../modules/accounts/tables.js';
import { notFound, type Localized } from './errors.js';

export interface Ownership {
  userId?: string | null;
  partyId?: string | null;
}

/**
 * The one ownership check. The caller may see a resource it owns (as a user or through the party it
 * acts for), or any resource when it holds one of `staff` roles. Everyone else gets 404, not 403, so
 * the existence of other parties' resources is not revealed.
 */
export function assertCanAccess(actor: Actor, owner: Ownership, what: Localized, staff: readonly Role[] = []): void {
  if (owner.userId && owner.userId === actor.userId) return;
  if (owner.partyId && owner.partyId === actor.partyId) return;
  if (actor.roles.some((r) => staff.includes(r))) return;
  throw notFound(what);
}
