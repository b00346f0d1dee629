import type { FastifyRequest } from 'fastify';
import type { Database } from '../../lib/database.js';
import { AppError, type Localized } from '../../lib/errors.js';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import type { AuditActor } from '../audit/events.js';
import { requireVerifiedParty } from '../identity/service.js';
import type { PlaceOrderInput, ProcurementOrderOptions } from '../trading/orders.js';
import type { Caller as TradingCaller } from '../trading/context.js';
import type { Order } from '../trading/state-machine.js';

/** What procurement's use cases need: the database, and trading's way to order as buyer of record. */
export interface ProcurementContext {
  db: Database;
  placeOrder(caller: TradingCaller, input: PlaceOrderInput, procurement: ProcurementOrderOptions): Promise<Order>;
}

export interface Caller {
  actor: Actor;
  audit: AuditActor;
}

export const callerOf = (request: FastifyRequest): Caller => ({ actor: actorOf(request), audit: auditActorOf(request) });

export const hasRole = (caller: Caller, role: Actor['role']) => caller.actor.roles.includes(role);

export function invalidInput(path: string, message: Localized): AppError {
  return new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });
}

/**
 * The public body the caller acts for (X-Party-Id), verified and unsuspended: a department filing a
 * need, or the bureau buying as buyer of record. Identity models both as parties of kind `public_body`.
 */
export async function actingPublicBody(db: Database, caller: Caller, who: 'department' | 'bureau'): Promise<string> {
  const party = await requireVerifiedParty(db, caller.actor.partyId);
  if (party.kind !== 'public_body') {
    throw new AppError('department-required', { en: `the party you act for is not a public body; ${who === 'bureau' ? 'the bureau buys centrally for its own public body' : 'only government departments file purchase needs'}`, zh: `您所代表的主体不是公共机构；${who === 'bureau' ? '大数据发展局为本公共机构集中采购' : '只有政务部门提交采购需求'}` });
  }
  return party.id;
}
