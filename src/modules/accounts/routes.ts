import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, auditActorOf } from '../../plugins/auth.js';
import { assertCanAccess } from '../../lib/authz.js';
import { IdParams, Page, PageQuery, Text, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { CreateUserBody, LoginBody, SetupOperatorBody, RefreshBody, RegisterBody, RoleSchema, TokenPairView, UpdateUserBody, UserView } from './schema.js';
import { createFirstOperator } from './setup.js';
import { createUser, getUser, listUsers, login, logout, refresh, updateUser, type AccountsContext, type User } from './service.js';

const toView = (u: User) => ({ id: u.id, email: u.email, displayName: u.displayName, roles: u.roles, status: u.status, createdAt: u.createdAt.toISOString() });

const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx: AccountsContext = { db: app.db, config: app.config, signAccessToken: app.signAccessToken };
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

  app.get('/me', {
    config: { auth: 'authenticated', access: 'none' },
    schema: { tags: ['accounts'], summary: 'The signed-in user', response: { 200: UserView } },
  }, async (request) => toView(await getUser(app.db, actorOf(request).userId)));

  app.get('/users/:id', {
    config: { auth: 'authenticated', access: { resource: 'user', staff: ['operator'] } },
    schema: {
      tags: ['accounts'],
      summary: 'A user: yourself, or anyone for operators',
      params: IdParams,
      response: { 200: UserView, ...problemResponses(400, 404) },
    },
  }, async (request) => {
    assertCanAccess(actorOf(request), { userId: request.params.id }, 'user', ['operator']);
    return toView(await getUser(app.db, request.params.id));
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
