import type { TestUser } from './app.js';
import { raiseDemand, raiseObjection, uploadEvidence } from './objections.js';
import { publishedEntry } from './public-data.js';
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
