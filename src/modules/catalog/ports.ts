import type { Database } from '../../lib/database.js';
import type { ProvenanceRecord } from './schema.js';

/** What a listing shows of the trades its data came from, nearest first. */
export type LineageChain = NonNullable<ProvenanceRecord['lineage']>;

/**
 * What the catalog asks of trading. A provenance declaration may cite orders its party bought on
 * this exchange (lineage), and only trading knows its orders; trading in turn reads the catalog's
 * listings. So the catalog declares here what it needs, and the app wires trading in (src/app.ts),
 * as trading does with settlement and agreements (trading/ports.ts): neither imports the other in
 * a circle.
 */
export interface LineagePort {
  /**
   * Each cited order must be the party's own completed purchase, bought under a licence that allows
   * onward processing and resale; otherwise `lineage-citation-invalid` (422), and another party's
   * order gets the same answer as none. Answers what the listing may show of each, with the chains
   * the bought listings declared, one level deeper. Runs in the caller's transaction.
   */
  checkCitations(tx: Database, partyId: string, orderIds: readonly string[]): Promise<LineageChain>;
}

/** A dataset of the DCAT-AP export, in the JSON-LD terms of dcat.ts. */
export type DcatDataset = { '@id': string; '@type': 'dcat:Dataset' } & Record<string, unknown>;

/**
 * Datasets another module publishes in the catalog's DCAT-AP export (public data's open list), on
 * the export's keyset: newest first by (time, id), those after `after`, at most `limit`. The
 * catalog merges them with its listings; the app wires the source in (src/app.ts).
 */
export interface DcatSource {
  datasets(
    db: Database,
    q: { baseUrl: string; after: { listedAt: string; id: string } | undefined; limit: number },
  ): Promise<{ at: Date; id: string; dataset: () => DcatDataset }[]>;
}
