import type { Actor } from '../plugins/auth.js';
import type { Role } from '../modules/accounts/tables.js';

/**
 * Who reads an answer, for every view that shows one party what another did. Each resource's view
 * function takes one and decides there, in one place, what that reader may see; the response
 * schemas leave room for nothing else.
 */
export interface Viewer {
  /** The party the reader acts for; null for a user acting for none. */
  partyId: string | null;
  /** Operators and the bureau: they supervise, so they see every party's people and trades. */
  staff: boolean;
}

export const viewerOf = (actor: Pick<Actor, 'partyId' | 'roles'>, staffRoles: readonly Role[] = ['operator']): Viewer => ({
  partyId: actor.partyId,
  staff: actor.roles.some((r) => staffRoles.includes(r)),
});

/**
 * Whether the viewer may see which person acted for `partyId` (user id, name). A party sees its own
 * people; of another party (the other side of a trade) only that the party acted, in which role and
 * when. Staff see everyone. An actor for no party (an operator, the system) acts for the exchange
 * and is named to the parties it concerns, as a dispute's `decidedBy` and a listing's reviewer are.
 */
export const seesPeopleOf = (viewer: Viewer, partyId: string | null | undefined): boolean =>
  viewer.staff || partyId === null || partyId === undefined || viewer.partyId === partyId;

/**
 * Whether the viewer may see where an actor of `partyId` acted from (address, request id): these
 * are the exchange's (audit/leaf.ts keeps them out of the public log); a party sees its own.
 */
export const seesWhereaboutsOf = (viewer: Viewer, partyId: string | null | undefined): boolean =>
  viewer.staff || (viewer.partyId !== null && viewer.partyId === partyId);

/** Whether the viewer may see the ids of a trade between these parties: its parties and staff only. */
export const seesTradeOf = (viewer: Viewer, parties: readonly (string | null | undefined)[]): boolean =>
  viewer.staff || (viewer.partyId !== null && parties.includes(viewer.partyId));
