import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Page, PageQuery, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import { actorOf, auditActorOf, type Actor } from '../../plugins/auth.js';
import {
  acceptInvitation, changeMemberRole, inviteMember, listMembers, listMyInvitations, listPartyInvitations, removeMember, revokeInvitation, type Invitation,
} from './members.js';
import { InvitationParams, InvitationView, InviteBody, MemberParams, MemberRoleBody, MemberView } from './schema.js';

const toInvitationView = (i: Invitation) => ({ id: i.id, partyId: i.partyId, email: i.email, role: i.role, expiresAt: i.expiresAt.toISOString() });

/** Members of a party: the list, invitations by e-mail, leaving and removal. */
export const memberRoutes: FastifyPluginAsyncTypebox<{ assertCanReadParty: (actor: Actor, partyId: string) => Promise<void> }> = async (app, { assertCanReadParty }) => {
  app.get('/parties/:id/members', {
    config: { auth: 'authenticated', access: { resource: 'party', staff: ['operator'] } },
    schema: {
      tags: ['identity'],
      summary: "A party's members",
      params: IdParams,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: Page(MemberView), ...problemResponses(400, 404) },
    },
  }, async (request) => {
    await assertCanReadParty(actorOf(request), request.params.id);
    const { limit, cursor } = request.query;
    const rows = await listMembers(app.db, request.params.id, { afterUserId: decodeCursor(cursor, Uuid), limit: limit + 1 });
    return pageOf(rows, limit, (m) => ({ userId: m.userId, role: m.role, joinedAt: m.createdAt.toISOString() }), (m) => m.userId);
  });

  app.post('/parties/:id/invitations', {
    config: { auth: 'authenticated', access: { resource: 'party' }, whileSuspended: 'own-people' },
    schema: {
      tags: ['identity'],
      summary: 'Invite someone by e-mail to join the party (admins)',
      params: IdParams,
      body: InviteBody,
      response: { 201: InvitationView, ...problemResponses(400, 404) },
    },
  }, async (request, reply) => {
    const invitation = await inviteMember(app.db, auditActorOf(request), actorOf(request).userId, request.params.id, request.body.email, request.body.role);
    return reply.code(201).send(toInvitationView(invitation));
  });

  app.get('/parties/:id/invitations', {
    config: { auth: 'authenticated', access: { resource: 'party' } },
    schema: {
      tags: ['identity'],
      summary: 'Open invitations the party has sent (admins)',
      params: IdParams,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: Page(InvitationView), ...problemResponses(400, 404) },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const afterId = decodeCursor(cursor, Uuid);
    const rows = await listPartyInvitations(app.db, actorOf(request).userId, request.params.id, { afterId, limit: limit + 1 });
    return pageOf(rows, limit, toInvitationView, (i) => i.id);
  });

  app.delete('/parties/:id/invitations/:invitationId', {
    config: { auth: 'authenticated', access: { resource: 'party' }, whileSuspended: 'own-people' },
    schema: {
      tags: ['identity'],
      summary: 'Revoke an invitation that has not been accepted (admins)',
      params: InvitationParams,
      response: { 204: Type.Null(), ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    await revokeInvitation(app.db, auditActorOf(request), actorOf(request).userId, request.params.id, request.params.invitationId);
    return reply.code(204).send(null);
  });

  app.patch('/parties/:id/members/:userId', {
    config: { auth: 'authenticated', access: { resource: 'party' }, whileSuspended: 'own-people' },
    schema: {
      tags: ['identity'],
      summary: "Change a member's role (admins); the last admin stays an admin",
      params: MemberParams,
      body: MemberRoleBody,
      response: { 200: MemberView, ...problemResponses(400, 404, 409) },
    },
  }, async (request) => {
    const m = await changeMemberRole(app.db, auditActorOf(request), actorOf(request).userId, request.params.id, request.params.userId, request.body.role);
    return { userId: m.userId, role: m.role, joinedAt: m.createdAt.toISOString() };
  });

  app.get('/me/party-invitations', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags: ['identity'],
      summary: 'Open invitations to your e-mail address',
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: Page(InvitationView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const rows = await listMyInvitations(app.db, actorOf(request).userId, { afterId: decodeCursor(cursor, Uuid), limit: limit + 1 });
    return pageOf(rows, limit, toInvitationView, (i) => i.id);
  });

  app.post('/party-invitations/:id/acceptance', {
    config: { auth: 'authenticated', access: { resource: 'invitation' }, whileSuspended: 'own-account' },
    schema: {
      tags: ['identity'],
      summary: 'Accept an invitation addressed to your e-mail',
      params: IdParams,
      response: { 201: MemberView, ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    const m = await acceptInvitation(app.db, auditActorOf(request), actorOf(request).userId, request.params.id);
    return reply.code(201).send({ userId: m.userId, role: m.role, joinedAt: m.createdAt.toISOString() });
  });

  app.delete('/parties/:id/members/:userId', {
    config: { auth: 'authenticated', access: { resource: 'party' }, whileSuspended: 'own-people' },
    schema: {
      tags: ['identity'],
      summary: 'Remove a member (admins), or leave the party yourself',
      params: MemberParams,
      response: { 204: Type.Null(), ...problemResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    await removeMember(app.db, auditActorOf(request), actorOf(request).userId, request.params.id, request.params.userId);
    return reply.code(204).send(null);
  });
};
