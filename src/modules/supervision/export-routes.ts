import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Role } from '../accounts/tables.js';
import { AppError } from '../../lib/errors.js';
import { StringEnum, Timestamp, problemResponses } from '../../lib/http.js';
import { exportFilename, exportFormats, exportMediaTypes, exportStream, type ExportDataset } from '../../lib/tabular-export.js';
import { auditActorOf } from '../../plugins/auth.js';
import { appendAudit } from '../audit/service.js';
import { auditEventExport } from '../audit/export.js';
import { publicDataRequestExport } from '../public-data/request-export.js';
import { paymentExport, payoutExport, refundExport } from '../settlement/export.js';
import { orderExport } from '../trading/export.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    /** Who took which rows out of the service, and when: an export is a copy outside the log's reach. */
    'export.downloaded': { dataset: string; format: string; from: string; to: string };
  }
}

/**
 * The exchange's supervision (Art. 28(4)) takes its records out as spreadsheets: one dataset per
 * path, for a half-open period [from, to). The operators export everything; the bureau, which
 * supervises public data (its staff read every request, modules/public-data/request-routes.ts),
 * exports the public-data requests too, and nothing else.
 */
const operatorDatasets = [orderExport, paymentExport, payoutExport, refundExport, auditEventExport] as const;
const operators: readonly Role[] = ['operator'];

const ExportQuery = Type.Object(
  {
    from: { ...Timestamp, description: 'Start of the period, included (RFC 3339 instant)' },
    to: { ...Timestamp, description: 'End of the period, excluded (RFC 3339 instant)' },
    format: StringEnum(exportFormats, { default: 'csv', description: 'csv: UTF-8 with a byte-order mark; xlsx: one worksheet (more past 1,048,575 rows)' }),
  },
  { additionalProperties: false },
);

const ExportFile = {
  description: 'The file, streamed (Content-Disposition: attachment). One header row, Chinese then English in each cell.',
  content: Object.fromEntries(Object.values(exportMediaTypes).map((type) => [type.split(';')[0]!, { schema: { type: 'string', format: 'binary' } }])),
};

const describe = (dataset: ExportDataset<never>) => `Columns: ${dataset.columns.map((c) => c.header).join('; ')}.`;

const periodDescription =
  'Rows of the half-open period from ≤ t < to, oldest first. Amounts are decimal yuan with the currency in its own column; instants are ISO 8601 in UTC. ' +
  'Rows are read in pages and sent as they are read, so any period exports in fixed memory. A failure midway breaks the transfer rather than ending the file early.';

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const register = (url: string, auth: readonly Role[], summary: string, description: string, pick: (dataset: string | undefined) => ExportDataset<never>, params?: ReturnType<typeof Type.Object>) =>
    app.get(url, {
      config: { auth, access: 'none' },
      schema: {
        tags: ['supervision'],
        summary,
        description: `${periodDescription} ${description}`,
        ...(params ? { params } : {}),
        querystring: ExportQuery,
        response: { 200: ExportFile, ...problemResponses(400) },
      },
    }, async (request, reply) => {
      const { from, to, format } = request.query as { from: string; to: string; format: (typeof exportFormats)[number] };
      const period = { from: new Date(from), to: new Date(to) };
      // RFC 3339 allows year 0000 and offsets that cross into year 10000; the database holds neither as text.
      for (const [name, at] of Object.entries(period)) {
        const year = at.getUTCFullYear();
        if (year < 1 || year > 9999) throw new AppError('validation-failed', { en: `${name} is outside the years 0001-9999`, zh: `${name} 超出 0001-9999 年的范围` }, { errors: [{ path: `/querystring/${name}`, message: 'outside the years 0001-9999' }] });
      }
      if (period.from > period.to) {
        throw new AppError('validation-failed', { en: 'the period ends before it starts', zh: '期间的结束早于开始' }, { errors: [{ path: '/querystring/to', message: 'must not be before from' }] });
      }
      const dataset = pick((request.params as { dataset?: string }).dataset);
      await appendAudit(app.db, auditActorOf(request), {
        action: 'export.downloaded',
        subject: { type: 'export', id: dataset.name },
        payload: { dataset: dataset.name, format, from: period.from.toISOString(), to: period.to.toISOString() },
      });
      const body = exportStream(app.db, dataset, period, format, (err) => request.log.error({ err }, `export of ${dataset.name} failed midway`));
      return reply
        .header('content-disposition', `attachment; filename="${exportFilename(dataset.name, period, format)}"`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .type(exportMediaTypes[format])
        .send(body);
    });

  const byName = new Map<string, ExportDataset<never>>(operatorDatasets.map((d) => [d.name, d as unknown as ExportDataset<never>]));
  register(
    '/exports/:dataset',
    operators,
    'Export orders, payments, payouts, refunds or audit events of a period (operators)',
    operatorDatasets.map((d) => `${d.name}: ${describe(d as unknown as ExportDataset<never>)}`).join(' '),
    (name) => byName.get(name!)!,
    Type.Object({ dataset: StringEnum(operatorDatasets.map((d) => d.name)) }, { additionalProperties: false }),
  );
  register(
    '/exports/public-data-requests',
    ['operator', 'bureau'],
    'Export the conditional-open and sharing requests received in a period (operators and the bureau)',
    describe(publicDataRequestExport as unknown as ExportDataset<never>),
    () => publicDataRequestExport as unknown as ExportDataset<never>,
  );
};

export default exportRoutes;
