// Step-up (issue 20): a signed-in user confirms their password once more and gets a short-lived
// token that stands in for it when signing agreements, so a party that signs several agreements in
// a row is hashed once, not once per signature. The token is bound to the user and to the session
// (the login's refresh-token family) of the access token it was asked with: another user's, another
// session's, an ended session's (logout, revocation) or an expired one is refused.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import { AppError, type Localized } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { verifyUserPassword } from './service.js';
import { refreshTokens } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'account.stepped_up': { sessionId: string; expiresAt: string };
    'account.step_up_failed': { sessionId: string; reason: 'wrong_password' };
  }
}

/** What a step-up token says: whose, which session, which audit event issued it, when. */
export interface StepUpClaims {
  sub: string;
  sid: string;
  /** The `account.stepped_up` audit event. */
  jti: string;
  typ: 'step-up';
  /** Seconds since the epoch: when the password was checked. */
  iat: number;
  exp: number;
}

/** Signs and reads step-up tokens (plugins/auth.ts, with the access tokens' key). */
export interface StepUpTokens {
  sign(claims: Pick<StepUpClaims, 'sub' | 'sid' | 'jti' | 'iat'>, ttlSeconds: number): string;
  /** The claims when the signature holds and the token is in time; else why not. */
  read(token: string): StepUpClaims | 'expired' | 'invalid';
}

export interface StepUpContext {
  db: Database;
  config: Pick<Config, 'stepUpTtlSeconds'>;
  tokens: StepUpTokens;
}

/** The signed-in user and the session their access token belongs to. */
export interface Session {
  userId: string;
  sessionId: string | null;
}

/** How a signer showed, just before signing, that they are the account's person: recorded with the signature. */
export interface FreshAuthentication {
  method: 'password' | 'step_up';
  /** When the password was checked: with the signature, or when the step-up token was issued. */
  at: string;
  /** The `account.stepped_up` event, for a step-up. */
  stepUpEventId: string | null;
}

/** The password itself, or a step-up token as read by StepUpTokens.read. */
export type SignerProof = { password: string } | { stepUp: StepUpClaims | 'expired' | 'invalid' };

const refused = (detail: Localized) => new AppError('reauthentication-failed', detail);

/** A session is live while one of its refresh tokens is neither revoked (logout, reuse, an account change) nor expired. */
async function sessionIsLive(db: Database, session: { userId: string; sessionId: string }): Promise<boolean> {
  const [live] = await db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.familyId, session.sessionId), eq(refreshTokens.userId, session.userId), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, new Date())))
    .limit(1);
  return live !== undefined;
}

function requireSessionId(session: Session): string {
  if (!session.sessionId) throw refused({ en: 'this access token names no session: log in again', zh: '该访问令牌未指明会话，请重新登录' });
  return session.sessionId;
}

/** Checks the password once (argon2) and issues a step-up token for this user and session. */
export async function stepUp(ctx: StepUpContext, actor: AuditActor, session: Session, password: string): Promise<{ stepUpToken: string; expiresAt: Date }> {
  const sessionId = requireSessionId(session);
  if (!(await sessionIsLive(ctx.db, { userId: session.userId, sessionId }))) throw refused({ en: 'the session has ended: log in again', zh: '会话已结束，请重新登录' });
  if (!(await verifyUserPassword(ctx.db, session.userId, password))) {
    // Recorded like a failed login: repeated guesses with a stolen access token show in the log.
    await ctx.db.transaction((tx) =>
      appendAudit(tx, actor, { action: 'account.step_up_failed', subject: { type: 'user', id: session.userId }, payload: { sessionId, reason: 'wrong_password' } }),
    );
    throw refused({ en: 'the password is wrong', zh: '密码错误' });
  }
  const iat = Math.floor(Date.now() / 1000);
  const expiresAt = new Date((iat + ctx.config.stepUpTtlSeconds) * 1000);
  const event = await ctx.db.transaction((tx) =>
    appendAudit(tx, actor, { action: 'account.stepped_up', subject: { type: 'user', id: session.userId }, payload: { sessionId, expiresAt: expiresAt.toISOString() } }),
  );
  return { stepUpToken: ctx.tokens.sign({ sub: session.userId, sid: sessionId, jti: event.id, iat }, ctx.config.stepUpTtlSeconds), expiresAt };
}

/**
 * The signer's fresh authentication, or a 403 saying why not: the password checked now, or a
 * step-up token of this user and this session, in time, whose session has not ended.
 */
export async function confirmFreshAuthentication(db: Database, session: Session, proof: SignerProof): Promise<FreshAuthentication> {
  if ('password' in proof) {
    if (!(await verifyUserPassword(db, session.userId, proof.password))) throw refused({ en: 'the password is wrong', zh: '密码错误' });
    return { method: 'password', at: new Date().toISOString(), stepUpEventId: null };
  }
  const claims = proof.stepUp;
  if (claims === 'expired') throw refused({ en: 'the step-up token has expired: step up again (POST /auth/step-up)', zh: '加强验证令牌已过期，请重新进行加强验证（POST /auth/step-up）' });
  if (claims === 'invalid') throw refused({ en: 'the step-up token is not valid', zh: '加强验证令牌无效' });
  if (claims.sub !== session.userId) throw refused({ en: 'the step-up token was issued to another account', zh: '该加强验证令牌是签发给另一个账号的' });
  const sessionId = requireSessionId(session);
  if (claims.sid !== sessionId) throw refused({ en: 'the step-up token belongs to another session: step up in this one', zh: '该加强验证令牌属于另一个会话，请在本会话中进行加强验证' });
  if (!(await sessionIsLive(db, { userId: session.userId, sessionId }))) throw refused({ en: 'the session has ended: log in and step up again', zh: '会话已结束，请重新登录并进行加强验证' });
  return { method: 'step_up', at: new Date(claims.iat * 1000).toISOString(), stepUpEventId: claims.jti };
}
