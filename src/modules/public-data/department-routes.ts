import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Page, PageQuery, Text, Uuid, decodeCursor, pageOf, problemResponses } from '../../lib/http.js';
import type { PublicDataContext } from './context.js';
import { DepartmentCursor, departmentView, listDepartments } from './department-reads.js';

const DepartmentView = Type.Object({
  id: Uuid,
  legalName: Type.String(),
  suspended: Type.Boolean({ description: 'The exchange suspended the department (Art. 28(4)); it is still named, but commits to nothing until reinstated' }),
});
const DirectoryQuery = Type.Object(
  { ...PageQuery, q: Type.Optional(Text({ minLength: 1, maxLength: 200, description: 'Part of the legal name, e.g. 交通; case is ignored' })) },
  { additionalProperties: false },
);

/** Who the government departments are, so that a form names one by its name, not its id. */
const departmentRoutes: FastifyPluginAsyncTypebox<{ ctx: PublicDataContext }> = async (app, { ctx }) => {
  app.get('/public-data/departments', {
    config: { auth: 'authenticated', access: 'none' },
    schema: {
      tags: ['public-data'],
      summary: 'The directory of government departments: each verified public body by its legal name, ordered by name',
      description:
        'Anyone signed in reads it: the bureau names a department in a budget or a demand, an applicant filters the open list by one. ' +
        'A department is a party of kind `public_body` whose verification stands (in date, or a renewal under review); an unverified, rejected or expired one is absent. ' +
        'A department the exchange suspended stays listed with `suspended: true`: its budgets, procurements, demands and published entries still name it, ' +
        'and what it may not do while suspended is refused where it is attempted. Only the id and the legal name are given, nothing about its people. ' +
        'Ordered by legal name by Unicode code point, then id.',
      querystring: DirectoryQuery,
      response: { 200: Page(DepartmentView), ...problemResponses(400) },
    },
  }, async (request) => {
    const { limit, cursor, q } = request.query;
    const rows = await listDepartments(ctx.db, { q, after: decodeCursor(cursor, DepartmentCursor), limit: limit + 1 });
    return pageOf(rows, limit, departmentView, (d) => ({ id: d.id }));
  });
};

export default departmentRoutes;
