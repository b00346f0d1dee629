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
  'agreement-superseded': { status: 409, title: 'The agreement changed since you read it: sign its current content' },
  'already-signed': { status: 409, title: 'Your party has already signed this agreement' },
  'not-data-recipient': { status: 403, title: 'Only the party that received the data certifies their disposal' },
  'reauthentication-failed': { status: 403, title: 'Confirm the signature with your current password' },
  'invalid-model-text': { status: 422, title: 'The model text is not valid' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemKinds;

/** The problem `type` URI for a code; `GET /problems/{code}` documents it. */
export const problemType = (code: ProblemCode) => `/problems/${code}`;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    /** Extension members added to the problem document (RFC 9457 §3.2). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? problemKinds[code].title);
  }

  get status(): number {
    return problemKinds[this.code].status;
  }
}

export const notFound = (what: string) => new AppError('not-found', `${what} does not exist or is not visible to you`);
export const invalidState = (detail: string, extensions?: Record<string, unknown>) =>
  new AppError('invalid-state', detail, extensions);
export const conflict = (detail: string, extensions?: Record<string, unknown>) => new AppError('conflict', detail, extensions);
