// Whole trades for `npm run bench`: the accounts are made here, in bulk, before the service starts
// (the embedded database is one process's); the trades themselves are driven through the API by a
// process of their own (scripts/bench/trade-load.ts).
import { randomInt } from 'node:crypto';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/lib/database.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { systemActor } from '../../src/modules/audit/events.js';
import { usccCheckCharacter } from '../../src/modules/identity/codes.js';
import { runChild } from './http.js';
import type { TradeAnswer, TradeSpec } from './trade-load.js';

const PASSWORD = 'bench trade passphrase';

export interface TradeAccounts {
  operator: string;
  provider: string;
  buyers: string[];
}

/** Staff and trading accounts, made before the service starts. */
export async function seedTradeAccounts(db: Database, config: Config, buyers: number): Promise<TradeAccounts> {
  const ctx = { db, config, signAccessToken: () => '' };
  const make = async (role: 'operator' | 'provider' | 'buyer', n = 0) => {
    const email = `${role}-${n}-${Date.now()}@trades.bench.example.cn`;
    await createUser(ctx, systemActor(), { email, password: PASSWORD, displayName: `bench ${role} ${n}`, roles: [role] }, 'script');
    return email;
  };
  return { operator: await make('operator'), provider: await make('provider'), buyers: await Promise.all(Array.from({ length: buyers }, (_, i) => make('buyer', i))) };
}

function uscc(): string {
  const first17 = `915001${String(randomInt(10 ** 8)).padStart(8, '0')}MA${randomInt(10)}`;
  return first17 + usccCheckCharacter(first17);
}

/** Runs the buyers at once, each trading one order after another, for `seconds`, from the trade driver's process. */
export async function measureTrades(url: string, accounts: TradeAccounts, opts: { seconds: number; signing: TradeSpec['signing'] }): Promise<TradeAnswer> {
  const spec: TradeSpec = {
    url,
    password: PASSWORD,
    ...accounts,
    identityNumbers: Array.from({ length: accounts.buyers.length + 1 }, uscc),
    seconds: opts.seconds,
    signing: opts.signing,
  };
  return runChild<TradeAnswer>('scripts/bench/trade-load.ts', spec);
}
