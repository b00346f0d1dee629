import { and, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, invalidState, notFound, type Localized } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import { shanghaiDayNumber, isoDateOf } from '../calendar/working-days.js';
import { partyKind, requireVerifiedParty } from '../identity/service.js';
import { isBureau, type Caller } from './context.js';
import { chineseReference } from './rules.js';
import { entries } from './tables.js';
import { demands, type DemandStatus } from './objection-tables.js';

/** Shanghai Measures Art. 10, in the English the seed (shared/seeds/002) holds. */
export const shanghai10 = { ref: 'Shanghai Measures Art. 10', text: 'Natural persons, legal persons and unincorporated organizations may put forward their demands and opinions and suggestions on the scope of public data opening through the open platform.' } as const;

export type Demand = typeof demands.$inferSelect;

export interface DemandTransitionPayload {
  from: DemandStatus;
  to: DemandStatus;
  departmentPartyId: string | null;
  entryId?: string;
  plannedOn?: string;
  reasons?: string;
}

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.demand_raised': { departmentPartyId: string | null; year: number };
    'public_data.demand_routed': DemandTransitionPayload;
    'public_data.demand_already_open': DemandTransitionPayload;
    'public_data.demand_planned': DemandTransitionPayload;
    'public_data.demand_refused': DemandTransitionPayload;
  }
}

/** The bureau routes a demand to a department; the department answers it once. */
export const demandTransitions = {
  route: { from: ['unrouted', 'open'], to: 'open', audit: 'public_data.demand_routed' },
  already_open: { from: ['open'], to: 'already_open', audit: 'public_data.demand_already_open' },
  planned: { from: ['open'], to: 'planned', audit: 'public_data.demand_planned' },
  refused: { from: ['open'], to: 'refused', audit: 'public_data.demand_refused' },
} as const satisfies Record<string, { from: readonly DemandStatus[]; to: DemandStatus; audit: string }>;
export type DemandAction = keyof typeof demandTransitions;

type DemandStamp = { departmentPartyId?: string; entryId?: string; plannedOn?: string; reasons?: string };

/** The one place a demand changes state: checks the step, stamps it, audits it. */
async function transition(tx: Database, caller: Caller, action: DemandAction, demand: Demand, stamp: DemandStamp): Promise<Demand> {
  const rule = demandTransitions[action];
  const from = demand.status;
  if (!(rule.from as readonly string[]).includes(from)) throw invalidState({ en: `cannot ${action.replace('_', ' ')} a demand that is ${from.replace('_', ' ')}`, zh: `开放需求状态为 ${from}，不能执行 ${action}` }, { status: from });
  const answering = action !== 'route';
  const [updated] = await tx
    .update(demands)
    .set({ status: rule.to, ...stamp, ...(answering ? { answeredAt: new Date() } : {}) })
    .where(eq(demands.id, demand.id))
    .returning();
  const d = updated!;
  const { departmentPartyId: _routedTo, ...details } = stamp;
  await appendAudit(tx, caller.audit, {
    action: rule.audit,
    subject: { type: 'public_data_demand', id: demand.id },
    payload: { from, to: rule.to, departmentPartyId: d.departmentPartyId, ...details },
    parties: [d.demanderPartyId, d.departmentPartyId],
  });
  return d;
}

const invalid = (path: string, message: Localized) => new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });

async function requireDepartment(db: Database, partyId: string, path: string): Promise<void> {
  if ((await partyKind(db, partyId)) !== 'public_body') throw invalid(path, { en: 'not a government department (a public body)', zh: '不是政务部门（公共机构）' });
}

export interface DemandInput {
  wantedData: string;
  intendedUse: string;
  departmentPartyId?: string | undefined;
}

/** Shanghai Art. 10: a verified party proposes data to open, to a department or for the bureau to route. */
export async function raiseDemand(db: Database, caller: Caller, input: DemandInput): Promise<Demand> {
  const party = await requireVerifiedParty(db, caller.actor.partyId);
  if (input.departmentPartyId) await requireDepartment(db, input.departmentPartyId, '/body/departmentPartyId');
  return db.transaction(async (tx) => {
    const receivedAt = new Date();
    const year = Number(isoDateOf(shanghaiDayNumber(receivedAt)).slice(0, 4));
    const departmentPartyId = input.departmentPartyId ?? null;
    const [row] = await tx
      .insert(demands)
      .values({ demanderPartyId: party.id, demanderUserId: caller.actor.userId, wantedData: input.wantedData, intendedUse: input.intendedUse, departmentPartyId, status: departmentPartyId ? 'open' : 'unrouted', year, receivedAt })
      .returning();
    await appendAudit(tx, caller.audit, { action: 'public_data.demand_raised', subject: { type: 'public_data_demand', id: row!.id }, payload: { departmentPartyId, year } });
    return row!;
  });
}

/** A demand for the party that raised it, the department it is addressed to and the bureau; else 404. */
export async function findDemandFor(db: Database, caller: Caller, id: string, opts: { department?: boolean; lock?: boolean } = {}): Promise<Demand> {
  const query = db.select().from(demands).where(eq(demands.id, id));
  const [demand] = opts.lock ? await query.for('update') : await query;
  if (!demand) throw notFound({ en: 'demand', zh: '开放需求' });
  const party = caller.actor.partyId;
  const department = party !== null && party === demand.departmentPartyId;
  const visible = opts.department ? department : department || isBureau(caller) || (party !== null && party === demand.demanderPartyId);
  if (!visible) throw notFound({ en: 'demand', zh: '开放需求' });
  return demand;
}

/** The bureau addresses a demand to a department (again, while it is unanswered). */
export async function routeDemand(db: Database, caller: Caller, id: string, departmentPartyId: string): Promise<Demand> {
  await requireDepartment(db, departmentPartyId, '/body/departmentPartyId');
  return db.transaction(async (tx) => transition(tx, caller, 'route', await findDemandFor(tx, caller, id, { lock: true }), { departmentPartyId }));
}

export interface DemandAnswer {
  answer: 'already_open' | 'planned' | 'refused';
  entryId?: string | undefined;
  plannedOn?: string | undefined;
  reasons?: string | undefined;
}

/**
 * The department answers: already open (naming the published entry), planned (with the date), or
 * refused with reasons. Concurrent answers queue on the demand's row; the second finds it answered.
 */
export async function answerDemand(db: Database, caller: Caller, id: string, input: DemandAnswer): Promise<Demand> {
  const reasons = input.reasons?.trim() ?? '';
  return db.transaction(async (tx) => {
    // Whose demand first: another department's does not exist for the caller, whatever it sends.
    const demand = await findDemandFor(tx, caller, id, { department: true, lock: true });
    if (input.answer === 'already_open' && !input.entryId) throw invalid('/body/entryId', { en: 'name the published entry that holds the data', zh: '请指明持有该数据的已发布目录' });
    if (input.answer === 'planned' && !input.plannedOn) throw invalid('/body/plannedOn', { en: 'give the date the data is planned to open', zh: '请给出该数据计划开放的日期' });
    if (input.answer === 'refused' && !reasons) throw new AppError('validation-failed', { en: `${shanghai10.ref}: give the reasons for the refusal`, zh: `${chineseReference(shanghai10.ref)}：请说明不予开放的理由` }, { article: shanghai10, errors: [{ path: '/body/reasons', message: 'required to refuse' }] });
    if (input.answer === 'already_open') {
      const [entry] = await tx.select({ publishedAt: entries.publishedAt }).from(entries).where(eq(entries.id, input.entryId!));
      if (!entry?.publishedAt) throw invalid('/body/entryId', { en: 'not a published entry of the open list', zh: '不是开放清单中已发布的目录' });
      return transition(tx, caller, 'already_open', demand, { entryId: input.entryId! });
    }
    if (input.answer === 'planned') return transition(tx, caller, 'planned', demand, { plannedOn: input.plannedOn!, ...(reasons ? { reasons } : {}) });
    return transition(tx, caller, 'refused', demand, { reasons });
  });
}

/** The bureau every demand (by department, status, year); a party those it raised and, for a department, those addressed to it. */
export async function listDemands(
  db: Database,
  caller: Caller,
  q: { departmentPartyId?: string | undefined; status?: DemandStatus | undefined; year?: number | undefined; after?: { receivedAt: string; id: string } | undefined; limit: number },
) {
  const party = caller.actor.partyId;
  let scope: SQL | undefined;
  if (isBureau(caller)) scope = q.departmentPartyId ? eq(demands.departmentPartyId, q.departmentPartyId) : undefined;
  else if (!party) return [];
  else scope = or(eq(demands.departmentPartyId, party), eq(demands.demanderPartyId, party));
  return db
    .select()
    .from(demands)
    .where(
      and(
        scope,
        q.status ? eq(demands.status, q.status) : undefined,
        q.year ? eq(demands.year, q.year) : undefined,
        q.after ? sql`(${demands.receivedAt}, ${demands.id}) < (${q.after.receivedAt}::timestamptz, ${q.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(demands.receivedAt), desc(demands.id))
    .limit(q.limit);
}

/** A demand as its readers see it: the demander as its party, never its person. */
export const demandView = (d: Demand) => ({
  id: d.id,
  demanderPartyId: d.demanderPartyId,
  wantedData: d.wantedData,
  intendedUse: d.intendedUse,
  departmentPartyId: d.departmentPartyId,
  status: d.status,
  year: d.year,
  entryId: d.entryId,
  plannedOn: d.plannedOn,
  reasons: d.reasons,
  receivedAt: d.receivedAt.toISOString(),
  answeredAt: d.answeredAt?.toISOString() ?? null,
});
