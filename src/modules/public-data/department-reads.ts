import { and, asc, eq, sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import type { Database } from '../../lib/database.js';
import { Uuid } from '../../lib/http.js';
import { verificationInDate } from '../identity/queries.js';
import { parties } from '../identity/tables.js';

/**
 * Position in the directory: the last department shown. Its name is read back from the table, so
 * the cursor stays short whatever the name's length (200 Chinese characters are 600 bytes).
 */
export const DepartmentCursor = Type.Object({ id: Uuid }, { additionalProperties: false });

/** By code point, the same order on every database whatever its default collation. */
const byName = sql`${parties.legalName} collate "C"`;

/**
 * The directory of government departments: parties of kind `public_body` whose verification stands
 * (identity's rule, so a department renewing it stays listed); a suspended one too, flagged. Only
 * the id and the legal name are read: nothing about the department's people.
 */
export async function listDepartments(db: Database, q: { q?: string | undefined; after?: Static<typeof DepartmentCursor> | undefined; limit: number }) {
  return db
    .select({ id: parties.id, legalName: parties.legalName, suspendedAt: parties.suspendedAt })
    .from(parties)
    .where(
      and(
        eq(parties.kind, 'public_body'),
        verificationInDate(),
        q.q ? sql`strpos(lower(${parties.legalName}), lower(${q.q})) > 0` : undefined,
        q.after ? sql`(${byName}, ${parties.id}) > (select ${byName}, ${parties.id} from ${parties} where ${parties.id} = ${q.after.id})` : undefined,
      ),
    )
    .orderBy(byName, asc(parties.id))
    .limit(q.limit);
}

export type DirectoryRow = Awaited<ReturnType<typeof listDepartments>>[number];

export const departmentView = (d: DirectoryRow) => ({ id: d.id, legalName: d.legalName, suspended: d.suspendedAt !== null });
