import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Database } from '../../lib/database.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Actor } from '../../plugins/auth.js';
import { appendAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/events.js';
import { isPartyMember } from '../identity/service.js';
import type { SettlementContext } from './context.js';
import { connectedAccounts } from './tables.js';
import { isStripeError } from './stripe-sdk.js';

type ConnectedAccount = typeof connectedAccounts.$inferSelect;

export const connectedAccountView = (a: ConnectedAccount, onboardingUrl?: string) => ({
  partyId: a.partyId,
  linked: true,
  stripeAccountId: a.stripeAccountId,
  chargesEnabled: a.chargesEnabled,
  payoutsEnabled: a.payoutsEnabled,
  ...(onboardingUrl ? { onboardingUrl } : {}),
  updatedAt: a.updatedAt.toISOString(),
});

async function authorise(db: Database, actor: Actor, partyId: string, staffMayRead: boolean) {
  if (staffMayRead && actor.roles.includes('operator')) return;
  if (!(await isPartyMember(db, partyId, actor.userId))) throw notFound({ en: 'party', zh: '主体' });
}

/**
 * How the provider's connected account is set up, with the controller properties Stripe documents
 * for platforms (an account `type` such as `express` is legacy). The exchange charges the buyer
 * itself and pays the provider by a separate transfer, and for such indirect charges Stripe bills
 * its fees to the platform and holds the platform liable for negative balances whatever the account
 * says: so the account says so too (`application` for both). Stripe collects the provider's
 * onboarding requirements through its hosted Account Links, and the provider sees its payouts in
 * the Express Dashboard.
 */
export const CONNECTED_ACCOUNT_CONTROLLER = {
  fees: { payer: 'application' },
  losses: { payments: 'application' },
  requirement_collection: 'stripe',
  stripe_dashboard: { type: 'express' },
} as const satisfies Stripe.AccountCreateParams.Controller;

function stripeFailed(err: unknown): never {
  if (isStripeError(err)) throw new AppError('payment-provider-failed', { en: `Stripe answered: ${err.message}`, zh: `Stripe 答复：${err.message}` }, { stripeCode: err.code ?? err.type });
  throw err;
}

/**
 * A provider links (or resumes linking) its Stripe connected account: the account is made once per
 * party (Accounts API, idempotency key from the party), and each call gets a fresh Account Link to
 * Stripe's onboarding. Whether it may take charges and payouts comes later, from `account.updated`.
 */
export async function linkConnectedAccount(ctx: SettlementContext, db: Database, actor: Actor, audit: AuditActor, partyId: string, requestId: string) {
  await authorise(db, actor, partyId, false);
  const stripe = ctx.stripe;
  const settings = ctx.config.stripe;
  if (!stripe || !settings) throw new AppError('rail-unavailable', { en: 'this exchange pays providers by bank transfer only', zh: '本交易所仅以银行转账向提供方付款' });
  let [account] = await db.select().from(connectedAccounts).where(eq(connectedAccounts.partyId, partyId));
  if (!account) {
    const created = await stripe.accounts
      .create(
        { controller: CONNECTED_ACCOUNT_CONTROLLER, metadata: { partyId }, capabilities: { transfers: { requested: true } } },
        { idempotencyKey: `party:${partyId}:connected-account` },
      )
      .catch(stripeFailed);
    account = await db.transaction(async (tx) => {
      const [row] = await tx.insert(connectedAccounts).values({ partyId, stripeAccountId: created.id }).onConflictDoNothing().returning();
      if (row) await appendAudit(tx, audit, { action: 'settlement.connected_account_linked', subject: { type: 'party', id: partyId }, payload: { partyId, stripeAccountId: created.id } });
      return row ?? (await tx.select().from(connectedAccounts).where(eq(connectedAccounts.partyId, partyId)))[0]!;
    });
  }
  const link = await stripe.accountLinks
    .create(
      { account: account.stripeAccountId, type: 'account_onboarding', refresh_url: settings.connectReturnUrl, return_url: settings.connectReturnUrl },
      { idempotencyKey: `party:${partyId}:account-link:${requestId}` },
    )
    .catch(stripeFailed);
  return connectedAccountView(account, link.url);
}

export async function getConnectedAccount(db: Database, actor: Actor, partyId: string) {
  await authorise(db, actor, partyId, true);
  const [account] = await db.select().from(connectedAccounts).where(eq(connectedAccounts.partyId, partyId));
  if (!account) return { partyId, linked: false, stripeAccountId: null, chargesEnabled: false, payoutsEnabled: false, updatedAt: null };
  return connectedAccountView(account);
}
