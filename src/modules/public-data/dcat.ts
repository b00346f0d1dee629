import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { EU, frequency, texts, typed } from '../catalog/dcat.js';
import type { DcatSource } from '../catalog/ports.js';
import { partyNames } from '../identity/service.js';
import type { OpenClass } from './schema.js';
import { dataVersions, entries, entryRevisions } from './tables.js';

/** The EU access-right vocabulary for each open class (Art. 17 ¶2). */
export const accessRight: Record<OpenClass, string> = {
  unconditional: `${EU}/access-right/PUBLIC`,
  conditional: `${EU}/access-right/RESTRICTED`,
  not_open: `${EU}/access-right/NON_PUBLIC`,
};

/**
 * The published open list in the catalog's DCAT-AP export: each entry a dcat:Dataset by its
 * published revision, the department as dct:publisher, the open class as dct:accessRights, and its
 * data versions as distributions (downloadable where the class allows, see access.ts).
 */
export const openListDcat: DcatSource = {
  async datasets(db, q) {
    const rows = await db
      .select({ entry: entries, revision: entryRevisions })
      .from(entries)
      .innerJoin(entryRevisions, eq(entryRevisions.id, entries.liveRevisionId))
      .where(and(isNotNull(entries.publishedAt), q.after ? sql`(${entries.publishedAt}, ${entries.id}) < (${q.after.listedAt}::timestamptz, ${q.after.id}::uuid)` : undefined))
      .orderBy(desc(entries.publishedAt), desc(entries.id))
      .limit(q.limit);
    if (rows.length === 0) return [];
    const names = await partyNames(db, rows.map((r) => r.entry.departmentPartyId));
    const versions = await db.select().from(dataVersions).where(inArray(dataVersions.entryId, rows.map((r) => r.entry.id))).orderBy(desc(dataVersions.number));
    return rows.map(({ entry, revision }) => ({
      at: entry.publishedAt!,
      id: entry.id,
      dataset: () => {
        const c = revision.content;
        const uri = `${q.baseUrl}/public-data/entries/${entry.id}`;
        return {
          '@id': uri,
          '@type': 'dcat:Dataset' as const,
          'dct:identifier': entry.id,
          'dct:title': texts(c.title),
          'dct:description': texts(c.summary),
          'dcat:keyword': c.dataItems,
          'dct:publisher': { '@id': `${q.baseUrl}/parties/${entry.departmentPartyId}`, '@type': 'foaf:Agent', 'foaf:name': names.get(entry.departmentPartyId) ?? '' },
          'dct:issued': typed(entry.publishedAt!.toISOString(), 'xsd:dateTime'),
          'dct:modified': typed((revision.decidedAt ?? revision.updatedAt).toISOString(), 'xsd:dateTime'),
          'dct:accrualPeriodicity': { '@id': `${EU}/frequency/${frequency[c.updateFrequency]}` },
          'dct:accessRights': { '@id': accessRight[c.open.class] },
          'dcat:landingPage': { '@id': uri },
          'dx:openClass': c.open.class,
          'dx:sharingClass': c.sharing.class,
          'dcat:distribution': versions
            .filter((v) => v.entryId === entry.id)
            .map((v) => ({
              '@id': `${uri}/versions/${v.id}`,
              '@type': 'dcat:Distribution',
              'dcat:accessURL': { '@id': uri },
              ...(c.open.class === 'unconditional' ? { 'dcat:downloadURL': { '@id': `${uri}/versions/${v.id}/download` } } : {}),
              'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${v.mediaType}` },
              'dcat:byteSize': typed(String(v.sizeBytes), 'xsd:nonNegativeInteger'),
              'spdx:checksum': { '@type': 'spdx:Checksum', 'spdx:algorithm': { '@id': 'spdx:checksumAlgorithm_sha256' }, 'spdx:checksumValue': typed(v.sha256, 'xsd:hexBinary') },
              'dct:format': c.formats.join(', '),
              'dct:description': v.changeNote,
            })),
        };
      },
    }));
  },
};
