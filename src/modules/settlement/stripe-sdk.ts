import { createRequire } from 'node:module';
import type Stripe from 'stripe';

/**
 * The Stripe SDK is some 200 modules: required when the Stripe rail is first used, not by every
 * process (an exchange on bank transfer alone, the command-line tools and most tests never load it).
 */
const require = createRequire(import.meta.url);
let sdk: typeof Stripe | undefined;
export const stripeSdk = () => (sdk ??= require('stripe') as typeof Stripe);

/** An error the Stripe SDK threw (there can be none before the SDK is loaded). */
export const isStripeError = (err: unknown): err is Stripe.errors.StripeError => sdk !== undefined && err instanceof sdk.errors.StripeError;
