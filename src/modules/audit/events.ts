/**
 * Every kind of audit event and its payload, as one typed map. Modules add their own kinds by
 * augmenting this interface next to the code that records them:
 *
 *   declare module '../audit/events.js' { interface AuditPayloads { 'listing.submitted': {...} } }
 *
 * Payloads must be plain JSON (strings, numbers, booleans, null, arrays, objects).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuditPayloads {}

export type AuditAction = keyof AuditPayloads;

export interface AuditSubject {
  type: string;
  id: string;
}

/** Who did it, from where: taken from the request, or `systemActor` for scripts and jobs. */
export interface AuditActor {
  userId: string | null;
  partyId: string | null;
  role: string | null;
  ip: string | null;
  requestId: string | null;
}

export const systemActor = (requestId: string | null = null): AuditActor => ({
  userId: null,
  partyId: null,
  role: 'system',
  ip: null,
  requestId,
});

export type AuditEventInput<A extends AuditAction = AuditAction> = {
  [K in A]: {
    action: K;
    subject: AuditSubject;
    payload: AuditPayloads[K];
    /**
     * The parties the event concerns besides the acting party and a party that is the subject (both
     * included by themselves): e.g. a listing's owner when an operator reviews it, both sides of an
     * order. They may fetch the event's receipt.
     */
    parties?: readonly (string | null | undefined)[];
  };
}[A];
