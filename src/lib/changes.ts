import type { DatabaseHandle } from './database.js';

/**
 * Changes that cached reads depend on, announced by the database itself: triggers (migration
 * 0005) send `NOTIFY dx_changes, '<topic>:<key>'` when a user's roles or status, a party
 * membership, a listing or a party's standing change, so no code path can forget. NOTIFY is
 * delivered when the transaction commits, and not at all when it rolls back.
 */
export const CHANGES_CHANNEL = 'dx_changes';

export type ChangeTopic = 'user' | 'membership' | 'catalog' | 'audit';

export interface ChangeFeed {
  /** Whether notices are arriving; caches answer only while it is true. */
  readonly live: boolean;
  on(topic: ChangeTopic, handler: (key: string) => void): void;
  /** Called when notices may have been lost and when they arrive again: drop everything cached. */
  onReset(handler: () => void): void;
}

export async function listenForChanges(database: DatabaseHandle): Promise<ChangeFeed> {
  const handlers = new Map<string, ((key: string) => void)[]>();
  const resets: (() => void)[] = [];
  let live = false;
  await database.listen(
    CHANGES_CHANNEL,
    (payload) => {
      const split = payload.indexOf(':');
      for (const handler of handlers.get(payload.slice(0, split)) ?? []) handler(payload.slice(split + 1));
    },
    (now) => {
      live = now;
      for (const reset of resets) reset();
    },
  );
  return {
    get live() {
      return live;
    },
    on: (topic, handler) => handlers.set(topic, [...(handlers.get(topic) ?? []), handler]),
    onReset: (handler) => void resets.push(handler),
  };
}
