import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { preparedQuery, type Database } from '../../lib/database.js';
import { AppError, conflict, invalidState, notFound } from '../../lib/errors.js';
import { getUser } from '../accounts/service.js';
import type { AuditActor } from '../audit/events.js';
import { appendAudit } from '../audit/service.js';
import { partyInvitations, partyMembers, type MemberRole } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'party.member_invited': { invitationId: string; role: MemberRole };
    'party.member_joined': { userId: string; role: MemberRole; invitationId: string };
    'party.member_removed': { userId: string; role: MemberRole; self: boolean };
    'party.member_role_changed': { userId: string; from: MemberRole; to: MemberRole };
    'party.invitation_revoked': { invitationId: string; role: MemberRole };
  }
}

export type Membership = typeof partyMembers.$inferSelect;
export type Invitation = typeof partyInvitations.$inferSelect;

const INVITATION_DAYS = 14;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findMembership(db: Database, partyId: string, userId: string): Promise<Membership | undefined> {
  const [membership] = await db.select().from(partyMembers).where(and(eq(partyMembers.partyId, partyId), eq(partyMembers.userId, userId)));
  return membership;
}

/**
 * A user's relation to a party it names: none is 404 (the party's existence is not revealed),
 * a member where an admin is needed is 403.
 */
export async function requirePartyRole(db: Database, partyId: string, userId: string, role: MemberRole | 'any'): Promise<Membership> {
  const membership = await findMembership(db, partyId, userId);
  if (!membership) throw notFound({ en: 'party', zh: '主体' });
  if (role === 'admin' && membership.role !== 'admin') throw new AppError('forbidden', { en: 'only an admin of the party can do this', zh: '只有该主体的管理员才能进行此操作' });
  return membership;
}

/** The parties a user belongs to, with its role in each: what authorisation reads on every request. */
export type MembershipList = { partyId: string; role: MemberRole }[];

const membershipsByUser = preparedQuery((db) =>
  db.select({ partyId: partyMembers.partyId, role: partyMembers.role }).from(partyMembers).where(eq(partyMembers.userId, sql.placeholder('userId'))).prepare('memberships_by_user'),
);

export function listMemberships(db: Database, userId: string): Promise<MembershipList> {
  return membershipsByUser(db).execute({ userId });
}

/**
 * The party a request acts for: the `X-Party-Id` header, which must name a party the user belongs
 * to, or the user's only party when it has exactly one. Otherwise none.
 */
export function resolveActingParty(memberships: MembershipList, header: string | string[] | undefined): string | null {
  if (header !== undefined) {
    if (typeof header !== 'string' || !UUID.test(header)) {
      throw new AppError('validation-failed', { en: 'X-Party-Id must be one party id', zh: 'X-Party-Id 须为一个主体 id' }, { errors: [{ path: '/headers/x-party-id', message: 'must be a UUID' }] });
    }
    const partyId = header.toLowerCase();
    if (!memberships.some((m) => m.partyId === partyId)) throw new AppError('forbidden', { en: 'you are not a member of the party named in X-Party-Id', zh: '您不是 X-Party-Id 所指主体的成员' });
    return partyId;
  }
  return memberships.length === 1 ? memberships[0]!.partyId : null;
}

export async function listMembers(db: Database, partyId: string, q: { afterUserId?: string | undefined; limit: number }): Promise<Membership[]> {
  return db
    .select()
    .from(partyMembers)
    .where(and(eq(partyMembers.partyId, partyId), q.afterUserId ? gt(partyMembers.userId, q.afterUserId) : undefined))
    .orderBy(asc(partyMembers.userId))
    .limit(q.limit);
}

/** An admin invites someone by e-mail; whether that address has an account is not revealed. */
export async function inviteMember(db: Database, actor: AuditActor, userId: string, partyId: string, email: string, role: MemberRole): Promise<Invitation> {
  await requirePartyRole(db, partyId, userId, 'admin');
  return db.transaction(async (tx) => {
    const [invitation] = await tx
      .insert(partyInvitations)
      .values({ partyId, email: email.trim().toLowerCase(), role, invitedBy: userId, createdAt: new Date(), expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000) })
      .returning();
    await appendAudit(tx, actor, { action: 'party.member_invited', subject: { type: 'party', id: partyId }, payload: { invitationId: invitation!.id, role } });
    return invitation!;
  });
}

/** Open invitations addressed to the signed-in user's e-mail. */
export async function listMyInvitations(db: Database, userId: string, q: { afterId?: string | undefined; limit: number }): Promise<Invitation[]> {
  const user = await getUser(db, userId);
  return db
    .select()
    .from(partyInvitations)
    .where(and(eq(partyInvitations.email, user.email), isNull(partyInvitations.acceptedAt), gt(partyInvitations.expiresAt, sql`now()`), q.afterId ? gt(partyInvitations.id, q.afterId) : undefined))
    .orderBy(asc(partyInvitations.id))
    .limit(q.limit);
}

export async function acceptInvitation(db: Database, actor: AuditActor, userId: string, invitationId: string): Promise<Membership> {
  const user = await getUser(db, userId);
  return db.transaction(async (tx) => {
    const [invitation] = await tx.select().from(partyInvitations).where(eq(partyInvitations.id, invitationId)).for('update');
    if (!invitation || invitation.email !== user.email) throw notFound({ en: 'invitation', zh: '邀请' });
    if (invitation.acceptedAt) throw invalidState({ en: 'the invitation was already accepted', zh: '该邀请已被接受' });
    if (invitation.expiresAt <= new Date()) throw invalidState({ en: 'the invitation has expired; ask for a new one', zh: '该邀请已过期，请重新申请邀请' });
    const [membership] = await tx
      .insert(partyMembers)
      .values({ partyId: invitation.partyId, userId, role: invitation.role })
      .onConflictDoNothing()
      .returning();
    if (!membership) throw conflict({ en: 'you are already a member of this party', zh: '您已是该主体的成员' });
    await tx.update(partyInvitations).set({ acceptedAt: new Date() }).where(eq(partyInvitations.id, invitationId));
    await appendAudit(tx, { ...actor, partyId: invitation.partyId }, {
      action: 'party.member_joined',
      subject: { type: 'party', id: invitation.partyId },
      payload: { userId, role: invitation.role, invitationId },
    });
    return membership;
  });
}

/** Open invitations a party has sent, for its admins. */
export async function listPartyInvitations(db: Database, userId: string, partyId: string, q: { afterId?: string | undefined; limit: number }): Promise<Invitation[]> {
  await requirePartyRole(db, partyId, userId, 'admin');
  return db
    .select()
    .from(partyInvitations)
    .where(and(eq(partyInvitations.partyId, partyId), isNull(partyInvitations.acceptedAt), gt(partyInvitations.expiresAt, sql`now()`), q.afterId ? gt(partyInvitations.id, q.afterId) : undefined))
    .orderBy(asc(partyInvitations.id))
    .limit(q.limit);
}

/**
 * An admin takes back an invitation not yet accepted (sent to the wrong address, say). The row goes;
 * the audit chain keeps that it was sent and revoked.
 */
export async function revokeInvitation(db: Database, actor: AuditActor, userId: string, partyId: string, invitationId: string): Promise<void> {
  await requirePartyRole(db, partyId, userId, 'admin');
  await db.transaction(async (tx) => {
    const [invitation] = await tx
      .select()
      .from(partyInvitations)
      .where(and(eq(partyInvitations.id, invitationId), eq(partyInvitations.partyId, partyId)))
      .for('update');
    if (!invitation) throw notFound({ en: 'invitation', zh: '邀请' });
    if (invitation.acceptedAt) throw invalidState({ en: 'the invitation was already accepted; remove the member instead', zh: '该邀请已被接受，请改为移除该成员' });
    await tx.delete(partyInvitations).where(eq(partyInvitations.id, invitationId));
    await appendAudit(tx, actor, { action: 'party.invitation_revoked', subject: { type: 'party', id: partyId }, payload: { invitationId, role: invitation.role } });
  });
}

/** An admin makes a member an admin or an admin a member; the last admin stays an admin. */
export async function changeMemberRole(db: Database, actor: AuditActor, userId: string, partyId: string, memberUserId: string, role: MemberRole): Promise<Membership> {
  await requirePartyRole(db, partyId, userId, 'admin');
  return db.transaction(async (tx) => {
    const members = await tx.select().from(partyMembers).where(eq(partyMembers.partyId, partyId)).for('update');
    const target = members.find((m) => m.userId === memberUserId);
    if (!target) throw notFound({ en: 'member', zh: '成员' });
    if (target.role === role) return target;
    assertAdminRemains(members, target);
    const [changed] = await tx
      .update(partyMembers)
      .set({ role })
      .where(and(eq(partyMembers.partyId, partyId), eq(partyMembers.userId, memberUserId)))
      .returning();
    await appendAudit(tx, actor, { action: 'party.member_role_changed', subject: { type: 'party', id: partyId }, payload: { userId: memberUserId, from: target.role, to: role } });
    return changed!;
  });
}

/** A party keeps at least one admin, or nobody could manage it any more. */
function assertAdminRemains(members: Membership[], leaving: Membership): void {
  if (leaving.role === 'admin' && members.filter((m) => m.role === 'admin').length === 1) {
    throw invalidState({ en: 'a party needs at least one admin; make another member admin first', zh: '主体至少须有一名管理员，请先将另一名成员设为管理员' });
  }
}

/** An admin removes a member, or a member leaves. The last admin cannot go: the party would be orphaned. */
export async function removeMember(db: Database, actor: AuditActor, userId: string, partyId: string, memberUserId: string): Promise<void> {
  const self = userId === memberUserId;
  await requirePartyRole(db, partyId, userId, self ? 'any' : 'admin');
  await db.transaction(async (tx) => {
    const members = await tx.select().from(partyMembers).where(eq(partyMembers.partyId, partyId)).for('update');
    const target = members.find((m) => m.userId === memberUserId);
    if (!target) throw notFound({ en: 'member', zh: '成员' });
    assertAdminRemains(members, target);
    await tx.delete(partyMembers).where(and(eq(partyMembers.partyId, partyId), eq(partyMembers.userId, memberUserId)));
    await appendAudit(tx, actor, { action: 'party.member_removed', subject: { type: 'party', id: partyId }, payload: { userId: memberUserId, role: target.role, self } });
  });
}
