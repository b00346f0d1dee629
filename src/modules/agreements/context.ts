import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError, type Localized } from '../../lib/errors.js';
import type { BlobStore } from '../../lib/storage.js';
import type { Viewer } from '../../lib/viewer.js';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import type { AuditActor } from '../audit/events.js';
import type { OrderAgreementEvents } from '../trading/ports.js';
import type { AgreementFont } from './font.js';
import type { Seal } from './seal.js';

/** What the agreements use cases need besides the database: built once per app by createAgreements. */
export interface AgreementsContext {
  config: Pick<Config, 'agreementDisposalDays' | 'agreementSweepIntervalMs' | 'publicBaseUrl'>;
  /** Trading's side: told, in the sealing transaction, that an order's agreement is signed. */
  events: OrderAgreementEvents;
  blobs: BlobStore;
  /** The CJK font, parsed once. */
  font: AgreementFont;
  seal: Seal;
}

export interface Caller {
  actor: Actor;
  audit: AuditActor;
}

export const callerOf = (request: FastifyRequest): Caller => ({ actor: actorOf(request), audit: auditActorOf(request) });

export const isStaff = (caller: Caller) => caller.actor.role === 'operator' || caller.actor.role === 'bureau';

/** The reader of an agreement: its party sees its own signers; staff see everyone's. */
export const viewerOfCaller = (caller: Caller): Viewer => ({ partyId: caller.actor.partyId, staff: isStaff(caller) });

export function invalidInput(path: string, message: Localized): AppError {
  return new AppError('validation-failed', message, { errors: [{ path, message: message.en }] });
}
