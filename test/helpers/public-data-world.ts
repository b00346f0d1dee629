import { as, type TestUser } from './app.js';
import { raiseDemand, raiseObjection, uploadEvidence } from './objections.js';
import { conditionalOpen, publishedEntry } from './public-data.js';
import { sealedOpenRequest, shanghaiDaysFromNow } from './public-data-requests.js';
import { acting, publicDataStaffOf, rolesOf, type Fixture, type Persona, type World } from './route-world.js';
import { verifiedUser } from './trading.js';

/**
 * The route world's objections and demands: the other department's published entry that parties
 * object to, and a verified party (no persona) that objects to and makes demands of departments.
 */
const extras = new WeakMap<World, Promise<{ otherEntryId: string; otherDepartmentId: string; citizen: TestUser }>>();
function extrasOf(world: World) {
  if (!extras.has(world)) {
    extras.set(
      world,
      (async () => {
        const staff = await publicDataStaffOf(world);
        const entry = await publishedEntry(world.app, staff.otherDepartment, staff.reviewer);
        const citizen = (await verifiedUser(world.app, ['buyer'], world.clerk)).user;
        return { otherEntryId: entry.id, otherDepartmentId: staff.otherDepartment.auth['x-party-id']!, citizen };
      })(),
    );
  }
  return extras.get(world)!;
}

const isDepartment = (p: Persona) => p.party !== null && rolesOf(p).includes('department');

/** An objection `owner` raised (a party) or one addressed to `owner` (a department, on its published entry). */
export async function objectionFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const { otherEntryId, citizen } = await extrasOf(world);
  if (isDepartment(owner)) {
    const staff = await publicDataStaffOf(world);
    const entry = await publishedEntry(world.app, acting(owner), staff.reviewer);
    const objection = await raiseObjection(world.app, citizen, entry.id, { evidenceFileId: await uploadEvidence(world.app, citizen) });
    return [{ label: `an objection to ${owner.name}'s entry`, params: { id: objection.id } }];
  }
  const objection = await raiseObjection(world.app, acting(owner), otherEntryId, { evidenceFileId: await uploadEvidence(world.app, acting(owner)) });
  return [{ label: `${owner.name}'s objection`, params: { id: objection.id } }];
}

/** A demand `owner` raised (a party) or one addressed to `owner` (a department). */
export async function demandFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const { otherDepartmentId, citizen } = await extrasOf(world);
  if (isDepartment(owner)) {
    const demand = await raiseDemand(world.app, citizen, owner.party.id);
    return [{ label: `a demand to ${owner.name}`, params: { id: demand.id } }];
  }
  const demand = await raiseDemand(world.app, acting(owner), otherDepartmentId);
  return [{ label: `${owner.name}'s demand`, params: { id: demand.id } }];
}

/**
 * An opened request under a sealed agreement, with an outcome registered without a citation and an
 * open order to correct: the department persona's data used by the citizen, or a party persona
 * using the other department's data. Made once per owner.
 */
const usage = new WeakMap<World, Map<Persona, Promise<{ requestId: string; outcomeId: string; orderId: string }>>>();
function usageOf(world: World, owner: Persona) {
  if (!usage.has(world)) usage.set(world, new Map());
  const made = usage.get(world)!;
  if (!made.has(owner)) {
    made.set(
      owner,
      (async () => {
        const staff = await publicDataStaffOf(world);
        const { citizen } = await extrasOf(world);
        const [dept, user] = isDepartment(owner) ? [acting(owner), citizen] : [staff.otherDepartment, acting(owner)];
        const entry = await publishedEntry(world.app, dept, staff.reviewer, { open: conditionalOpen });
        const request = await sealedOpenRequest(world.app, dept, user, entry.id);
        const outcome = await as(world.app, user, { method: 'POST', url: `/public-data/requests/${request.id}/outcomes`, payload: { kind: 'paper', title: '公交线网优化研究' } });
        const order = await as(world.app, dept, {
          method: 'POST',
          url: `/public-data/requests/${request.id}/orders`,
          payload: { ground: 'beyond_scope', details: '用于商业推广', correctBy: shanghaiDaysFromNow(10) },
        });
        if (outcome.statusCode !== 201 || order.statusCode !== 201) throw new Error(`usage fixture: ${outcome.body} ${order.body}`);
        return { requestId: request.id, outcomeId: outcome.json().id as string, orderId: order.json().id as string };
      })(),
    );
  }
  return made.get(owner)!;
}

/** An outcome of `owner` (the user) or one made with `owner`'s data (a department). */
export async function outcomeFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const { outcomeId } = await usageOf(world, owner);
  return [{ label: isDepartment(owner) ? `an outcome made with ${owner.name}'s data` : `${owner.name}'s outcome`, params: { id: outcomeId } }];
}

/** An order against `owner` (the user) or one `owner` issued (a department). */
export async function orderFixture(world: World, owner: Persona): Promise<Fixture[]> {
  if (!owner.party) return [];
  const { orderId } = await usageOf(world, owner);
  return [{ label: isDepartment(owner) ? `an order ${owner.name} issued` : `an order against ${owner.name}`, params: { id: orderId } }];
}
