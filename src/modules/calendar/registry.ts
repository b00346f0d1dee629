import type { Database } from '../../lib/database.js';
import type { WorkingCalendar } from './working-days.js';

/**
 * Something that stores deadlines counted on the calendar (a module's requests, its extensions).
 * When the bureau loads a year, every holder recomputes the deadlines that count days in that year,
 * inside the transaction that writes the year's new version: the calendar and the deadlines on it
 * change together or not at all.
 */
export interface DeadlineHolder {
  /** Stable and unique, e.g. `publicdata.open-requests`; it names the holder in answers and audit records. */
  name: string;
  /**
   * Recomputes the stored deadlines whose count touches `year`, with `calendar` (every stored year,
   * the new version included), on `tx`; answers how many deadlines it recomputed. Throwing rolls the
   * whole load back.
   */
  recompute(tx: Database, year: number, calendar: WorkingCalendar): Promise<number>;
}

export interface Recomputation {
  holder: string;
  deadlines: number;
}

/** The holders of one app, registered by the modules that store deadlines when they are built. */
export class DeadlineHolders {
  readonly #holders = new Map<string, DeadlineHolder>();

  register(holder: DeadlineHolder): void {
    if (this.#holders.has(holder.name)) throw new Error(`a deadline holder named ${holder.name} is already registered`);
    this.#holders.set(holder.name, holder);
  }

  get names(): string[] {
    return [...this.#holders.keys()];
  }

  /** Every holder in the order they registered, one after another on the same transaction. */
  async recompute(tx: Database, year: number, calendar: WorkingCalendar): Promise<Recomputation[]> {
    const done: Recomputation[] = [];
    for (const holder of this.#holders.values()) done.push({ holder: holder.name, deadlines: await holder.recompute(tx, year, calendar) });
    return done;
  }
}
