import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { CalendarDayOverride } from './tables.js';

export interface Notice {
  reference: string;
  title: string | null;
  publishedOn: string | null;
}

/**
 * What makes two versions of a year the same: the days and the notice. A load whose content equals
 * the current version's is a replay and writes nothing.
 */
export function contentSha256(days: Readonly<Record<string, CalendarDayOverride>>, notice: Notice | null): string {
  return createHash('sha256').update(canonicalJson({ days, notice })).digest('hex');
}
