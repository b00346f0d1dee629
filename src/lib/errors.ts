/**
 * One application error with a stable code; one table maps each code to its HTTP status and
 * problem+json (RFC 9457) type. Modules add their own kinds here so the table stays complete.
 */
export const problemKinds = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'bad-request': { status: 400, title: 'The request cannot be read' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  'invalid-credentials': { status: 401, title: 'E-mail or password is wrong' },
  'invalid-token': { status: 401, title: 'The token is not valid' },
  forbidden: { status: 403, title: 'Your role does not allow this' },
  'party-required': { status: 403, title: 'Act for a party to do this (X-Party-Id header)' },
  'party-not-verified': { status: 403, title: 'The party is not verified' },
  // Art. 28(4): a party or listing the exchange suspended pending investigation (identity/suspension.ts).
  'party-suspended': { status: 403, title: 'Art. 28: the exchange suspended the party; it cannot commit itself until reinstated' },
  'listing-suspended': { status: 403, title: 'Art. 28: the exchange suspended the listing; its data is not traded or delivered until reinstated' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'uri-too-long': { status: 414, title: 'A path segment is too long' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'invalid-state': { status: 409, title: 'Not allowed in the current state' },
  'audit-pending': { status: 409, title: 'The event is not in the log yet' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'listing-incomplete': { status: 422, title: 'The listing is not complete enough for review' },
  'unknown-evidence': { status: 422, title: 'Evidence must be documents your party uploaded' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used for a different request' },
  'idempotency-in-progress': { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  'purpose-not-allowed': { status: 422, title: 'The stated purpose is not one the licence allows' },
  'own-listing': { status: 422, title: 'A party cannot order its own listing' },
  'cross-border-assessment-required': { status: 403, title: 'Art. 39: a security assessment is required before this data leaves the mainland' },
  'grant-unusable': { status: 410, title: 'The download grant can no longer be used' },
  'access-ended-by-refund': { status: 410, title: 'The order was refunded in full: access to its data ended with that decision' },
  'range-not-satisfiable': { status: 416, title: 'The requested range is outside the file' },
  'lineage-citation-invalid': { status: 422, title: 'A cited order cannot serve as lineage' },
  'unknown-payment-reference': { status: 422, title: 'No payment has that reference' },
  'amount-mismatch': { status: 422, title: 'The amount or currency does not match what is due' },
  'refund-exceeds-payment': { status: 422, title: 'A refund cannot exceed what was paid' },
  // Bank statements (settlement/bank-statements.ts).
  'statement-invalid': { status: 400, title: 'The bank statement cannot be read' },
  'rail-unavailable': { status: 409, title: 'That payment rail is not offered by this exchange' },
  'webhook-signature-invalid': { status: 400, title: 'The webhook signature is not valid' },
  'agreement-superseded': { status: 409, title: 'The agreement changed since you read it: sign its current content' },
  'already-signed': { status: 409, title: 'Your party has already signed this agreement' },
  'not-data-recipient': { status: 403, title: 'Only the party that received the data certifies their disposal' },
  'reauthentication-failed': { status: 403, title: 'Confirm it is you: your current password, or a step-up token of this session still in time' },
  'invalid-model-text': { status: 422, title: 'The model text is not valid' },
  'department-required': { status: 403, title: 'Only a government department (a public body) keeps the public-data catalogue' },
  'legal-basis-required': { status: 400, title: 'Art. 17: data not open, or open or shared only on conditions, needs its legal basis' },
  'release-required': { status: 422, title: 'Art. 17 ¶3: sensitive data opens only after a recorded desensitisation, declassification or consent' },
  'shared-data-not-open': { status: 422, title: 'Shanghai Art. 12: data obtained by sharing is not put on the open list' },
  'conditional-request-required': { status: 403, title: 'Art. 18 ¶2: conditionally open data is obtained through a request to the department' },
  'data-not-open': { status: 403, title: 'Art. 17: this public data is not open' },
  // Conditional-open and sharing requests (public-data/request-*.ts).
  'entry-not-conditional': { status: 422, title: 'Art. 18 ¶1: unconditionally open data is obtained directly, without a request' },
  'one-department-per-request': { status: 422, title: 'A request asks one department: its entries must all be that department’s' },
  'own-department-data': { status: 422, title: 'Art. 15: a department shares other departments’ data, not its own' },
  'data-not-shared': { status: 422, title: 'Art. 15 ¶2: this public data is not shared' },
  'already-extended': { status: 409, title: 'Art. 16 ¶2, Art. 18 ¶2: the answer’s deadline is extended once only' },
  'extension-too-long': { status: 422, title: 'Art. 16 ¶2, Art. 18 ¶2: an extension is at most 5 (sharing) or 10 (opening) working days' },
  'deadline-passed': { status: 409, title: 'The deadline to answer has passed: it can no longer be extended' },
  'refusal-grounds-required': { status: 400, title: 'Art. 16 ¶2, Art. 18 ¶2: a refusal states its reasons and its legal basis' },
  'agreement-not-signed': { status: 403, title: 'Art. 19: conditionally open data is used once the utilization agreement is signed and sealed' },
  'request-term-outside': { status: 403, title: 'Art. 16, Art. 19 ¶2: the data are used only within the agreed term' },
  'entry-not-granted': { status: 403, title: 'Art. 16, Art. 19 ¶2: the data are used only as the approved request lists them' },
  // Usage duties (public-data/usage*.ts).
  'not-agreement-user': { status: 403, title: 'Art. 20: only the user under the agreement reports its use and registers its outcomes' },
  'not-order-issuer': { status: 403, title: 'Art. 64: an order to correct is issued by the department that opened the data or by the bureau' },
  'already-reported': { status: 409, title: 'Art. 20 ¶1: this period of the schedule is reported already' },
  'order-ground-unfounded': { status: 422, title: 'Art. 64: the order names a breach the record does not show' },
  'correction-incomplete': { status: 422, title: 'Art. 64: the order is corrected by the fact it names' },
  'order-not-lapsed': { status: 409, title: 'Art. 64: a decision follows an order not heeded within its time limit, or serious consequences' },
  'access-suspended': { status: 403, title: 'Art. 64: the bureau suspended access to this data' },
  'webhook-url-not-allowed': { status: 422, title: 'A webhook goes to a public https address' },
  // Central procurement (procurement/*.ts).
  'need-already-consolidated': { status: 409, title: 'Art. 27 ¶3: a purchase need is consolidated into one procurement only' },
  'shares-mismatch': { status: 422, title: 'Art. 27 ¶3: the departments’ shares name each beneficiary once and sum to the order’s amount' },
  'not-beneficiary': { status: 403, title: 'Art. 20: only a beneficiary department reports its use of the data bought for it, acting for its own party' },
  'procurement-not-granted': { status: 409, title: 'Art. 20: a beneficiary reports its use once the procurement is paid and its download grant issued' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
  'payment-provider-failed': { status: 502, title: 'The payment provider did not complete the request' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemKinds;

/** The problem `type` URI for a code; `GET /problems/{code}` documents it. */
export const problemType = (code: ProblemCode) => `/problems/${code}`;

/**
 * Text a client may read, in each language the service answers in (src/lib/languages.ts). A detail
 * is written in both where it is raised, so a new one without its Chinese fails the typecheck.
 */
export interface Localized {
  en: string;
  zh: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ProblemCode;
  readonly detail: Localized | undefined;
  /** Extension members added to the problem document (RFC 9457 §3.2). */
  readonly extensions: Record<string, unknown>;
  constructor(code: ProblemCode, detail?: Localized, extensions: Record<string, unknown> = {}) {
    // The log reads English whatever the caller asked for.
    super(detail?.en ?? problemKinds[code].title);
    this.code = code;
    this.detail = detail;
    this.extensions = extensions;
  }

  get status(): number {
    return problemKinds[this.code].status;
  }
}

export const notFound = (what: Localized) =>
  new AppError('not-found', { en: `${what.en} does not exist or is not visible to you`, zh: `${what.zh}不存在或您无权查看` });
export const invalidState = (detail: Localized, extensions?: Record<string, unknown>) =>
  new AppError('invalid-state', detail, extensions);
export const conflict = (detail: Localized, extensions?: Record<string, unknown>) => new AppError('conflict', detail, extensions);
