import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from './database.js';

/**
 * Changes that cached reads depend on, announced by the database itself: triggers (migrations
 * 0005, 0025, 0026) send `NOTIFY dx_changes, '<topic>:<key>'` when a user's account, a party
 * membership, the catalog, a party's standing (verification, suspension), one listing (its row, its
 * revisions, its dataset versions) or one public-data entry (its row, revisions, data versions)
 * change, so no code path can forget. NOTIFY is delivered when the transaction commits, and not at
 * all when it rolls back.
 */
export const CHANGES_CHANNEL = 'dx_changes';

export type ChangeTopic = 'user' | 'membership' | 'catalog' | 'audit' | 'party' | 'listing' | 'public-data-entry';

export interface ChangeFeed {
  /** Whether notices are arriving; caches answer only while it is true. */
  readonly live: boolean;
  on(topic: ChangeTopic, handler: (key: string) => void): void;
  /** Called when notices may have been lost and when they arrive again: drop everything cached. */
  onReset(handler: () => void): void;
  /**
   * Resolves once every notice of a transaction that committed before the call has reached this
   * process's caches. A request that changed something awaits it before it answers, so the
   * caller's next request, wherever it lands in this process, sees the change.
   */
  fence(): Promise<void>;
  /**
   * Lets notices that have already reached this process be applied before a request reads the
   * caches: a notice and the request after it can arrive in the same turn of the event loop, and
   * the request must not win.
   */
  settle(): Promise<void>;
}

/** How long a fence waits for its own notice before dropping every cache instead. */
const FENCE_TIMEOUT_MS = 2000;

/** Every instance says it is alive this often; one not heard from for three rounds is gone. */
const HEARTBEAT_MS = 5000;

/**
 * On a server database every process listens on one channel. Besides the triggers' notices, the
 * processes keep track of each other on it (`hello`, `alive`, `bye`), and a writer's fence
 * (`fence:<id>`) is acknowledged by every live process (`ack:<id>:<instance>`). A process
 * acknowledges a fence after it has applied every notice before it, since notices arrive in
 * commit order; so when every acknowledgement is in, no process can answer from a cache the
 * change made stale.
 */
export async function listenForChanges(database: DatabaseHandle): Promise<ChangeFeed & { close(): Promise<void> }> {
  const handlers = new Map<string, ((key: string) => void)[]>();
  const resets: (() => void)[] = [];
  const waiting = new Map<string, { missing: Set<string>; done: () => void }>();
  const peers = new Map<string, number>();
  const self = randomUUID();
  let live = false;
  const reset = () => {
    for (const handler of resets) handler();
  };
  const notify = (payload: string) => database.db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`).then(() => undefined, () => undefined);
  const control: Record<string, (key: string) => void> = {
    hello: (id) => {
      peers.set(id, Date.now());
      if (id !== self) void notify(`alive:${self}`);
    },
    alive: (id) => void peers.set(id, Date.now()),
    bye: (id) => void peers.delete(id),
    fence: (id) => void notify(`ack:${id}:${self}`),
    ack: (key) => {
      const [fence, instance] = key.split(':') as [string, string];
      peers.set(instance, Date.now());
      const wait = waiting.get(fence);
      if (!wait) return;
      wait.missing.delete(instance);
      if (wait.missing.size === 0) wait.done();
    },
  };
  await database.listen(
    CHANGES_CHANNEL,
    (payload) => {
      const split = payload.indexOf(':');
      const topic = payload.slice(0, split);
      const key = payload.slice(split + 1);
      if (Object.hasOwn(control, topic)) return control[topic]!(key);
      for (const handler of handlers.get(topic) ?? []) handler(key);
    },
    (now) => {
      live = now;
      reset();
    },
  );
  let heartbeat: NodeJS.Timeout | undefined;
  if (database.kind === 'postgres') {
    peers.set(self, Date.now());
    void notify(`hello:${self}`);
    heartbeat = setInterval(() => void notify(`alive:${self}`), HEARTBEAT_MS);
    heartbeat.unref();
  }
  return {
    get live() {
      return live;
    },
    on: (topic, handler) => handlers.set(topic, [...(handlers.get(topic) ?? []), handler]),
    onReset: (handler) => void resets.push(handler),
    settle: () => (database.kind === 'pglite' ? Promise.resolve() : new Promise<void>((resolve) => setImmediate(resolve))),
    // PGlite delivers notices before the commit resolves, in the one process: nothing to wait for.
    fence: async () => {
      if (database.kind === 'pglite') return;
      const id = randomUUID();
      const now = Date.now();
      for (const [peer, seen] of peers) if (peer !== self && now - seen > 3 * HEARTBEAT_MS) peers.delete(peer);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // A process that does not answer is stopping or stuck; this one's own caches are dropped.
          if (waiting.get(id)?.missing.has(self)) reset();
          waiting.delete(id);
          resolve();
        }, FENCE_TIMEOUT_MS);
        waiting.set(id, {
          missing: new Set(peers.keys()),
          done: () => {
            clearTimeout(timer);
            waiting.delete(id);
            resolve();
          },
        });
        void notify(`fence:${id}`);
      });
    },
    close: async () => {
      if (heartbeat) clearInterval(heartbeat);
      if (database.kind === 'postgres') await notify(`bye:${self}`);
    },
  };
}
