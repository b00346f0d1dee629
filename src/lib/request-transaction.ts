import { AsyncLocalStorage } from 'node:async_hooks';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';

// Spelled as database.ts spells them, which imports this module.
type Database = PgDatabase<PgQueryResultHKT>;
type Transaction = PgTransaction<PgQueryResultHKT>;

/**
 * A request that must commit as one piece (an idempotent POST: its change and its stored answer)
 * runs in one database transaction from its first statement to its answer. The service code does
 * not pass that transaction around: `app.db` is routed to it for everything the request does, and
 * a use case's own `db.transaction` becomes a savepoint inside it. Outside such a request, and
 * once it has committed, `app.db` is the database itself.
 */
interface RequestScope {
  tx: Transaction | undefined;
}

const scopes = new AsyncLocalStorage<RequestScope>();
const routed = new WeakSet<object>();

/** The transaction the current request runs in, while it is open. */
export function requestTransaction(): Transaction | undefined {
  return scopes.getStore()?.tx;
}

/** `db`, routed to the current request's transaction when there is one (see above). */
export function routeToRequestTransaction(db: Database): Database {
  if (routed.has(db)) return db;
  const proxy = new Proxy(db, {
    get(target, property) {
      const source = scopes.getStore()?.tx ?? target;
      const value: unknown = Reflect.get(source, property, source);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(source) : value;
    },
  });
  routed.add(proxy);
  return proxy;
}

export interface OpenRequestTransaction {
  readonly tx: Transaction;
  /** Runs `next` (the rest of the request) with `app.db` routed to this transaction. */
  enter(next: () => void): void;
  /** Commits (or rolls back); from then on the request's `app.db` is the database again. */
  end(outcome: 'commit' | 'rollback'): Promise<void>;
}

/** Thrown out of the transaction's callback to roll it back; never leaves this module. */
class RequestRolledBack extends Error {}

/**
 * Begins a transaction that stays open until `end`. Drizzle's transactions are callbacks, so the
 * callback waits for the request to decide; both drivers keep the transaction's connection (the
 * server's pooled one, or PGlite's only one) for it meanwhile. If the process dies, the database
 * ends the transaction with its connection: nothing of it is kept.
 */
export async function beginRequestTransaction(db: Database): Promise<OpenRequestTransaction> {
  let decide!: (outcome: 'commit' | 'rollback') => void;
  const decided = new Promise<'commit' | 'rollback'>((resolve) => (decide = resolve));
  let opened!: (tx: Transaction) => void;
  const ready = new Promise<Transaction>((resolve) => (opened = resolve));
  const finished = db.transaction(async (tx) => {
    opened(tx as Transaction);
    if ((await decided) === 'rollback') throw new RequestRolledBack('rolled back');
  });
  // Awaited in `end`; a failed BEGIN is reported through `ready` below.
  finished.catch(() => {});
  const tx = await Promise.race([ready, finished.then(() => Promise.reject(new Error('the request transaction ended before it began')))]);
  const scope: RequestScope = { tx };
  let open = true;
  return {
    tx,
    enter: (next) => scopes.run(scope, next),
    async end(outcome) {
      if (!open) return;
      open = false;
      scope.tx = undefined;
      decide(outcome);
      try {
        await finished;
      } catch (err) {
        if (!(err instanceof RequestRolledBack)) throw err;
      }
    },
  };
}
