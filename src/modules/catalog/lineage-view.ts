import { hash } from 'node:crypto';
import { seesTradeOf, type Viewer } from '../../lib/viewer.js';

/** A lineage entry as the declaration stores it (see trading/lineage.ts); `parties` since it was kept. */
interface StoredLineageEntry {
  depth?: number;
  orderId?: string;
  listingId?: string;
  /** The cited trade's buyer and provider: who may see its ids. Older entries lack it. */
  parties?: string[];
  [field: string]: unknown;
}

interface RevisionDocument {
  provenance?: { declaration?: { citedOrders?: string[]; lineage?: StoredLineageEntry[]; [field: string]: unknown } | null } | null;
  [field: string]: unknown;
}

/** A revision document shaped for one viewer, and the cited trades it names to that viewer. */
export interface ShapedRevision {
  json: string;
  /** Ids of the cited trades the viewer sees; they and the revision decide the text, so the ETag names them. */
  revealed: string[];
}

/** Cheap test before any parsing: most revisions cite no trade at all. */
export const citesTrades = (json: string) => json.includes('"lineage"') || json.includes('"citedOrders"');

/**
 * What a listing shows of the trades its data came from (README, Lineage): titles and dates to
 * everyone; the cited trade's order and listing ids only to the parties to that trade and to staff.
 * A third party learns that the data were bought here and when, never which trade. This is the one
 * place that decides it, for every revision document the catalog answers.
 */
export function shapeLineage(json: string, viewer: Viewer, ownerPartyId: string): ShapedRevision {
  if (!citesTrades(json)) return { json, revealed: [] };
  const doc = JSON.parse(json) as RevisionDocument;
  const declaration = doc.provenance?.declaration;
  if (!declaration) return { json, revealed: [] };
  // Every depth-1 trade is the listing party's own purchase (trading checked it when declared), so
  // an entry kept before `parties` was recorded is at least the owner's; deeper ones are nobody's.
  const partiesOf = (e: StoredLineageEntry) => e.parties ?? ((e.depth ?? 1) === 1 ? [ownerPartyId] : []);
  const revealed = new Set<string>();
  const stored = declaration.lineage ?? [];
  const citedHere = new Map(stored.filter((e) => (e.depth ?? 1) === 1 && e.orderId).map((e) => [e.orderId!, e]));
  if (declaration.lineage) {
    declaration.lineage = stored.map((entry) => {
      const { parties: _parties, orderId, listingId, ...shown } = entry;
      if (!orderId || !seesTradeOf(viewer, partiesOf(entry))) return shown;
      revealed.add(orderId);
      return { ...shown, orderId, listingId };
    });
  }
  if (declaration.citedOrders) {
    // The ids as the provider sent them: each is a depth-1 trade of the lineage.
    const visible = declaration.citedOrders.filter((id) => {
      const entry = citedHere.get(id);
      return seesTradeOf(viewer, entry ? partiesOf(entry) : [ownerPartyId]);
    });
    visible.forEach((id) => revealed.add(id));
    if (visible.length > 0) declaration.citedOrders = visible;
    else delete declaration.citedOrders;
  }
  return { json: JSON.stringify(doc), revealed: [...revealed].sort() };
}

/** A short tag of the revealed trade ids, for the ETag: equal only for equal texts. */
export const revealedTag = (revealed: readonly string[]) => (revealed.length === 0 ? '' : `.${hash('sha256', revealed.join(','), 'hex').slice(0, 16)}`);
