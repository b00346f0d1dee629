import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, auditActorOf } from '../../plugins/auth.js';
import { assertCanAccess } from '../../lib/authz.js';
import { IdParams, Page, PageQuery, Text, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { CreateUserBody, LoginBody, PasswordChangeBody, SetupOperatorBody, RefreshBody, RegisterBody, RoleSchema, StepUpBody, StepUpView, TokenPairView, UpdateUserBody, UserView } from './schema.js';
import { createFirstOperator } from './setup.js';
import { stepUp, type StepUpContext } from './step-up.js';
import { notFound } from '../../lib/errors.js';
import { changePassword, createUser, listUsers, login, logout, refresh, updateUser, type Account, type AccountsContext } from './service.js';

const toView = (u: Account) => ({ id: u.id, email: u.email, displayName: u.displayName, roles: u.roles, status: u.status, createdAt: u.createdAt.toISOString() });

const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx: AccountsContext = { db: app.db, config: app.config, signAccessToken: app.signAccessToken };
  /** The account from memory while it is unchanged: `/me` sends no statement (the guard has just read it). */
  const accountOf = async (userId: string) => {
    const account = await app.findAccount(userId);
    if (!account) throw notFound({ en: 'user', zh: '用户' });
    return account;
  };
  const limited = { max: app.config.authRateLimit.max, timeWindow: app.config.authRateLimit.windowSeconds * 1000 };

  app.post('/auth/register', {
    config: { auth: 'public', access: 'none', rateLimit: limited },
    schema: {
      tags: ['accounts'],
      summary: 'Register as a provider and/or buyer',
      body: RegisterBody,
      response: { 201: UserView, ...problemResponses(400, 403, 409, 429) },
    },
  }, async (request, reply) => {
    const user = await createUser(ctx, auditActorOf(request), request.body, 'self');
    return reply.code(201).send(toView(user));
  });

  app.post('/setup/operator', {
    config: { auth: 'public', access: 'none', rateLimit: limited },
    schema: {
      tags: ['system'],
      summary: 'First run: create the first operator with the one-time setup token the server printed',
      body: SetupOperatorBody,
      response: { 201: UserView, ...problemResponses(401, 409) },
    },
  }, async (request, reply) => {
    const user = await createFirstOperator({ ...ctx, dataDir: app.config.dataDir }, auditActorOf(request), request.body);
    return reply.code(201).send(toView(user));
  });

  app.post('/auth/login', {
    config: { auth: 'public', access: 'none', rateLimit: limited },
    schema: {
      tags: ['accounts'],
      summary: 'Log in with e-mail and password',
      body: LoginBody,
      response: { 200: TokenPairView, ...problemResponses(400, 401, 429) },
    },
  }, async (request) => {
    const pair = await login(ctx, auditActorOf(request), request.body.email, request.body.password);
    return { ...pair, refreshExpiresAt: pair.refreshExpiresAt.toISOString() };
  });

  app.post('/auth/refresh', {
    config: { auth: 'public', access: 'none', rateLimit: limited },
    schema: {
      tags: ['accounts'],
      summary: 'Exchange a refresh token for a new token pair (the old one is used up)',
      body: RefreshBody,
      response: { 200: TokenPairView, ...problemResponses(400, 401, 429) },
    },
  }, async (request) => {
    const pair = await refresh(ctx, auditActorOf(request), request.body.refreshToken);
    return { ...pair, refreshExpiresAt: pair.refreshExpiresAt.toISOString() };
  });

  app.post('/auth/logout', {
    config: { auth: 'authenticated', access: 'none', whileSuspended: 'own-account' },
    schema: {
      tags: ['accounts'],
      summary: 'Revoke the session the refresh token belongs to',
      body: RefreshBody,
      response: { 204: Type.Null(), ...problemResponses(400) },
    },
  }, async (request, reply) => {
    await logout(ctx, auditActorOf(request), request.body.refreshToken);
    return reply.code(204).send(null);
  });

  const stepUpCtx: StepUpContext = { db: app.db, config: app.config, tokens: app.stepUpTokens };
  app.post('/auth/step-up', {
    // Its answer is a step-up token: not an answer to keep under an Idempotency-Key.
    config: { auth: 'authenticated', access: 'none', rateLimit: limited, whileSuspended: 'own-account', idempotency: false },
    schema: {
      tags: ['accounts'],
      summary: 'Confirm your password once more: a short-lived step-up token that signs agreements in this session without it',
      description:
        'The password is checked once (argon2); for STEP_UP_TTL_SECONDS (5 minutes by default) the token then stands in for it in POST /agreements/{id}/signatures, ' +
        'sent with an access token of the same session (login). It is refused once it has expired, for another user or session, and after the session ends (logout). ' +
        'A wrong password answers 403 reauthentication-failed and is recorded like a failed login.',
      body: StepUpBody,
      response: { 200: StepUpView, ...problemResponses(400, 429) },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const { stepUpToken, expiresAt } = await stepUp(stepUpCtx, auditActorOf(request), { userId: actor.userId, sessionId: actor.sessionId ?? null }, request.body.password);
    return { stepUpToken, expiresIn: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)), expiresAt: expiresAt.toISOString() };
  });

  app.post('/me/password', {
    // Its answer is a new session's token pair: not an answer to keep under an Idempotency-Key.
    config: { auth: 'authenticated', access: 'none', rateLimit: limited, whileSuspended: 'own-account', idempotency: false },
    schema: {
      tags: ['accounts'],
      summary: 'Change your password: every session of the account ends, and a new one begins for you',
      description:
        'The current password is checked (argon2); a wrong one answers 403 reauthentication-failed and is recorded like a failed login. ' +
        'Every refresh token of the account is revoked (a password an operator handed over, or one that leaked, no longer lets anyone in); ' +
        'the answer is the token pair of a new session.',
      body: PasswordChangeBody,
      response: { 200: TokenPairView, ...problemResponses(400, 403, 429) },
    },
  }, async (request) => {
    const pair = await changePassword(ctx, auditActorOf(request), actorOf(request).userId, request.body);
    return { ...pair, refreshExpiresAt: pair.refreshExpiresAt.toISOString() };
  });

  app.get('/me', {
    config: { auth: 'authenticated', access: 'none' },
    schema: { tags: ['accounts'], summary: 'The signed-in user', response: { 200: UserView } },
  }, async (request) => toView(await accountOf(actorOf(request).userId)));

  app.get('/users/:id', {
    config: { auth: 'authenticated', access: { resource: 'user', staff: ['operator'] } },
    schema: {
      tags: ['accounts'],
      summary: 'A user: yourself, or anyone for operators',
      params: IdParams,
      response: { 200: UserView, ...problemResponses(400, 404) },
    },
  }, async (request) => {
    assertCanAccess(actorOf(request), { userId: request.params.id }, { en: 'user', zh: '用户' }, ['operator']);
    return toView(await accountOf(request.params.id));
  });

  app.get('/users', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags: ['accounts'],
      summary: 'List users by e-mail',
      querystring: Type.Object({ ...PageQuery, role: Type.Optional(RoleSchema) }, { additionalProperties: false }),
      response: { 200: Page(UserView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, role } = request.query;
    const after = decodeCursor(request.query.cursor, Text({ maxLength: 254 }));
    const rows = await listUsers(app.db, { afterEmail: after, role, limit: limit + 1 });
    return pageOf(rows, limit, toView, (u) => u.email);
  });

  app.post('/users', {
    config: { auth: ['operator'], access: 'none' },
    schema: {
      tags: ['accounts'],
      summary: 'Create an account with any role (operators, departments, the bureau)',
      body: CreateUserBody,
      response: { 201: UserView, ...problemResponses(400, 409) },
    },
  }, async (request, reply) => {
    const user = await createUser(ctx, auditActorOf(request), request.body, 'operator');
    return reply.code(201).send(toView(user));
  });

  app.patch('/users/:id', {
    config: { auth: ['operator'], access: { resource: 'user', staff: ['operator'] } },
    schema: {
      tags: ['accounts'],
      summary: "Change a user's roles or status; the user's sessions are revoked",
      params: IdParams,
      body: UpdateUserBody,
      response: { 200: UserView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => toView(await updateUser(app.db, auditActorOf(request), request.params.id, request.body)));
};

export default accountsRoutes;
