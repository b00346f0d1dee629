import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import { AppError, type Localized } from '../../lib/errors.js';
import type { BlobStore } from '../../lib/storage.js';
import type { FastifyRequest } from 'fastify';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import type { AuditActor } from '../audit/events.js';

export interface CatalogContext {
  db: Database;
  blobs: BlobStore;
  config: Pick<Config, 'catalogDatasetMaxBytes' | 'catalogDocumentMaxBytes'>;
}

/** The caller as the catalog needs it: roles and party for authorisation, the audit view for records. */
export interface Caller {
  actor: Actor;
  audit: AuditActor;
}

export const callerOf = (request: FastifyRequest): Caller => ({ actor: actorOf(request), audit: auditActorOf(request) });

/** The party a provider acts for; listings, documents and versions belong to it, not to the user. */
export function actingParty(caller: Caller): string {
  if (!caller.actor.partyId) throw new AppError('party-required', { en: 'this needs the party you act for; send its id in the X-Party-Id header', zh: '此操作须以您所代表的主体进行，请在 X-Party-Id 请求头中提供其 id' });
  return caller.actor.partyId;
}

export const isOperator = (caller: Caller) => caller.actor.roles.includes('operator');

export function invalidInput(path: string, message: Localized): AppError {
  return new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });
}
