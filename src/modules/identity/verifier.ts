import type { PartyKind, ReviewChecklist } from './tables.js';

/** What a verifier sees of a submitted party. The full number is here because a registry needs it. */
export interface PartyForVerification {
  id: string;
  kind: PartyKind;
  legalName: string;
  representative: string;
  overseas: boolean;
  country: string;
  identityScheme: 'uscc' | 'resident_id' | 'overseas';
  identityNumber: string;
}

export interface VerifierDecision {
  decision: 'verified' | 'rejected' | 'needs_more_info';
  checklist: ReviewChecklist;
  reasons: string;
}

/**
 * A check against an outside registry (the market-regulation credit register, the public-security
 * identity service) plugs in here. It is called after a submission has committed; a decision it
 * returns is recorded and audited like an operator's, `null` leaves the submission to an operator.
 */
export interface PartyVerifier {
  readonly name: string;
  check(party: PartyForVerification): Promise<VerifierDecision | null>;
}

/** The default: every submission waits for an operator's review. */
export const operatorReview: PartyVerifier = {
  name: 'operator',
  check: async () => null,
};
