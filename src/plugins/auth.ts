import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { problemResponses } from '../lib/http.js';
import type { AuditActor } from '../modules/audit/events.js';
import type { StepUpClaims, StepUpTokens } from '../modules/accounts/step-up.js';
import { roles as knownRoles, type Role } from '../modules/accounts/tables.js';

/**
 * Who is calling. `role` is the role the route was entered under (the first of the caller's roles
 * that the route allows), so audit records say in which capacity something was done.
 */
export interface Actor {
  userId: string;
  roles: Role[];
  role: Role;
  /** The party the user acts for; null until the user chooses one. */
  partyId: string | null;
  /**
   * The login the access token belongs to (its refresh-token family): what a step-up token is bound
   * to. Null for a token issued before access tokens named their session; absent for an actor made
   * outside a request.
   */
  sessionId?: string | null;
}

/** A route is public, open to any signed-in user, or open to the listed roles. */
export type RouteAuth = 'public' | 'authenticated' | readonly Role[];

/** The kinds of resource a path can name; the authorisation matrix test knows how to make each. */
export type ResourceKind = 'user' | 'party' | 'listing' | 'invitation' | 'audit-event' | 'order' | 'grant' | 'payment' | 'bank-statement' | 'agreement' | 'public-data-entry' | 'public-data-request' | 'public-data-objection' | 'public-data-demand' | 'public-data-order' | 'public-data-outcome' | 'procurement-need' | 'procurement';

/**
 * Whose resource the path names, and so who reaches it: the resource's owner (the user itself, a
 * member of the party, the party a listing belongs to, the invitee) and the `staff` roles; everyone
 * else is told it does not exist (404). `onSale` resources are readable by anyone signed in while
 * they are on sale. `'none'`: the path names no one's resource (creation, the caller's own lists,
 * public data). Declared on every route, like `auth`, and tested for every route by
 * test/app/authorisation-matrix.test.ts.
 */
export type RouteAccess = 'none' | { resource: ResourceKind; param?: string; staff?: readonly Role[]; onSale?: boolean };

/**
 * Why a request that may change something stays open to a party the exchange suspended (Art. 28,
 * identity/suspension.ts). Every other such request acting for a suspended party is refused, 403
 * `party-suspended`, so a new route is closed to it until it says otherwise here. Reads stay open.
 * - `own-account`: the caller's own session and parties (logging out, registering or joining
 *   another party), nothing the suspended party commits to;
 * - `own-people`: the party's members and invitations;
 * - `notifications`: how the exchange reaches the party (read marks, its webhook endpoints);
 * - `withdrawal`: stepping back from what the party has not committed to yet (cancelling or
 *   refusing an order, declining terms, withdrawing a need, delisting);
 * - `duty`: what the party owes under agreements it already made (usage reports, outcomes and
 *   their citations, corrections ordered under Art. 64, certifying the data's disposal);
 * - `read`: a POST that only reads or checks something;
 * - `appeal`: the party's appeal against its suspension.
 */
export type OpenWhileSuspended = 'own-account' | 'own-people' | 'notifications' | 'withdrawal' | 'duty' | 'read' | 'appeal';

export interface RouteRule {
  method: string;
  /** Fastify's form, `/parties/:id`. */
  url: string;
  auth: RouteAuth;
  access: RouteAccess;
  whileSuspended?: OpenWhileSuspended;
}

/** A route that takes its body as a raw stream (plugins/uploads.ts), documented as binary. */
export interface RouteUpload {
  mediaTypes: readonly string[];
  description: string;
}

interface AccessClaims {
  sub: string;
  roles: Role[];
  typ: 'access';
  /** The session (refresh-token family) the token was issued to. */
  sid?: string;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims | Omit<StepUpClaims, 'iat' | 'exp'>;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    access?: RouteAccess;
    upload?: RouteUpload;
    whileSuspended?: OpenWhileSuspended;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** What every documented route declares about who may call it; the authorisation tests read it. */
    routeRules: RouteRule[];
    signAccessToken(userId: string, roles: Role[], sessionId: string): string;
    /** Step-up tokens (accounts/step-up.ts), signed with the same key as access tokens and told apart by `typ`. */
    stepUpTokens: StepUpTokens;
    /** Hooks that run after authentication, e.g. to resolve the acting party. */
    actorResolvers: ((request: FastifyRequest, actor: Actor) => Promise<void>)[];
  }
}

/** The signed-in caller; a route declared with `auth` other than 'public' always has one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated');
  return request.actor;
}

/** The audit record's view of the caller. */
export function auditActorOf(request: FastifyRequest): AuditActor {
  return {
    userId: request.actor?.userId ?? null,
    partyId: request.actor?.partyId ?? null,
    role: request.actor?.role ?? null,
    ip: request.ip,
    requestId: request.id,
  };
}

/**
 * The one way routes are guarded. Every route must say `config: { auth: ... }`; a route that does
 * not is refused when it is registered, so nothing is public by accident. Guarded routes get the
 * bearer security scheme and their 401/403 responses in the OpenAPI document.
 */
export interface AuthOptions {
  secret: string;
  accessTokenTtlSeconds: number;
  /**
   * The user's current roles and standing. Authorisation uses these, not the roles in the token, so
   * disabling an account or taking a role away takes effect on the next request.
   */
  loadUser(userId: string): Promise<{ roles: Role[]; active: boolean } | undefined>;
  /** Applies change notices that have already arrived, before the caches behind `loadUser` are read. */
  settle(): Promise<void>;
}

export default fp(async function auth(app: FastifyInstance, opts: AuthOptions) {
  await app.register(jwt, { secret: opts.secret, sign: { expiresIn: opts.accessTokenTtlSeconds } });

  app.decorate('signAccessToken', (userId: string, roles: Role[], sessionId: string) => app.jwt.sign({ sub: userId, roles, typ: 'access', sid: sessionId }));
  app.decorate('stepUpTokens', {
    sign: (claims, ttlSeconds) => app.jwt.sign({ ...claims, typ: 'step-up' }, { expiresIn: ttlSeconds }),
    read: (token) => {
      try {
        const claims = app.jwt.verify<StepUpClaims | AccessClaims>(token);
        return claims.typ === 'step-up' ? claims : 'invalid';
      } catch (err) {
        return (err as { code?: string }).code === 'FAST_JWT_EXPIRED' ? 'expired' : 'invalid';
      }
    },
  } satisfies StepUpTokens);
  app.decorate('actorResolvers', [] as FastifyInstance['actorResolvers']);
  app.decorate('routeRules', [] as RouteRule[]);
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (route) => {
    if (route.schema?.hide) return;
    const rule = route.config?.auth;
    if (rule === undefined) throw new Error(`${route.method} ${route.url} must declare config.auth`);
    const access = route.config?.access;
    if (access === undefined) throw new Error(`${route.method} ${route.url} must declare config.access`);
    const whileSuspended = route.config?.whileSuspended;
    for (const method of ([] as string[]).concat(route.method)) {
      if (method !== 'HEAD') app.routeRules.push({ method, url: route.url, auth: rule, access, ...(whileSuspended ? { whileSuspended } : {}) });
    }
    if (rule === 'public') return;
    route.schema = {
      ...route.schema,
      security: [{ bearerAuth: [] }],
      response: { ...problemResponses(401, 403), ...(route.schema?.response as object | undefined) },
    };
    const guard = authenticate(app, opts, rule);
    route.onRequest = [guard, ...(route.onRequest ? [route.onRequest].flat() : [])];
  });
});

function authenticate(app: FastifyInstance, opts: AuthOptions, rule: 'authenticated' | readonly Role[]): onRequestHookHandler {
  return async function requireAuth(request) {
    if (!request.headers.authorization) throw new AppError('unauthenticated', { en: 'send an access token as "Authorization: Bearer <token>"', zh: '请以 "Authorization: Bearer <token>" 发送访问令牌' });
    let claims: AccessClaims;
    try {
      claims = await request.jwtVerify<AccessClaims>();
    } catch (err) {
      const expired = (err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
      throw new AppError('invalid-token', { en: expired ? 'the access token has expired; refresh it' : 'the access token is not valid', zh: expired ? '访问令牌已过期，请刷新' : '访问令牌无效' });
    }
    if (claims.typ !== 'access') throw new AppError('invalid-token', { en: 'not an access token', zh: '不是访问令牌' });
    await opts.settle();
    const user = await opts.loadUser(claims.sub);
    if (!user?.active) throw new AppError('invalid-token', { en: 'the account is disabled', zh: '该账号已停用' });
    const held = user.roles.filter((r): r is Role => knownRoles.includes(r));
    const role = rule === 'authenticated' ? held[0] : held.find((r) => rule.includes(r));
    if (!role) throw new AppError('forbidden', { en: `this needs one of the roles: ${rule === 'authenticated' ? 'any' : rule.join(', ')}`, zh: `此操作需要以下角色之一：${rule === 'authenticated' ? '任意角色' : rule.join('、')}` });
    const actor: Actor = { userId: claims.sub, roles: held, role, partyId: null, sessionId: claims.sid ?? null };
    for (const resolve of app.actorResolvers) await resolve(request, actor);
    request.actor = actor;
  };
}
