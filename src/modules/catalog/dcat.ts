import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { TimeAndIdCursor, decodeCursor, encodeCursor } from '../../lib/http.js';
import { partyMayTrade, partyNames } from '../identity/service.js';
import type { DcatSource } from './ports.js';
import type { ListingContent } from './schema.js';
import { datasetVersions, listingRevisions, listings } from './tables.js';

/**
 * The public catalog as DCAT-AP in JSON-LD, for CKAN or a dataspace catalog to harvest. The
 * context is inline (no remote document to fetch), every term maps to the W3C DCAT, Dublin Core,
 * FOAF and SPDX vocabularies, and exchange-specific facts (data grade, Art. 28 ¶2 flag) use the
 * exchange's own namespace under the base URL. Paged with Hydra, since every list has a cursor.
 */
export const dcatContext = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  spdx: 'http://spdx.org/rdf/terms#',
  locn: 'http://www.w3.org/ns/locn#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
};

export const EU = 'http://publications.europa.eu/resource/authority';
export const frequency: Record<ListingContent['updateFrequency'], string> = {
  once: 'NEVER',
  realtime: 'CONT',
  hourly: 'HOURLY',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  annual: 'ANNUAL',
  irregular: 'IRREG',
};

type Localized = { zh?: string | undefined; en?: string | undefined };
export const texts = (t: Localized) =>
  (['zh', 'en'] as const).flatMap((language) => (t[language] ? [{ '@value': t[language], '@language': language }] : []));
export const typed = (value: string, type: string) => ({ '@value': value, '@type': type });

const DcatCursor = TimeAndIdCursor('listedAt');

/**
 * One page of the catalog: listings on sale and the datasets of `sources` (public data's open
 * list), merged newest first on one keyset, (time, id), so a page neither skips nor repeats.
 */
export async function dcatCatalog(db: Database, q: { baseUrl: string; cursor?: string | undefined; limit: number }, sources: readonly DcatSource[] = []) {
  const after = decodeCursor(q.cursor, DcatCursor);
  const rows = await db
    .select({ listing: listings, revision: listingRevisions, version: datasetVersions })
    .from(listings)
    .innerJoin(listingRevisions, eq(listingRevisions.id, listings.liveRevisionId))
    .leftJoin(datasetVersions, eq(datasetVersions.id, listingRevisions.datasetVersionId))
    .where(and(eq(listings.status, 'listed'), partyMayTrade(listings.ownerPartyId), after ? sql`(${listings.listedAt}, ${listings.id}) < (${new Date(after.listedAt).toISOString()}::timestamptz, ${after.id}::uuid)` : undefined))
    .orderBy(desc(listings.listedAt), desc(listings.id))
    .limit(q.limit + 1);
  const base = q.baseUrl;
  const self = `${base}/catalog/dcat`;
  const names = await partyNames(db, rows.map((r) => r.listing.ownerPartyId));
  const others = await Promise.all(sources.map((source) => source.datasets(db, { baseUrl: base, after, limit: q.limit + 1 })));
  const merged = [...rows.map((row) => ({ at: row.listing.listedAt!, id: row.listing.id, dataset: () => listingDataset(base, names, row) })), ...others.flat()].sort(
    (a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
  const shown = merged.slice(0, q.limit);
  const last = shown[shown.length - 1];
  const next = merged.length > q.limit && last ? encodeCursor({ listedAt: last.at.toISOString(), id: last.id }) : null;
  const datasets = shown.map((item) => item.dataset());

  return {
    '@context': { ...dcatContext, dx: `${base}/catalog/vocab#` },
    '@id': self,
    '@type': 'dcat:Catalog' as const,
    'dct:title': texts({ zh: '数据交易所数据产品目录', en: 'Data exchange catalog of data products' }),
    'dct:description': texts({
      zh: '经交易所合规审核、正在挂牌的数据产品，以及经大数据主管部门审核发布的公共数据开放清单。',
      en: 'Data products on sale at the exchange, each approved by its compliance review, and the open list of public data the big-data bureau reviewed and published.',
    }),
    'dct:publisher': { '@id': base, '@type': 'foaf:Agent', 'foaf:name': 'Data exchange' },
    'foaf:homepage': { '@id': base },
    'dcat:dataset': datasets,
    'hydra:view': {
      '@id': q.cursor ? `${self}?cursor=${q.cursor}` : self,
      '@type': 'hydra:PartialCollectionView',
      ...(next ? { 'hydra:next': { '@id': `${self}?cursor=${next}` } } : {}),
    },
  };
}

type ListingRow = { listing: typeof listings.$inferSelect; revision: typeof listingRevisions.$inferSelect; version: typeof datasetVersions.$inferSelect | null };

function listingDataset(base: string, names: Map<string, string>, { listing, revision, version }: ListingRow) {
  const c = revision.content;
  const uri = `${base}/catalog/listings/${listing.id}`;
  return {
    '@id': uri,
    '@type': 'dcat:Dataset' as const,
    'dct:identifier': listing.id,
    'dct:title': texts(c.title),
    'dct:description': texts(c.description),
    'dcat:keyword': c.tags,
    'dct:publisher': { '@id': `${base}/parties/${listing.ownerPartyId}`, '@type': 'foaf:Agent', 'foaf:name': names.get(listing.ownerPartyId) ?? '' },
    'dct:issued': typed(listing.listedAt!.toISOString(), 'xsd:dateTime'),
    'dct:modified': typed((revision.decidedAt ?? revision.updatedAt).toISOString(), 'xsd:dateTime'),
    'dct:accrualPeriodicity': { '@id': `${EU}/frequency/${frequency[c.updateFrequency]}` },
    // Sold under a licence to identified buyers, not open data.
    'dct:accessRights': { '@id': `${EU}/access-right/RESTRICTED` },
    'dct:temporal': {
      '@type': 'dct:PeriodOfTime',
      'dcat:startDate': typed(c.coverage.period.start, 'xsd:date'),
      ...(c.coverage.period.end ? { 'dcat:endDate': typed(c.coverage.period.end, 'xsd:date') } : {}),
    },
    'dct:spatial': { '@type': 'dct:Location', 'locn:geographicName': c.coverage.area },
    'dcat:landingPage': { '@id': uri },
    'dx:category': c.category,
    'dx:dataGrade': c.grade,
    'dx:governmentDerived': typed(String(c.governmentDerived), 'xsd:boolean'),
    'dx:containsPersonalInformation': typed(String(c.personalInformation.contains), 'xsd:boolean'),
    'dcat:distribution': version
      ? [
          {
            '@id': `${uri}/versions/${version.id}`,
            '@type': 'dcat:Distribution',
            'dcat:accessURL': { '@id': uri },
            'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${version.mediaType}` },
            'dcat:byteSize': typed(String(version.sizeBytes), 'xsd:nonNegativeInteger'),
            'spdx:checksum': {
              '@type': 'spdx:Checksum',
              'spdx:algorithm': { '@id': 'spdx:checksumAlgorithm_sha256' },
              'spdx:checksumValue': typed(version.sha256, 'xsd:hexBinary'),
            },
            'dct:format': c.formats.join(', '),
            'dct:rights': { '@type': 'dct:RightsStatement', 'dct:description': licenceSummary(c.licence) },
          },
        ]
      : [],
  };
}

function licenceSummary(l: ListingContent['licence']): string {
  return [
    `Allowed purposes: ${l.allowedPurposes.join('; ')}`,
    l.forbiddenUses.length ? `Forbidden uses: ${l.forbiddenUses.join('; ')}` : null,
    `Term: ${l.termMonths} months`,
    `Territory: ${l.territory}`,
    `Onward transfer: ${l.onwardTransfer.replace(/_/g, ' ')}`,
  ]
    .filter(Boolean)
    .join('. ');
}
