import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { partyKind } from '../identity/service.js';
import { hasRole, invalidInput, type Caller } from './context.js';
import { procurementBudgets, procurementShares, procurements } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'procurement.budget_set': { departmentPartyId: string; year: number; amountMinor: number; currency: string; previousMinor: number | null };
  }
}

/** Budgets are in CNY: the bureau funds departments in renminbi. */
export const BUDGET_CURRENCY = 'CNY';

/** What a department has committed in a budget year: its shares of procurements the bureau has ordered. */
export async function committedMinor(db: Database, departmentPartyId: string, year: number): Promise<number> {
  const [row] = await db
    .select({ total: sql<string | number | null>`coalesce(sum(${procurementShares.amountMinor}), 0)` })
    .from(procurementShares)
    .innerJoin(procurements, eq(procurements.id, procurementShares.procurementId))
    .where(and(eq(procurementShares.departmentPartyId, departmentPartyId), eq(procurements.budgetYear, year), isNotNull(procurementShares.committedAt)));
  return Number(row?.total ?? 0);
}

export async function budgetOf(db: Database, departmentPartyId: string, year: number): Promise<number | null> {
  const [row] = await db.select().from(procurementBudgets).where(and(eq(procurementBudgets.departmentPartyId, departmentPartyId), eq(procurementBudgets.year, year)));
  return row ? row.amountMinor : null;
}

/** The bureau sets a department's budget for a year (replacing what was set), audited for the department. */
export async function setBudget(db: Database, caller: Caller, input: { departmentPartyId: string; year: number; amountMinor: number }) {
  if ((await partyKind(db, input.departmentPartyId)) !== 'public_body') throw invalidInput('/body/departmentPartyId', { en: 'not a government department (a public body)', zh: '不是政务部门（公共机构）' });
  const now = new Date();
  await db.transaction(async (tx) => {
    const [previous] = await tx
      .select()
      .from(procurementBudgets)
      .where(and(eq(procurementBudgets.departmentPartyId, input.departmentPartyId), eq(procurementBudgets.year, input.year)))
      .for('update');
    const values = { ...input, currency: BUDGET_CURRENCY, setBy: caller.actor.userId, updatedAt: now };
    await tx.insert(procurementBudgets).values(values).onConflictDoUpdate({ target: [procurementBudgets.departmentPartyId, procurementBudgets.year], set: values });
    await appendAudit(tx, caller.audit, {
      action: 'procurement.budget_set',
      subject: { type: 'party', id: input.departmentPartyId },
      payload: { departmentPartyId: input.departmentPartyId, year: input.year, amountMinor: input.amountMinor, currency: BUDGET_CURRENCY, previousMinor: previous?.amountMinor ?? null },
    });
  });
  return budgetView(db, input.departmentPartyId, input.year);
}

export async function budgetView(db: Database, departmentPartyId: string, year: number) {
  const amountMinor = await budgetOf(db, departmentPartyId, year);
  const committed = await committedMinor(db, departmentPartyId, year);
  return { departmentPartyId, year, amountMinor, currency: BUDGET_CURRENCY, committedMinor: committed, availableMinor: amountMinor === null ? null : amountMinor - committed };
}

/**
 * Budgets of a year: a department sees its own (whether set or not); the bureau every department's
 * that has one set, or the one it names.
 */
export async function listBudgets(db: Database, caller: Caller, q: { year: number; departmentPartyId?: string | undefined }) {
  if (!hasRole(caller, 'bureau')) {
    const own = caller.actor.partyId;
    if (!own) return [];
    if (q.departmentPartyId && q.departmentPartyId !== own) throw notFound({ en: 'budget', zh: '预算' });
    return [await budgetView(db, own, q.year)];
  }
  if (q.departmentPartyId) return [await budgetView(db, q.departmentPartyId, q.year)];
  const rows = await db.select({ id: procurementBudgets.departmentPartyId }).from(procurementBudgets).where(eq(procurementBudgets.year, q.year)).orderBy(procurementBudgets.departmentPartyId);
  const views = [];
  for (const r of rows) views.push(await budgetView(db, r.id, q.year));
  return views;
}
