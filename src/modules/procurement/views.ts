import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { procurementNeeds, procurementShares, procurementSteps, type Need, type Procurement } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const needView = (n: Need) => ({
  id: n.id,
  departmentPartyId: n.departmentPartyId,
  status: n.status,
  title: n.title,
  description: n.description,
  duty: n.duty,
  legalBasis: n.legalBasis,
  budgetMinor: n.budgetMinor,
  currency: n.currency,
  term: { start: n.termStart, end: n.termEnd },
  budgetYear: n.budgetYear,
  overBudget: n.overBudget,
  budgetAtFilingMinor: n.budgetAtFilingMinor,
  committedAtFilingMinor: n.committedAtFilingMinor,
  availableAsPublicData: n.availableAsPublicData,
  procurementId: n.procurementId,
  withdrawnReason: n.withdrawnReason,
  createdAt: n.createdAt.toISOString(),
  updatedAt: n.updatedAt.toISOString(),
});

/** A procurement with its needs, shares and steps (each step's receipt is the departments' too). */
export async function procurementView(db: Database, p: Procurement) {
  const shares = await db.select().from(procurementShares).where(eq(procurementShares.procurementId, p.id)).orderBy(asc(procurementShares.position));
  // A cancelled procurement released its needs: the audit events keep which they were.
  const needs = await db.select({ id: procurementNeeds.id }).from(procurementNeeds).where(eq(procurementNeeds.procurementId, p.id)).orderBy(asc(procurementNeeds.createdAt));
  const steps = await db.select().from(procurementSteps).where(eq(procurementSteps.procurementId, p.id)).orderBy(asc(procurementSteps.seq));
  return {
    id: p.id,
    number: p.number,
    status: p.status,
    bureauPartyId: p.bureauPartyId,
    budgetYear: p.budgetYear,
    listingId: p.listingId,
    pricePlan: p.pricePlan,
    quantity: p.quantity,
    termStart: p.termStart,
    amountMinor: p.amountMinor,
    currency: p.currency,
    purpose: p.purpose,
    scenario: p.scenario,
    safeguards: p.safeguards,
    reportEveryMonths: p.reportEveryMonths,
    needIds: needs.map((n) => n.id),
    shares: shares.map((s) => ({ departmentPartyId: s.departmentPartyId, amountMinor: s.amountMinor, committedAt: iso(s.committedAt) })),
    orderId: p.orderId,
    cancelReason: p.cancelReason,
    steps: steps.map((s) => ({ action: s.action, from: s.fromStatus, to: s.toStatus, auditEventId: s.auditEventId, receipt: `/audit/events/${s.auditEventId}/receipt`, at: s.at.toISOString() })),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
