import type { Database } from '../../lib/database.js';
import { seedPackagedYears } from './package-seed.js';
import { DeadlineHolders } from './registry.js';

export type { DeadlineHolder, Recomputation } from './registry.js';
export type { Deadline, WorkingCalendar } from './working-days.js';
export { dueAfterWorkingDays, extendDeadline } from './working-days.js';
export { loadWorkingCalendar } from './service.js';

/** The calendar as other modules use it: where they register their deadlines, and the arithmetic. */
export interface Calendar {
  deadlineHolders: DeadlineHolders;
}

/** Builds the module: stores the packaged years the database does not hold yet (see package-seed.ts). */
export async function createCalendar(db: Database): Promise<Calendar> {
  await seedPackagedYears(db);
  return { deadlineHolders: new DeadlineHolders() };
}
