import type { ChangeFeed, ChangeTopic } from './changes.js';
import { requestTransaction } from './request-transaction.js';

/**
 * A least-recently-used map bounded by count, and by total weight when `weigh` is given (bytes of
 * a cached JSON text, say).
 */
export class Lru<K, V> {
  private readonly entries = new Map<K, V>();
  private weight = 0;
  private readonly max: number;
  private readonly maxWeight: number;
  private readonly weigh: (value: V) => number;
  constructor(max: number, maxWeight = Infinity, weigh: (value: V) => number = () => 0) {
    this.max = max;
    this.maxWeight = maxWeight;
    this.weigh = weigh;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Re-inserting moves the key to the end: the Map's order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    this.entries.set(key, value);
    this.weight += this.weigh(value);
    while (this.entries.size > this.max || this.weight > this.maxWeight) this.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.weight -= this.weigh(value);
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A per-process cache of something the database can change, dropped at once when it does: a
 * notice on `topic` for a key removes that key, a lost notice stream empties the whole cache and
 * it answers nothing from memory until notices arrive again. It is bounded like `Lru`, by count
 * and, when `weigh` is given, by total weight.
 *
 * A load that began before a change and ends after its notice must not store what it read: each
 * notice bumps a generation, and a load stores its result only if the generation it started in is
 * still current.
 */
export class InvalidatedCache<V> {
  private readonly entries: Lru<string, V>;
  private generation = 0;
  private readonly feed: ChangeFeed;

  constructor(feed: ChangeFeed, topic: ChangeTopic, max: number, maxWeight = Infinity, weigh: (value: V) => number = () => 0) {
    this.feed = feed;
    this.entries = new Lru(max, maxWeight, weigh);
    feed.on(topic, (key) => {
      this.generation++;
      this.entries.delete(key);
    });
    feed.onReset(() => {
      this.generation++;
      this.entries.clear();
    });
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    // A request inside its own transaction reads its own writes, and what it reads may yet be
    // rolled back: it neither answers from the cache nor fills it.
    if (requestTransaction()) return load();
    if (this.feed.live) {
      const hit = this.entries.get(key);
      if (hit !== undefined) return hit;
    }
    const started = this.generation;
    const value = await load();
    if (value !== undefined && this.feed.live && started === this.generation) this.entries.set(key, value);
    return value;
  }
}
