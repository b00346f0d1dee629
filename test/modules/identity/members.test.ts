import t from 'tap';
import { as, buildTestApp, expectProblem, signUp } from '../../helpers/app.js';
import { registerParty, samplePdf } from '../../helpers/identity.js';

t.test('a member of party A can neither read nor change party B', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app, ['provider'], 'alice');
  const bob = await signUp(app, ['provider'], 'bob');
  const operator = await signUp(app, ['operator']);
  await registerParty(app, alice, 'company');
  const b = await registerParty(app, bob, 'company');
  const upload = await as(app, bob, { method: 'POST', url: `/parties/${b.id}/documents?kind=business_licence`, headers: { 'content-type': 'application/pdf' }, payload: samplePdf() });
  const documentId = upload.json().id;

  const attempts = [
    { method: 'GET', url: `/parties/${b.id}` },
    { method: 'PATCH', url: `/parties/${b.id}`, payload: { legalName: 'taken over' } },
    { method: 'GET', url: `/parties/${b.id}/members` },
    { method: 'GET', url: `/parties/${b.id}/documents/${documentId}` },
    { method: 'POST', url: `/parties/${b.id}/submission` },
    { method: 'POST', url: `/parties/${b.id}/invitations`, payload: { email: alice.email } },
    { method: 'DELETE', url: `/parties/${b.id}/members/${bob.id}` },
  ] as const;
  for (const attempt of attempts) {
    expectProblem(t, await as(app, alice, { ...attempt }), 404, 'not-found');
  }
  const upload404 = await as(app, alice, { method: 'POST', url: `/parties/${b.id}/documents?kind=other`, headers: { 'content-type': 'application/pdf' }, payload: samplePdf() });
  expectProblem(t, upload404, 404, 'not-found');

  const forged = expectProblem(t, await as(app, alice, { method: 'GET', url: '/me', headers: { 'x-party-id': b.id } }), 403, 'forbidden');
  t.match(forged.detail, /not a member/);
  expectProblem(t, await as(app, alice, { method: 'GET', url: '/me', headers: { 'x-party-id': 'not-a-uuid' } }), 400, 'validation-failed');

  t.equal((await as(app, bob, { method: 'GET', url: `/parties/${b.id}` })).json().legalName, b.legalName, 'unchanged');
  t.equal((await as(app, operator, { method: 'GET', url: `/parties/${b.id}` })).statusCode, 200, 'operators see every party');
  t.equal((await as(app, operator, { method: 'GET', url: `/parties/${b.id}/documents/${documentId}` })).statusCode, 200, 'and its documents, to review them');
  expectProblem(t, await as(app, alice, { method: 'GET', url: '/parties' }), 403, 'forbidden');
});

t.test('an admin invites a member; a user in two parties says which one it acts for', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app, ['provider'], 'alice');
  const bob = await signUp(app, ['buyer'], 'bob');
  const carol = await signUp(app, ['buyer'], 'carol');
  const a = await registerParty(app, alice, 'company');
  const b = await registerParty(app, bob, 'person');

  const invite = await as(app, alice, { method: 'POST', url: `/parties/${a.id}/invitations`, payload: { email: bob.email.toUpperCase() } });
  t.equal(invite.statusCode, 201);
  t.match(invite.json(), { partyId: a.id, email: bob.email, role: 'member' });
  const invitationId = invite.json().id;

  t.same((await as(app, carol, { method: 'GET', url: '/me/party-invitations' })).json().items, [], 'others do not see it');
  expectProblem(t, await as(app, carol, { method: 'POST', url: `/party-invitations/${invitationId}/acceptance` }), 404, 'not-found');
  const open = (await as(app, bob, { method: 'GET', url: '/me/party-invitations' })).json();
  t.same(open.items.map((i: { id: string }) => i.id), [invitationId]);
  const accepted = await as(app, bob, { method: 'POST', url: `/party-invitations/${invitationId}/acceptance` });
  t.equal(accepted.statusCode, 201);
  t.match(accepted.json(), { userId: bob.id, role: 'member' });
  expectProblem(t, await as(app, bob, { method: 'POST', url: `/party-invitations/${invitationId}/acceptance` }), 409, 'invalid-state');

  const mine = (await as(app, bob, { method: 'GET', url: '/me/parties' })).json();
  t.same(mine.items.map((p: { id: string; memberRole: string }) => [p.id, p.memberRole]).sort(), [[a.id, 'member'], [b.id, 'admin']].sort());
  const paged = (await as(app, bob, { method: 'GET', url: '/me/parties?limit=1' })).json();
  t.equal(paged.items.length, 1);
  const rest = (await as(app, bob, { method: 'GET', url: `/me/parties?limit=1&cursor=${paged.next}` })).json();
  t.equal(rest.items.length, 1);
  t.not(rest.items[0].id, paged.items[0].id, 'the cursor moves on');
  t.equal(rest.next, null);

  // Two memberships: without the header there is no acting party.
  expectProblem(t, await as(app, bob, { method: 'GET', url: '/me/acting-party' }), 403, 'party-required');
  const forA = expectProblem(t, await as(app, bob, { method: 'GET', url: '/me/acting-party', headers: { 'x-party-id': a.id } }), 403, 'party-not-verified');
  t.match(forA, { verificationStatus: 'unverified', partyId: a.id });

  expectProblem(t, await as(app, bob, { method: 'PATCH', url: `/parties/${a.id}`, payload: { legalName: 'by a member' } }), 403, 'forbidden');
  expectProblem(t, await as(app, bob, { method: 'POST', url: `/parties/${a.id}/invitations`, payload: { email: carol.email } }), 403, 'forbidden');
  const members = (await as(app, bob, { method: 'GET', url: `/parties/${a.id}/members` })).json();
  t.same(members.items.map((m: { userId: string }) => m.userId).sort(), [alice.id, bob.id].sort());

  expectProblem(t, await as(app, alice, { method: 'DELETE', url: `/parties/${a.id}/members/${alice.id}` }), 409, 'invalid-state');
  t.equal((await as(app, alice, { method: 'DELETE', url: `/parties/${a.id}/members/${bob.id}` })).statusCode, 204);
  expectProblem(t, await as(app, bob, { method: 'GET', url: `/parties/${a.id}` }), 404, 'not-found');
  expectProblem(t, await as(app, bob, { method: 'GET', url: '/me', headers: { 'x-party-id': a.id } }), 403, 'forbidden');
  const single = expectProblem(t, await as(app, bob, { method: 'GET', url: '/me/acting-party' }), 403, 'party-not-verified');
  t.match(single, { partyId: b.id }, 'one membership left: it is used without a header');

  const operator = await signUp(app, ['operator']);
  const all = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${a.id}&order=asc` })).json();
  t.same(all.items.map((e: { action: string }) => e.action), ['party.registered', 'party.member_invited', 'party.member_joined', 'party.member_removed']);
});

t.test('admins see and revoke open invitations, and promote or demote members', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app, ['provider'], 'alice');
  const bob = await signUp(app, ['provider'], 'bob');
  const carol = await signUp(app, ['provider'], 'carol');
  const a = await registerParty(app, alice, 'company');

  const toBob = (await as(app, alice, { method: 'POST', url: `/parties/${a.id}/invitations`, payload: { email: bob.email } })).json();
  const toWrong = (await as(app, alice, { method: 'POST', url: `/parties/${a.id}/invitations`, payload: { email: 'typo@example.cn', role: 'admin' } })).json();
  const sent = (await as(app, alice, { method: 'GET', url: `/parties/${a.id}/invitations` })).json();
  t.same(sent.items.map((i: { id: string }) => i.id).sort(), [toBob.id, toWrong.id].sort());
  expectProblem(t, await as(app, carol, { method: 'GET', url: `/parties/${a.id}/invitations` }), 404, 'not-found');
  expectProblem(t, await as(app, carol, { method: 'DELETE', url: `/parties/${a.id}/invitations/${toWrong.id}` }), 404, 'not-found');

  t.equal((await as(app, alice, { method: 'DELETE', url: `/parties/${a.id}/invitations/${toWrong.id}` })).statusCode, 204);
  expectProblem(t, await as(app, alice, { method: 'DELETE', url: `/parties/${a.id}/invitations/${toWrong.id}` }), 404, 'not-found');
  t.equal((await as(app, bob, { method: 'POST', url: `/party-invitations/${toBob.id}/acceptance` })).statusCode, 201);
  expectProblem(t, await as(app, alice, { method: 'DELETE', url: `/parties/${a.id}/invitations/${toBob.id}` }), 409, 'invalid-state');

  // Bob, a member, cannot promote himself; Alice promotes him, then steps down herself.
  expectProblem(t, await as(app, bob, { method: 'PATCH', url: `/parties/${a.id}/members/${bob.id}`, payload: { role: 'admin' } }), 403, 'forbidden');
  t.match((await as(app, alice, { method: 'PATCH', url: `/parties/${a.id}/members/${bob.id}`, payload: { role: 'admin' } })).json(), { userId: bob.id, role: 'admin' });
  t.equal((await as(app, alice, { method: 'PATCH', url: `/parties/${a.id}/members/${alice.id}`, payload: { role: 'member' } })).statusCode, 200);
  expectProblem(t, await as(app, bob, { method: 'PATCH', url: `/parties/${a.id}/members/${bob.id}`, payload: { role: 'member' } }), 409, 'invalid-state');
  expectProblem(t, await as(app, bob, { method: 'PATCH', url: `/parties/${a.id}/members/${carol.id}`, payload: { role: 'admin' } }), 404, 'not-found');
  expectProblem(t, await as(app, bob, { method: 'PATCH', url: `/parties/${a.id}/members/${alice.id}`, payload: { role: 'owner' } }), 400, 'validation-failed');

  const operator = await signUp(app, ['operator']);
  const events = (await as(app, operator, { method: 'GET', url: `/audit/events?subjectId=${a.id}&action=party.*&order=asc` })).json();
  t.match(
    events.items.filter((e: { action: string }) => ['party.invitation_revoked', 'party.member_role_changed'].includes(e.action)),
    [
      { action: 'party.invitation_revoked', actor: { userId: alice.id }, payload: { invitationId: toWrong.id, role: 'admin' } },
      { action: 'party.member_role_changed', payload: { userId: bob.id, from: 'member', to: 'admin' } },
      { action: 'party.member_role_changed', payload: { userId: alice.id, from: 'admin', to: 'member' } },
    ],
  );
});
