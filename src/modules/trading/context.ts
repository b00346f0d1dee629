import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import { AppError, type Localized } from '../../lib/errors.js';
import type { BlobStore } from '../../lib/storage.js';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import type { AuditActor } from '../audit/events.js';
import type { AgreementsPort, ProcurementOrderEvents, SettlementPort } from './ports.js';

export type TradingConfig = Pick<
  Config,
  'orderResponseHours' | 'agreementSigningHours' | 'acceptanceWindowDays' | 'feeBasisPoints' | 'feeMinimumMinor' | 'downloadGrantDays' | 'downloadGrantMaxDownloads'
>;

/** What trading's use cases need: the database, its settings, storage, and the two ports. */
export interface TradingContext {
  db: Database;
  config: TradingConfig;
  blobs: BlobStore;
  settlement: SettlementPort;
  agreements: AgreementsPort;
  /** Told when an order of a central procurement is accepted; absent in apps without procurement. */
  procurement?: ProcurementOrderEvents | undefined;
}

/** The caller: roles and party for authorisation, the audit view for records. */
export interface Caller {
  actor: Actor;
  audit: AuditActor;
}

export const callerOf = (request: FastifyRequest): Caller => ({ actor: actorOf(request), audit: auditActorOf(request) });

export const isOperator = (caller: Caller) => caller.actor.roles.includes('operator');

export function actingParty(caller: Caller): string {
  if (!caller.actor.partyId) throw new AppError('party-required', { en: 'this needs the party you act for; send its id in the X-Party-Id header', zh: '此操作须以您所代表的主体进行，请在 X-Party-Id 请求头中提供其 id' });
  return caller.actor.partyId;
}

export function invalidInput(path: string, message: Localized): AppError {
  return new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });
}

export const addHours = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000);
export const addDays = (at: Date, days: number) => addHours(at, days * 24);
