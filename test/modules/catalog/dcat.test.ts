import jsonld from 'jsonld';
import t from 'tap';
import { as, buildTestApp, signUp } from '../../helpers/app.js';
import { listedProduct, sampleListing, verifiedProvider } from '../../helpers/catalog.js';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const SPDX = 'http://spdx.org/rdf/terms#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

// The export must stand alone: any attempt to fetch a remote context fails the expansion.
const offline = async (url: string): Promise<never> => {
  throw new Error(`the document tried to load ${url}`);
};

type Quad = { subject: { value: string }; predicate: { value: string }; object: { value: string; termType: string } };

t.test('the public catalog exports as DCAT-AP JSON-LD that a processor expands offline', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider, party } = await verifiedProvider(app, operator);
  const product = await listedProduct(app, provider, operator);
  const draft = (await as(app, provider, { method: 'POST', url: '/catalog/listings', payload: sampleListing() })).json();

  const res = await app.inject({ method: 'GET', url: '/catalog/dcat', headers: { host: 'exchange.example.cn' } });
  t.equal(res.statusCode, 200, 'public: no token needed');
  t.match(res.headers['content-type'], /^application\/ld\+json/);
  const doc = res.json();

  t.type(doc['@context'], 'object', 'the context is inline');
  t.match(doc['@context'], { dcat: DCAT, dct: DCT, foaf: FOAF, spdx: SPDX });
  t.equal(doc['@type'], 'dcat:Catalog');
  t.equal(doc['dcat:dataset'].length, 1, 'only listings on sale; the draft is not exported');
  t.notMatch(res.body, draft.id);

  const quads = (await jsonld.toRDF(doc, { documentLoader: offline } as never)) as unknown as Quad[];
  const objects = (subject: string, predicate: string) => quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate).map((q) => q.object.value);
  const withType = (type: string) => quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === type).map((q) => q.subject.value);

  const [catalog] = withType(`${DCAT}Catalog`);
  t.ok(catalog, 'a dcat:Catalog');
  // DCAT-AP mandatory for a catalogue: title, description, publisher; and its datasets.
  t.ok(objects(catalog!, `${DCT}title`).length > 0);
  t.ok(objects(catalog!, `${DCT}description`).length > 0);
  t.equal(objects(catalog!, `${DCT}publisher`).length, 1);

  const datasetUri = `http://exchange.example.cn/catalog/listings/${product.id}`;
  t.same(withType(`${DCAT}Dataset`), [datasetUri]);
  t.same(objects(catalog!, `${DCAT}dataset`), [datasetUri]);
  // Mandatory for a dataset: title and description (both languages kept).
  t.same(objects(datasetUri, `${DCT}title`).sort(), ['Chongqing public transport ridership', '重庆市公共交通客流数据']);
  t.ok(objects(datasetUri, `${DCT}description`).length === 2);
  const [publisher] = objects(datasetUri, `${DCT}publisher`);
  t.same(objects(publisher!, `${FOAF}name`), [party.legalName], 'the provider party is the publisher');
  t.same(objects(datasetUri, `${DCT}accrualPeriodicity`), ['http://publications.europa.eu/resource/authority/frequency/DAILY']);

  const [distribution] = objects(datasetUri, `${DCAT}distribution`);
  t.ok(distribution && withType(`${DCAT}Distribution`).includes(distribution), 'a dcat:Distribution');
  t.same(objects(distribution!, `${DCAT}accessURL`), [datasetUri], 'mandatory accessURL');
  const [checksum] = objects(distribution!, `${SPDX}checksum`);
  t.same(objects(checksum!, `${SPDX}checksumValue`), [product.version.sha256], 'the checksum is the dataset version on sale');
  t.same(objects(distribution!, `${DCAT}byteSize`).length, 1);

  const expanded = (await jsonld.expand(doc, { documentLoader: offline } as never)) as unknown as object[];
  t.equal(expanded.length, 1, 'expands to one top-level node');
});

t.test('the export is paged with a cursor', async (t) => {
  const app = await buildTestApp(t);
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const a = await listedProduct(app, provider, operator);
  const b = await listedProduct(app, provider, operator);
  const first = (await app.inject({ method: 'GET', url: '/catalog/dcat?limit=1' })).json();
  t.same(first['dcat:dataset'].map((d: { 'dct:identifier': string }) => d['dct:identifier']), [b.id]);
  const next: string = first['hydra:view']['hydra:next']['@id'];
  const second = (await app.inject({ method: 'GET', url: next.replace(/^https?:\/\/[^/]+/, '') })).json();
  t.same(second['dcat:dataset'].map((d: { 'dct:identifier': string }) => d['dct:identifier']), [a.id]);
  t.notOk(second['hydra:view']['hydra:next'], 'the last page has no next');
});

t.test('links use the configured public address, not the Host a client sends', async (t) => {
  const app = await buildTestApp(t, { publicBaseUrl: 'https://exchange.example.cn' });
  const operator = await signUp(app, ['operator']);
  const { user: provider } = await verifiedProvider(app, operator);
  const product = await listedProduct(app, provider, operator);
  const doc = (await app.inject({ method: 'GET', url: '/catalog/dcat', headers: { host: 'attacker.example' } })).json();
  t.equal(doc['dcat:dataset'][0]['@id'], `https://exchange.example.cn/catalog/listings/${product.id}`);
  t.notMatch(JSON.stringify(doc), /attacker\.example/);
});
