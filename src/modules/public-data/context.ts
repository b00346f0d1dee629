import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import type { BlobStore } from '../../lib/storage.js';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import type { AuditActor } from '../audit/events.js';
import { partyKind } from '../identity/service.js';

export interface PublicDataContext {
  db: Database;
  blobs: BlobStore;
  config: Pick<Config, 'catalogDatasetMaxBytes'>;
}

/** The caller: roles and party for authorisation, the audit view for records. */
export interface Caller {
  actor: Actor;
  audit: AuditActor;
}

export const callerOf = (request: FastifyRequest): Caller => ({ actor: actorOf(request), audit: auditActorOf(request) });

/** The bureau supervises the catalogue: it reads every entry, drafts included, and reviews them. */
export const isBureau = (caller: Caller) => caller.actor.roles.includes('bureau');

/**
 * The department the caller acts for: a party of kind `public_body` (identity's model of a
 * government department), chosen with X-Party-Id. Entries belong to it, not to the user.
 */
export async function actingDepartment(db: Database, caller: Caller): Promise<string> {
  const partyId = caller.actor.partyId;
  if (!partyId) throw new AppError('party-required', { en: 'act for your department: send its id in the X-Party-Id header', zh: '请以您所在部门的身份操作：在 X-Party-Id 请求头中提供其 id' });
  if ((await partyKind(db, partyId)) !== 'public_body') {
    throw new AppError('department-required', { en: 'the party you act for is not a public body; only government departments keep the public-data catalogue', zh: '您所代表的主体不是公共机构；只有政务部门维护公共数据目录' });
  }
  return partyId;
}
