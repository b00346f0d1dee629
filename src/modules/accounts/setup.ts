import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState } from '../../lib/errors.js';
import type { AuditActor } from '../audit/events.js';
import { createUser, type AccountsContext, type User } from './service.js';
import { setupTokens, users } from './tables.js';

/**
 * First run. A new exchange has no operator, and only an operator can make staff accounts. Rather
 * than stopping the server to run the CLI, the server makes a one-time setup token when no
 * operator exists: printed once, kept in DATA_DIR/secrets/setup-token, stored only as SHA-256.
 * `POST /setup/operator` with it creates the first operator, and the token is gone.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest();

const operatorExists = (db: Database) =>
  db.select({ id: users.id }).from(users).where(sql`'operator' = any(${users.roles}) and ${users.status} = 'active'`).limit(1).then((rows) => rows.length > 0);

export const setupTokenFile = (dataDir: string) => join(dataDir, 'secrets', 'setup-token');

/**
 * Called at start-up. Makes a token when there is no operator and no usable token on file; returns
 * the new token (to be printed once), or null when none was made.
 */
export async function prepareFirstRunSetup(db: Database, dataDir: string): Promise<{ token: string; file: string } | { file: string; reused: true } | null> {
  const file = setupTokenFile(dataDir);
  if (await operatorExists(db)) {
    rmSync(file, { force: true });
    return null;
  }
  const [stored] = await db.select().from(setupTokens);
  if (stored && existsSync(file) && sha256(readFileSync(file, 'utf8').trim()).equals(Buffer.from(stored.tokenHash, 'hex'))) return { file, reused: true };
  const token = randomBytes(24).toString('base64url');
  await db
    .insert(setupTokens)
    .values({ id: 1, tokenHash: sha256(token).toString('hex'), createdAt: new Date() })
    .onConflictDoUpdate({ target: setupTokens.id, set: { tokenHash: sha256(token).toString('hex'), createdAt: new Date() } });
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return { token, file };
}

/** Creates the first operator with the setup token; the token dies with its first use. */
export async function createFirstOperator(
  ctx: AccountsContext & { dataDir: string },
  actor: AuditActor,
  input: { token: string; email: string; password: string; displayName: string },
): Promise<User> {
  const user = await ctx.db.transaction(async (tx) => {
    const [stored] = await tx.select().from(setupTokens).for('update');
    if (!stored || (await operatorExists(tx))) throw invalidState({ en: 'the exchange already has an operator; ask one for an account', zh: '交易所已有运营人员，请向其申请账号' });
    const presented = sha256(input.token);
    if (!timingSafeEqual(presented, Buffer.from(stored.tokenHash, 'hex'))) throw new AppError('invalid-token', { en: 'the setup token is not valid', zh: '设置令牌无效' });
    await tx.delete(setupTokens);
    return createUser({ ...ctx, db: tx }, actor, { ...input, roles: ['operator'] }, 'setup');
  });
  rmSync(setupTokenFile(ctx.dataDir), { force: true });
  return user;
}
