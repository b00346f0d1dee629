import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/modules/accounts/tables.js';
import type { ResourceKind } from '../../src/plugins/auth.js';
import { as, signUp, type TestUser } from './app.js';
import { completeDraft, listedProduct, sampleListing } from './catalog.js';
import { createVerifiedParty, registerParty, type TestParty } from './identity.js';
import { demandFixture, objectionFixture, orderFixture as usageOrderFixture, outcomeFixture } from './public-data-world.js';
import { conditionalOpen, department as departmentUser, draftEntry, publishedEntry, uploadDataVersion } from './public-data.js';
import { bankRef, recordReceipt, statementCsv, uploadStatement } from './settlement.js';
import { paidOrder, placeOrder, sampleOrder, signAgreement, verifiedUser } from './trading.js';

/**
 * One world for the route-table-driven tests (authorisation matrix, fuzz), built through the API:
 * a persona per kind of caller, each with its own verified party where that makes sense, and a
 * second provider ("other", party B) whose resources are another party's for every persona. The
 * fixture factories below make, per resource kind, a resource that a given persona owns; a new
 * resource kind needs one more factory here and nothing else.
 */

export const personaNames = ['anonymous', 'buyer', 'provider', 'operator', 'department', 'bureau'] as const;
export type PersonaName = (typeof personaNames)[number];

export interface Persona {
  name: string;
  /** null: anonymous. */
  user: TestUser | null;
  /** The party the persona acts for (sent as X-Party-Id on every request); null when it has none. */
  party: TestParty | null;
}

export const rolesOf = (p: Persona): readonly Role[] => p.user?.roles ?? [];

/** The persona's user with its party in the headers, as the catalog helpers take a user. */
export function acting(p: Persona): TestUser {
  if (!p.user) throw new Error(`${p.name} has no account`);
  return p.party ? { ...p.user, auth: { ...p.user.auth, 'x-party-id': p.party.id } } : p.user;
}

export const headersOf = (p: Persona): Record<string, string> => (p.user ? acting(p).auth : {});

export interface World {
  app: FastifyInstance;
  personas: Record<PersonaName, Persona>;
  /** Provider B: owns "another party's" resources. */
  other: Persona;
  /** An operator who is no persona: it verifies parties and approves listings for the factories. */
  clerk: TestUser;
  /** A party whose admin invites personas (invitation fixtures), so no persona joins A or B. */
  inviter: Persona;
}

async function persona(app: FastifyInstance, clerk: TestUser, name: string, roles: Role[], withParty: boolean): Promise<Persona> {
  const user = await signUp(app, roles, name);
  // A department acts for a public body, as identity models government departments.
  return { name, user, party: withParty ? await createVerifiedParty(app, user, clerk, roles.includes('department') ? 'public_body' : 'company') : null };
}

export async function buildWorld(app: FastifyInstance): Promise<World> {
  const clerk = await signUp(app, ['operator'], 'clerk');
  const personas: Record<PersonaName, Persona> = {
    anonymous: { name: 'anonymous', user: null, party: null },
    buyer: await persona(app, clerk, 'buyer', ['buyer'], true),
    provider: await persona(app, clerk, 'provider', ['provider'], true),
    // Operators and the bureau are the exchange's and the regulator's staff: no party of their own.
    operator: await persona(app, clerk, 'operator', ['operator'], false),
    department: await persona(app, clerk, 'department', ['department'], true),
    bureau: await persona(app, clerk, 'bureau', ['bureau'], false),
  };
  const other = await persona(app, clerk, 'other-provider', ['provider'], true);
  const inviterUser = await signUp(app, ['buyer'], 'inviter');
  const inviter = { name: 'inviter', user: inviterUser, party: await registerParty(app, inviterUser) };
  return { app, personas, other, clerk, inviter };
}

/** A resource of one kind, as the path parameters that name it and what else the test must know. */
export interface Fixture {
  label: string;
  /** Values for path parameters by name: the resource's own (`id`) and the extra ones of its kind. */
  params: Record<string, string>;
  /** On sale: readable by anyone signed in, where the route says `onSale`. */
  onSale?: boolean;
  /** Who must call for the owner: a fresh stand-in for the persona (a user resource that changes). */
  caller?: Persona;
}

/**
 * Makes resources of one kind owned by `owner`: [] when the persona cannot own one. `fresh`: a new
 * one, for a request that may change it; otherwise the same ones each time.
 */
export type FixtureFactory = (world: World, owner: Persona, fresh: boolean) => Promise<Fixture[]>;

async function expectStatus(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body || 'null');
}

/** A verified party of `owner` with a document, an open invitation, a member who can be removed and a webhook endpoint. */
async function partyFixture(world: World, owner: Persona, fresh: boolean): Promise<Fixture[]> {
  if (!owner.user || !owner.party) return [];
  const { app, clerk } = world;
  const party = fresh ? await createVerifiedParty(app, owner.user, clerk) : owner.party;
  const admin = { ...owner.user, auth: { ...owner.user.auth, 'x-party-id': party.id } };
  const details = await expectStatus(await as(app, admin, { method: 'GET', url: `/parties/${party.id}` }), 200, 'read party');
  const invite = (email: string) => as(app, admin, { method: 'POST', url: `/parties/${party.id}/invitations`, payload: { email, role: 'member' } });
  const open = await expectStatus(await invite(`invitee-${party.id.slice(0, 8)}@example.cn`), 201, 'invite');
  const member = await signUp(app, ['buyer'], 'member');
  const joining = await expectStatus(await invite(member.email), 201, 'invite member');
  await expectStatus(await as(app, member, { method: 'POST', url: `/party-invitations/${joining.id}/acceptance` }), 201, 'accept invitation');
  // Nothing listens there: deliveries to it fail, which no route-table test waits for.
  const endpoint = await expectStatus(await as(app, admin, { method: 'POST', url: `/parties/${party.id}/webhook-endpoints`, payload: { url: 'http://127.0.0.1:9/hooks' } }), 201, 'add webhook endpoint');
  return [{ label: `${owner.name}'s party`, params: { id: party.id, documentId: details.documents[0].id, invitationId: open.id, userId: member.id, endpointId: endpoint.id } }];
}

/** A listing on sale and a draft of `owner`'s party (providers only). */
async function listingFixture(world: World, owner: Persona, fresh: boolean): Promise<Fixture[]> {
  if (!owner.party || !rolesOf(owner).includes('provider')) return [];
  const user = acting(owner);
  const listed = await listedProduct(world.app, user, world.clerk);
  const draft = fresh
    ? await expectStatus(await as(world.app, user, { method: 'POST', url: '/catalog/listings', payload: sampleListing() }), 201, 'draft')
    : await completeDraft(world.app, user);
  return [
    { label: `${owner.name}'s listing on sale`, params: { id: listed.id }, onSale: true },
    { label: `${owner.name}'s draft`, params: { id: draft.id }, onSale: false },
  ];
}

/** The user itself; a fresh stand-in with the same roles when the request may change it. */
async function userFixture(world: World, owner: Persona, fresh: boolean): Promise<Fixture[]> {
  if (!owner.user) return [];
  if (!fresh) return [{ label: `${owner.name} itself`, params: { id: owner.user.id } }];
  const standIn: Persona = { name: `${owner.name} (stand-in)`, user: await signUp(world.app, [...owner.user.roles], owner.name), party: null };
  return [{ label: `${owner.name}'s stand-in`, params: { id: standIn.user!.id }, caller: standIn }];
}

/** An invitation to `owner`'s e-mail from the inviter's party. */
async function invitationFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.user) return [];
  const { inviter } = world;
  const res = await as(world.app, acting(inviter), { method: 'POST', url: `/parties/${inviter.party!.id}/invitations`, payload: { email: owner.user.email, role: 'member' } });
  const invitation = await expectStatus(res, 201, 'invite persona');
  return [{ label: `invitation to ${owner.name}`, params: { id: invitation.id } }];
}

/** An audit event that concerns `owner`'s party (its registration), for receipts. */
async function auditEventFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const res = await as(world.app, acting(owner), { method: 'GET', url: `/parties/${owner.party.id}/audit-events?action=party.registered` });
  const events = await expectStatus(res, 200, 'list party events');
  return [{ label: `an event of ${owner.name}'s party`, params: { id: events.items[0].id } }];
}

/**
 * The other side of a persona's trades, made once per world: a provider (not a persona) with a
 * listing on sale for personas to buy, and a buyer (not a persona) for personas' listings.
 */
const counterparts = new WeakMap<World, Promise<{ seller: TestUser; listingId: string; buyer: TestUser }>>();
function counterpartOf(world: World) {
  if (!counterparts.has(world)) {
    counterparts.set(
      world,
      (async () => {
        const seller = await verifiedUser(world.app, ['provider'], world.clerk);
        const listed = await listedProduct(world.app, seller.user, world.clerk);
        const buyer = await verifiedUser(world.app, ['buyer'], world.clerk);
        return { seller: seller.user, listingId: listed.id, buyer: buyer.user };
      })(),
    );
  }
  return counterparts.get(world)!;
}
const ownListings = new Map<string, Promise<string>>();
/** A listing on sale of the persona's party, made once, that the counterpart buys from. */
function ownListing(world: World, owner: Persona): Promise<string> {
  const key = owner.party!.id;
  if (!ownListings.has(key)) ownListings.set(key, listedProduct(world.app, acting(owner), world.clerk).then((l) => l.id));
  return ownListings.get(key)!;
}

/** An order of `owner`'s party: as buyer (buyers, departments) or as provider (providers, on its own listing). */
async function orderFixture(world: World, owner: Persona, _fresh: boolean): Promise<Fixture[]> {
  if (!owner.party) return [];
  const { app } = world;
  const other = await counterpartOf(world);
  const roles = rolesOf(owner);
  if (roles.includes('buyer') || roles.includes('department')) {
    const order = await placeOrder(app, acting(owner), sampleOrder(other.listingId));
    return [{ label: `${owner.name}'s purchase`, params: { id: order.id } }];
  }
  if (!roles.includes('provider')) return [];
  const order = await placeOrder(app, other.buyer, sampleOrder(await ownListing(world, owner)));
  return [{ label: `an order of ${owner.name}'s listing`, params: { id: order.id } }];
}

/**
 * A download grant that concerns `owner`'s party: one it holds for an order it paid (buyers and
 * departments), or one issued on a sale of its listing (providers, who cannot download it).
 */
async function grantFixture(world: World, owner: Persona): Promise<Fixture[]> {
  const roles = rolesOf(owner);
  if (!owner.party) return [];
  const other = await counterpartOf(world);
  if (roles.includes('buyer') || roles.includes('department')) {
    const { grant } = await paidOrder(world.app, acting(owner), other.listingId);
    return [{ label: `${owner.name}'s download grant`, params: { id: grant!.id } }];
  }
  if (!roles.includes('provider')) return [];
  const { grant } = await paidOrder(world.app, other.buyer, await ownListing(world, owner));
  return [{ label: `a grant on a sale of ${owner.name}'s listing`, params: { id: grant!.id } }];
}

/**
 * An order of `owner`'s party in the state `advance` brings it to: `owner` buys from the counterpart
 * (buyers, departments) or the counterpart buys `owner`'s listing (providers).
 */
async function tradeOf(world: World, owner: Persona) {
  const roles = rolesOf(owner);
  const other = await counterpartOf(world);
  if (roles.includes('buyer') || roles.includes('department')) return { buyer: acting(owner), order: await placeOrder(world.app, acting(owner), sampleOrder(other.listingId)) };
  if (!roles.includes('provider')) return null;
  return { buyer: other.buyer, order: await placeOrder(world.app, other.buyer, sampleOrder(await ownListing(world, owner))) };
}

/**
 * The payment of an order of `owner`'s party, by bank transfer: paid one fen too much (so an
 * over-payment refund is due) and released (so a payout is due).
 */
async function paymentFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const trade = await tradeOf(world, owner);
  if (!trade) return [];
  const { app, clerk } = world;
  await signAgreement(app, trade.order);
  const pay = await expectStatus(await as(app, trade.buyer, { method: 'POST', url: `/orders/${trade.order.id}/payment`, payload: { rail: 'bank_transfer' } }), 200, 'pay');
  await expectStatus(await recordReceipt(app, clerk, pay.reference, trade.order.amountMinor + 1), 201, 'record receipt');
  await app.db.transaction((tx) => app.settlement.releaseToProvider(tx, trade.order.id));
  const payment = await expectStatus(await as(app, clerk, { method: 'GET', url: `/settlement/payments/${pay.paymentId}` }), 200, 'read payment');
  return [{ label: `a payment of ${owner.name}'s party`, params: { id: pay.paymentId, refundId: payment.refunds[0].id } }];
}

/** The trade agreement of an order of `owner`'s party, drafted when the order was accepted. */
async function agreementFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const trade = await tradeOf(world, owner);
  return trade ? [{ label: `${owner.name}'s draft agreement`, params: { id: trade.order.agreement!.id } }] : [];
}

/**
 * The bureau's reviewer for the entry factory (no persona), and a second department that owns
 * "another party's" entries: provider B keeps no public-data catalogue.
 */
const publicDataStaff = new WeakMap<World, Promise<{ reviewer: TestUser; otherDepartment: TestUser }>>();
export function publicDataStaffOf(world: World) {
  if (!publicDataStaff.has(world)) {
    publicDataStaff.set(
      world,
      (async () => ({ reviewer: await signUp(world.app, ['bureau'], 'bureau-reviewer'), otherDepartment: (await departmentUser(world.app, world.clerk)).user }))(),
    );
  }
  return publicDataStaff.get(world)!;
}

/** A published, unconditionally open entry and a draft, each with a data version, of a department. */
async function publicDataEntryFixture(world: World, owner: Persona): Promise<Fixture[]> {
  const staff = await publicDataStaffOf(world);
  const user = owner === world.other ? staff.otherDepartment : owner.party && rolesOf(owner).includes('department') ? acting(owner) : null;
  if (!user) return [];
  const published = await publishedEntry(world.app, user, staff.reviewer);
  const draft = await draftEntry(world.app, user);
  const draftVersion = await uploadDataVersion(world.app, user, draft.id);
  return [
    { label: `${owner.name}'s published entry`, params: { id: published.id, versionId: published.version.id }, onSale: true },
    { label: `${owner.name}'s draft entry`, params: { id: draft.id, versionId: draftVersion.id }, onSale: false },
  ];
}

/** A conditionally open entry per department user, published once per world. */
const conditionalEntries = new WeakMap<World, Map<string, Promise<string>>>();
function conditionalEntryOf(world: World, user: TestUser, reviewer: TestUser) {
  if (!conditionalEntries.has(world)) conditionalEntries.set(world, new Map());
  const made = conditionalEntries.get(world)!;
  if (!made.has(user.id)) made.set(user.id, publishedEntry(world.app, user, reviewer, { open: conditionalOpen }).then((e) => e.id));
  return made.get(user.id)!;
}
const requestApplicant = new WeakMap<World, Promise<TestUser>>();

/**
 * A conditional-open request: addressed to the department persona (by an applicant that is no
 * persona), or made by a persona with a party (to the second department). Fresh on every call
 * that may change it.
 */
async function publicDataRequestFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party || !owner.user) return [];
  const staff = await publicDataStaffOf(world);
  const ownsEntries = owner !== world.other && rolesOf(owner).includes('department');
  // Made only when needed and awaited at once: the fuzz fingerprints the database right after.
  if (ownsEntries && !requestApplicant.has(world)) {
    requestApplicant.set(world, (async () => {
      const user = await signUp(world.app, ['buyer'], 'applicant');
      const party = await createVerifiedParty(world.app, user, world.clerk);
      return { ...user, auth: { ...user.auth, 'x-party-id': party.id } };
    })());
  }
  const applicant = ownsEntries ? await requestApplicant.get(world)! : acting(owner);
  const entryId = await conditionalEntryOf(world, ownsEntries ? acting(owner) : staff.otherDepartment, staff.reviewer);
  const payload = { entryIds: [entryId], purpose: '交通研究', scenario: '内部分析', safeguards: '加密存储', term: { start: '2026-01-01', end: '2099-12-31' } };
  const made = await expectStatus(await as(world.app, applicant, { method: 'POST', url: '/public-data/requests', payload }), 201, 'conditional-open request');
  return [{ label: ownsEntries ? `a request to ${owner.name}` : `${owner.name}'s request`, params: { id: made.id } }];
}

/** A need a department files (through the API), as `user` acting for its public body. */
export async function fileNeed(app: FastifyInstance, user: TestUser, overrides: Record<string, unknown> = {}) {
  const payload = {
    title: '全市货运车辆轨迹数据',
    description: '按日汇总的货运车辆轨迹，用于物流规划。',
    duty: '编制全市物流园区布局规划',
    legalBasis: '《重庆市大数据发展管理条例（草案）》第二十七条',
    budgetMinor: 300_000,
    term: { start: '2026-01-01', end: '2026-12-31' },
    budgetYear: 2026,
    ...overrides,
  };
  return expectStatus(await as(app, user, { method: 'POST', url: '/procurement/needs', payload }), 201, 'file need') as Promise<{ id: string; departmentPartyId: string }>;
}

/**
 * The procurement side of a world: a bureau user acting for a verified public body of its own (no
 * persona: the bureau persona has no party) and a second department that owns "another party's"
 * needs. Made once per world.
 */
const procurementStaff = new WeakMap<World, Promise<{ bureau: TestUser; otherDepartment: TestUser }>>();
function procurementStaffOf(world: World) {
  if (!procurementStaff.has(world)) {
    procurementStaff.set(
      world,
      (async () => {
        const bureauUser = await signUp(world.app, ['bureau'], 'procurement-bureau');
        const party = await createVerifiedParty(world.app, bureauUser, world.clerk, 'public_body');
        return { bureau: { ...bureauUser, auth: { ...bureauUser.auth, 'x-party-id': party.id } }, otherDepartment: (await departmentUser(world.app, world.clerk)).user };
      })(),
    );
  }
  return procurementStaff.get(world)!;
}

/** A purchase need of a department: the department persona's own, or the second department's for "another party". */
async function procurementNeedFixture(world: World, owner: Persona): Promise<Fixture[]> {
  const user = owner === world.other ? (await procurementStaffOf(world)).otherDepartment : owner.party && rolesOf(owner).includes('department') ? acting(owner) : null;
  if (!user) return [];
  const need = await fileNeed(world.app, user);
  return [{ label: `${owner.name}'s purchase need`, params: { id: need.id } }];
}

/**
 * A procurement in draft: one the department persona benefits from (made by the bureau user for its
 * need), one of a stand-in bureau with a public body of its own for the bureau persona (which has no
 * party), and for "another party" one the bureau user made for the second department.
 */
async function procurementFixture(world: World, owner: Persona): Promise<Fixture[]> {
  const staff = await procurementStaffOf(world);
  const { app } = world;
  const other = await counterpartOf(world);
  let department: TestUser | null = null;
  let bureau = staff.bureau;
  let caller: Persona | undefined;
  if (owner === world.other) department = staff.otherDepartment;
  else if (owner.party && rolesOf(owner).includes('department')) department = acting(owner);
  else if (rolesOf(owner).includes('bureau')) {
    const standIn = await signUp(app, ['bureau'], `${owner.name}-stand-in`);
    const party = await createVerifiedParty(app, standIn, world.clerk, 'public_body');
    caller = { name: `${owner.name} (stand-in)`, user: standIn, party };
    bureau = acting(caller);
    department = staff.otherDepartment;
  }
  if (!department) return [];
  const need = await fileNeed(app, department);
  const payload = { needIds: [need.id], listingId: other.listingId, pricePlan: '一次性购买', purpose: '交通规划研究', scenario: '物流园区布局规划', safeguards: '专网存储，按岗授权' };
  const made = await expectStatus(await as(app, bureau, { method: 'POST', url: '/procurement/procurements', payload }), 201, 'consolidate');
  return [{ label: `a procurement of ${owner.name}`, params: { id: made.id }, ...(caller ? { caller } : {}) }];
}

/**
 * A bank statement with one credit that quotes no reference, waiting for an operator. Statements
 * are the exchange's own, no party's: one is made as "another party's" resource, which only
 * operators (staff) reach.
 */
async function bankStatementFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (owner !== world.other) return [];
  const csv = statementCsv([{ creditMinor: 12_345, postscript: '无参考号', bankReference: bankRef('FIX'), balanceMinor: 12_345 }]);
  const imported = await expectStatus(await uploadStatement(world.app, world.clerk, csv), 201, 'import statement');
  return [{ label: 'a bank statement', params: { id: imported.statement.id, lineId: imported.lines[0].id } }];
}

/** One factory per resource kind a route can declare; the type makes a new kind name its factory. */
export const fixtureFactories: Record<ResourceKind, FixtureFactory> = {
  user: userFixture,
  party: partyFixture,
  listing: listingFixture,
  invitation: invitationFixture,
  'audit-event': auditEventFixture,
  order: orderFixture,
  grant: grantFixture,
  payment: paymentFixture,
  'bank-statement': bankStatementFixture,
  agreement: agreementFixture,
  'public-data-entry': publicDataEntryFixture,
  'public-data-request': publicDataRequestFixture,
  'public-data-objection': objectionFixture,
  'public-data-demand': demandFixture,
  'public-data-order': usageOrderFixture,
  'public-data-outcome': outcomeFixture,
  'procurement-need': procurementNeedFixture,
  procurement: procurementFixture,
};

/** Fixtures through the factories: shared ones made once per kind and owner, fresh ones every time. */
export function fixtureSource(world: World) {
  const shared = new Map<string, Promise<Fixture[]>>();
  return (kind: string, owner: Persona, fresh: boolean): Promise<Fixture[]> => {
    const factory = (fixtureFactories as Record<string, FixtureFactory | undefined>)[kind];
    if (!factory) throw new Error(`no fixture factory for the resource kind "${kind}": add one to fixtureFactories in test/helpers/route-world.ts`);
    if (fresh) return factory(world, owner, true);
    const key = `${kind} ${owner.name}`;
    if (!shared.has(key)) shared.set(key, factory(world, owner, false));
    return shared.get(key)!;
  };
}
