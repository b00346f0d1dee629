import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { preparedQuery, type Database } from '../../lib/database.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { refreshTokens, users, type Role } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'account.registered': { roles: Role[]; createdBy: 'self' | 'operator' | 'script' | 'setup' };
    'account.login_succeeded': { familyId: string };
    'account.login_failed': { reason: 'unknown_account' | 'wrong_password' | 'disabled' };
    'account.token_family_revoked': { familyId: string; reason: 'reuse' | 'logout' | 'account_changed' | 'password_changed' };
    'account.password_changed': { familyId: string };
    'account.password_change_failed': { reason: 'wrong_password' };
    'account.refresh_retried': { familyId: string; secondsSinceUse: number };
    'account.roles_changed': { from: Role[]; to: Role[] };
    'account.status_changed': { from: UserStatus; to: UserStatus };
  }
}

export type User = typeof users.$inferSelect;
type RefreshToken = typeof refreshTokens.$inferSelect;
export type UserStatus = User['status'];

/** Roles anyone may give themselves; the others are granted by an operator or the CLI. */
export const selfServiceRoles: readonly Role[] = ['provider', 'buyer'];

export interface AccountsContext {
  db: Database;
  config: Pick<Config, 'argon2' | 'refreshTokenTtlSeconds' | 'refreshRetryGraceSeconds' | 'accessTokenTtlSeconds'>;
  /** An access token naming the session (the refresh-token family) it belongs to. */
  signAccessToken(userId: string, roles: Role[], sessionId: string): string;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function hashPassword(ctx: AccountsContext, password: string) {
  return argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: ctx.config.argon2.memoryKiB,
    timeCost: ctx.config.argon2.timeCost,
    parallelism: 1,
  });
}

export async function createUser(
  ctx: AccountsContext,
  actor: AuditActor,
  input: { email: string; password: string; displayName: string; roles: Role[] },
  createdBy: 'self' | 'operator' | 'script' | 'setup',
): Promise<User> {
  const roles = [...new Set(input.roles)];
  if (createdBy === 'self' && roles.some((r) => !selfServiceRoles.includes(r))) {
    throw new AppError('forbidden', { en: `only ${selfServiceRoles.join(' and ')} accounts can be self-registered`, zh: `只有 ${selfServiceRoles.join('、')} 账号可以自行注册` });
  }
  const passwordHash = await hashPassword(ctx, input.password);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: normaliseEmail(input.email), displayName: input.displayName.trim(), passwordHash, roles })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!user) throw conflict({ en: 'an account with this e-mail already exists', zh: '使用该电子邮箱的账号已经存在' });
    await appendAudit(tx, { ...actor, userId: actor.userId ?? user.id }, {
      action: 'account.registered',
      subject: { type: 'user', id: user.id },
      payload: { roles, createdBy },
    });
    return user;
  });
}

// Verifying against a real hash when the account is unknown keeps the answer time the same,
// so response times do not tell which e-mail addresses have accounts.
let decoyHash: Promise<string> | undefined;

export async function login(ctx: AccountsContext, actor: AuditActor, email: string, password: string): Promise<TokenPair> {
  const [user] = await ctx.db.select().from(users).where(eq(users.email, normaliseEmail(email)));
  decoyHash ??= hashPassword(ctx, randomBytes(16).toString('hex'));
  const passwordMatches = await argon2.verify(user?.passwordHash ?? (await decoyHash), password);
  const failure = !user ? 'unknown_account' : !passwordMatches ? 'wrong_password' : user.status !== 'active' ? 'disabled' : null;
  if (!user || failure) {
    await ctx.db.transaction((tx) =>
      appendAudit(tx, actor, {
        action: 'account.login_failed',
        subject: user ? { type: 'user', id: user.id } : { type: 'login', id: 'unknown-account' },
        payload: { reason: failure ?? 'unknown_account' },
      }),
    );
    throw new AppError('invalid-credentials');
  }
  return ctx.db.transaction(async (tx) => {
    const familyId = randomUUID();
    const pair = await issueTokens(ctx, tx, user, familyId);
    await appendAudit(tx, { ...actor, userId: user.id }, {
      action: 'account.login_succeeded',
      subject: { type: 'user', id: user.id },
      payload: { familyId },
    });
    return pair;
  });
}

async function issueTokens(ctx: AccountsContext, tx: Database, user: User, familyId: string): Promise<TokenPair> {
  const refreshToken = randomBytes(32).toString('base64url');
  const refreshExpiresAt = new Date(Date.now() + ctx.config.refreshTokenTtlSeconds * 1000);
  await tx.insert(refreshTokens).values({ userId: user.id, familyId, tokenHash: sha256(refreshToken), expiresAt: refreshExpiresAt });
  return {
    accessToken: ctx.signAccessToken(user.id, user.roles, familyId),
    tokenType: 'Bearer',
    expiresIn: ctx.config.accessTokenTtlSeconds,
    refreshToken,
    refreshExpiresAt,
  };
}

/**
 * Uses up a refresh token and issues its successor. A token presented a second time has leaked
 * (or been raced); either way the whole family is revoked and the holder must log in again, unless
 * it is a retry (see retriedInGrace).
 */
export async function refresh(ctx: AccountsContext, actor: AuditActor, presented: string): Promise<TokenPair> {
  const tokenHash = sha256(presented);
  const outcome = await ctx.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(refreshTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, new Date())))
      .returning();
    if (claimed) return succeed(tx, claimed);
    const [known] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    if (!known) return { error: { en: 'the refresh token is not valid', zh: '刷新令牌无效' } } as const;
    const secondsSinceUse = await retriedInGrace(ctx, tx, known);
    if (secondsSinceUse !== null) {
      await appendAudit(tx, { ...actor, userId: known.userId }, {
        action: 'account.refresh_retried',
        subject: { type: 'token_family', id: known.familyId },
        payload: { familyId: known.familyId, secondsSinceUse },
      });
      return succeed(tx, known);
    }
    if (known.usedAt || known.revokedAt) {
      const revoked = await revokeFamily(tx, { ...actor, userId: known.userId }, known.familyId, 'reuse');
      return {
        error: revoked
          ? { en: 'the refresh token was already used; every session of this login is now revoked', zh: '该刷新令牌已被使用过，此次登录的所有会话现已撤销' }
          : { en: 'the refresh token is revoked', zh: '该刷新令牌已被撤销' },
      } as const;
    }
    return { error: { en: 'the refresh token has expired', zh: '刷新令牌已过期' } } as const;
  });
  if ('error' in outcome) throw new AppError('invalid-token', outcome.error);
  return outcome.pair;

  async function succeed(tx: Database, token: RefreshToken) {
    const [user] = await tx.select().from(users).where(eq(users.id, token.userId));
    if (user?.status !== 'active') return { error: { en: 'the account is disabled', zh: '该账号已停用' } } as const;
    return { pair: await issueTokens(ctx, tx, user, token.familyId) } as const;
  }
}

/**
 * A used token presented again is a retry, not a theft, when it is the family's latest used token
 * (its successor, or any later one, has not been used), it was used within the grace, and nothing
 * revoked it: the client lost the answer (a page reloaded mid-refresh, a dropped connection) or two
 * tabs refreshed at once. The retry gets a pair of its own; the lost successor stays valid until it
 * expires or the family is revoked. Only the latest token qualifies, so a stolen older token still
 * revokes the family (as OAuth 2.0 Security BCP's rotation intends). Returns the seconds since the
 * token was used, or null when it is not a retry.
 */
async function retriedInGrace(ctx: AccountsContext, tx: Database, token: RefreshToken): Promise<number | null> {
  if (!token.usedAt || token.revokedAt || token.expiresAt <= new Date()) return null;
  const sinceUse = Date.now() - token.usedAt.getTime();
  if (sinceUse >= ctx.config.refreshRetryGraceSeconds * 1000) return null;
  const [later] = await tx
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.familyId, token.familyId), gt(refreshTokens.usedAt, token.usedAt)))
    .limit(1);
  return later ? null : Math.max(0, Math.round(sinceUse / 1000));
}

/** Revokes every session (refresh-token family) of a user that still has a live token. */
async function revokeEverySession(tx: Database, actor: AuditActor, userId: string, reason: 'account_changed' | 'password_changed') {
  const families = await tx.selectDistinct({ familyId: refreshTokens.familyId }).from(refreshTokens).where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
  for (const { familyId } of families) await revokeFamily(tx, actor, familyId, reason);
}

/** Revokes every live token of a family; audits it when anything was revoked. */
async function revokeFamily(tx: Database, actor: AuditActor, familyId: string, reason: 'reuse' | 'logout' | 'account_changed' | 'password_changed') {
  const revoked = await tx
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  if (revoked.length === 0) return false;
  await appendAudit(tx, actor, { action: 'account.token_family_revoked', subject: { type: 'token_family', id: familyId }, payload: { familyId, reason } });
  return true;
}

/**
 * The signed-in user sets a new password, proving the current one (a wrong one is recorded like a
 * failed login). Every session of the account is revoked, so that a password an operator handed
 * over, or one that leaked, lets no one in any more, and the caller gets a new session.
 */
export async function changePassword(ctx: AccountsContext, actor: AuditActor, userId: string, input: { currentPassword: string; newPassword: string }): Promise<TokenPair> {
  if (!(await verifyUserPassword(ctx.db, userId, input.currentPassword))) {
    await ctx.db.transaction((tx) => appendAudit(tx, actor, { action: 'account.password_change_failed', subject: { type: 'user', id: userId }, payload: { reason: 'wrong_password' } }));
    throw new AppError('reauthentication-failed', { en: 'the current password is wrong', zh: '当前密码错误' });
  }
  if (input.newPassword === input.currentPassword) {
    const message = { en: 'the new password is the current one', zh: '新密码与当前密码相同' };
    throw new AppError('validation-failed', message, { errors: [{ path: '/body/newPassword', message: message.en }] });
  }
  const passwordHash = await hashPassword(ctx, input.newPassword);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId)).returning();
    if (!user) throw notFound({ en: 'user', zh: '用户' });
    await revokeEverySession(tx, actor, userId, 'password_changed');
    const familyId = randomUUID();
    await appendAudit(tx, actor, { action: 'account.password_changed', subject: { type: 'user', id: userId }, payload: { familyId } });
    return issueTokens(ctx, tx, user, familyId);
  });
}

export async function logout(ctx: AccountsContext, actor: AuditActor, presented: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [known] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(presented)));
    // Logging out with a token of someone else's is treated like an unknown token: nothing happens.
    if (!known || known.userId !== actor.userId) return;
    await revokeFamily(tx, actor, known.familyId, 'logout');
  });
}

const accountById = preparedQuery((db) =>
  db
    .select({ id: users.id, email: users.email, displayName: users.displayName, roles: users.roles, status: users.status, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('account_by_id'),
);

/** A user as the API shows it, without its password hash: what authorisation and `/me` read. */
export type Account = Pick<User, 'id' | 'email' | 'displayName' | 'roles' | 'status' | 'createdAt'>;

export async function findAccount(db: Database, id: string): Promise<Account | undefined> {
  const [account] = await accountById(db).execute({ id });
  return account;
}

const userById = preparedQuery((db) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare('user_by_id'));

export async function getUser(db: Database, id: string): Promise<User> {
  const [user] = await userById(db).execute({ id });
  if (!user) throw notFound({ en: 'user', zh: '用户' });
  return user;
}

/**
 * Re-checks the password of a signed-in, active user (argon2): for acts that need a fresh
 * confirmation by the person beyond a bearer token (a step-up, or signing with the password).
 */
export async function verifyUserPassword(db: Database, userId: string, password: string): Promise<boolean> {
  const [user] = await userById(db).execute({ id: userId });
  if (!user || user.status !== 'active') return false;
  return argon2.verify(user.passwordHash, password);
}

export async function listUsers(db: Database, q: { afterEmail?: string | undefined; role?: Role | undefined; limit: number }) {
  return db
    .select()
    .from(users)
    .where(and(q.afterEmail ? gt(users.email, q.afterEmail) : undefined, q.role ? sql`${q.role} = any(${users.roles})` : undefined))
    .orderBy(asc(users.email))
    .limit(q.limit);
}

/**
 * An operator changes a user's roles or status. It takes effect on the user's next request (the
 * guard reads roles and status from the database), and live sessions are revoked.
 */
export async function updateUser(
  db: Database,
  actor: AuditActor,
  id: string,
  change: { roles?: Role[] | undefined; status?: UserStatus | undefined },
): Promise<User> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (!before) throw notFound({ en: 'user', zh: '用户' });
    if (before.id === actor.userId && change.roles && !change.roles.includes('operator') && before.roles.includes('operator')) {
      throw new AppError('invalid-state', { en: 'operators cannot remove their own operator role', zh: '运营人员不能移除自己的运营人员角色' });
    }
    const roles = change.roles ? [...new Set(change.roles)] : before.roles;
    const status = change.status ?? before.status;
    const rolesChanged = roles.length !== before.roles.length || roles.some((r) => !before.roles.includes(r));
    const statusChanged = status !== before.status;
    if (!rolesChanged && !statusChanged) return before;
    const [after] = await tx.update(users).set({ roles, status, updatedAt: new Date() }).where(eq(users.id, id)).returning();
    const subject = { type: 'user', id };
    if (rolesChanged) await appendAudit(tx, actor, { action: 'account.roles_changed', subject, payload: { from: before.roles, to: roles } });
    if (statusChanged) await appendAudit(tx, actor, { action: 'account.status_changed', subject, payload: { from: before.status, to: status } });
    await revokeEverySession(tx, actor, id, 'account_changed');
    return after!;
  });
}
