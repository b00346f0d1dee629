// The console's one way to the API: openapi-fetch typed by schema.d.ts (generated from the served
// OpenAPI document, scripts/console-api-types.ts), so every path, parameter, body and answer the
// console uses is checked against the routes by `npm run typecheck`. Every call carries the
// language (Accept-Language, for the API's problem titles), the access token and the acting party.
import createClient, { type Middleware } from 'openapi-fetch';
import { getSession, setTokens, type Tokens } from '../lib/session-store';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** An RFC 9457 problem document, as every error of the API is. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  requestId?: string;
}

/** A call the API refused, with its problem document; or a failure to reach it at all. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.problem = problem;
  }
}

const acceptLanguage = () => (getSession().lang === 'zh' ? 'zh-CN,zh;q=0.9,en;q=0.5' : 'en,zh-CN;q=0.5');

type TokenPair = paths['/auth/login']['post']['responses']['200']['content']['application/json'];

/** The tokens of a pair the API gave, with the access token's expiry on the browser's clock. */
export function tokensOf(pair: TokenPair): Tokens {
  return { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
}

// One refresh at a time: a refresh token works once, so two calls that both find the access token
// stale must share the new pair.
let refreshing: Promise<Tokens | null> | null = null;

async function refreshTokens(tokens: Tokens): Promise<Tokens | null> {
  // Through the typed client too: /auth/* calls carry no access token (the middleware below).
  const { data } = await api.POST('/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
  return data ? tokensOf(data) : null;
}

/** A current access token: refreshed a minute before it expires; none when the refresh fails. */
async function currentAccessToken(): Promise<string | null> {
  const { tokens } = getSession();
  if (!tokens) return null;
  if (tokens.expiresAt - Date.now() > 60_000) return tokens.accessToken;
  refreshing ??= refreshTokens(tokens).finally(() => (refreshing = null));
  const fresh = await refreshing;
  // A refresh token used up or revoked: the session is over, the user signs in again.
  setTokens(fresh);
  return fresh?.accessToken ?? null;
}

const headers: Middleware = {
  async onRequest({ request, schemaPath }) {
    request.headers.set('accept-language', acceptLanguage());
    if (schemaPath.startsWith('/auth/') || schemaPath === '/setup/operator') return request;
    const token = await currentAccessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    const { partyId } = getSession();
    if (partyId && token) request.headers.set('x-party-id', partyId);
    return request;
  },
  async onResponse({ response, request }) {
    // The API no longer takes the token (revoked, the account disabled): back to the sign-in page.
    if (response.status === 401 && request.headers.has('authorization')) setTokens(null);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(headers);

type Result<D> = { data?: D; error?: unknown; response: Response };

/** The answer of a call that succeeded; an ApiError with the API's problem otherwise. */
export async function ok<D>(call: Promise<Result<D>>): Promise<D> {
  let result: Result<D>;
  try {
    result = await call;
  } catch (err) {
    throw new ApiError({ type: 'about:blank', title: 'network', status: 0, detail: err instanceof Error ? err.message : String(err) });
  }
  if (result.response.ok) return result.data as D;
  const error = result.error as Partial<Problem> | undefined;
  throw new ApiError({
    type: error?.type ?? 'about:blank',
    title: error?.title ?? result.response.statusText,
    status: result.response.status,
    ...(error?.detail ? { detail: error.detail } : {}),
    ...(error?.errors ? { errors: error.errors } : {}),
    ...(error?.requestId ? { requestId: error.requestId } : {}),
  });
}

/** A fresh Idempotency-Key for one submission of a form: a retry of the same submission reuses it. */
export const idempotencyKey = () => `console-${crypto.randomUUID()}`;
