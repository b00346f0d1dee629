import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { agreements } from '../agreements/tables.js';
import { isoDateOf, shanghaiDayNumber } from '../calendar/working-days.js';
import { publicDataRequests, type RequestKind } from './request-tables.js';
import { usageOrders } from './usage-tables.js';

/**
 * What a party holds of a department's data through approved requests: the facts `canDownload`
 * decides on (access.ts), read in the download's transaction. Nothing here decides.
 */
export interface RequestHolding {
  requestId: string;
  kind: RequestKind;
  /** The entries the answer approved. */
  entryIds: string[];
  termStart: string;
  termEnd: string;
  /** Opening only (Art. 19): every party signed and the exchange sealed the utilization agreement. */
  agreementSealed: boolean;
  /** ... and it has not ended (expired or terminated). */
  agreementInForce: boolean;
  /** Art. 64: the last day of each suspension the bureau decided (null: until lifted). */
  suspensions: (string | null)[];
}

/** Today in Asia/Shanghai, YYYY-MM-DD: the terms of use are calendar days there. */
export const shanghaiToday = (now = new Date()) => isoDateOf(shanghaiDayNumber(now));

/**
 * The approved requests of `partyId` addressed to `departmentPartyId`, with the state of their
 * agreements. The agreement's status is read from its own table: the seal is the agreements
 * module's fact, and reading it here keeps the download one transaction.
 */
export async function requestHoldings(db: Database, partyId: string | null, departmentPartyId: string): Promise<RequestHolding[]> {
  if (!partyId) return [];
  const rows = await db
    .select({
      id: publicDataRequests.id,
      kind: publicDataRequests.kind,
      approvedEntryIds: publicDataRequests.approvedEntryIds,
      termStart: publicDataRequests.termStart,
      termEnd: publicDataRequests.termEnd,
      sealedAt: agreements.sealedAt,
      agreementStatus: agreements.status,
    })
    .from(publicDataRequests)
    .leftJoin(agreements, eq(agreements.id, publicDataRequests.agreementId))
    .where(and(eq(publicDataRequests.applicantPartyId, partyId), eq(publicDataRequests.departmentPartyId, departmentPartyId), isNotNull(publicDataRequests.approvedEntryIds)));
  const decided = rows.length === 0 ? [] : await db
    .select({ requestId: usageOrders.requestId, decision: usageOrders.decision })
    .from(usageOrders)
    .where(and(inArray(usageOrders.requestId, rows.map((r) => r.id)), eq(usageOrders.state, 'decided')));
  const suspensionsOf = (requestId: string) => decided.filter((d) => d.requestId === requestId && d.decision?.kind === 'suspension').map((d) => d.decision!.suspendedUntil);
  return rows.map((r) => ({
    requestId: r.id,
    kind: r.kind,
    entryIds: r.approvedEntryIds ?? [],
    termStart: r.termStart,
    termEnd: r.termEnd,
    agreementSealed: r.sealedAt !== null,
    agreementInForce: r.sealedAt !== null && r.agreementStatus === 'signed',
    suspensions: suspensionsOf(r.id),
  }));
}
