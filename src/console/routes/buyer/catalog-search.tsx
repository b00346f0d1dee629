import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';

type Query = NonNullable<paths['/catalog/search']['get']['parameters']['query']>;
type Result = paths['/catalog/search']['get']['responses']['200']['content']['application/json'];
type Sort = NonNullable<Query['sort']>;
type Grade = NonNullable<Query['grade']>;
type Delivery = NonNullable<Query['deliveryMethod']>;

/** Yuan as typed (5000 or 5,000.50) to fen; undefined when empty or not a number. */
function fenOf(yuan: string): number | undefined {
  const clean = yuan.replace(/[,，\s]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 100);
}

/**
 * The catalog (GET /catalog/search): full text in Chinese or English, filters by category, grade,
 * delivery, government-derived and price in yuan, sorted; more results by cursor.
 */
export function CatalogSearchPage() {
  const { t, text, money, dateTime } = useI18n();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [grade, setGrade] = useState<Grade | ''>('');
  const [delivery, setDelivery] = useState<Delivery | ''>('');
  const [government, setGovernment] = useState<'' | 'yes' | 'no'>('');
  const [priceMin, setPriceMin] = useState('');
  const [priceMax, setPriceMax] = useState('');
  const [sort, setSort] = useState<Sort>('relevance');
  const [result, setResult] = useState<Result | null>(null);

  const query = (): Query => {
    const min = fenOf(priceMin);
    const max = fenOf(priceMax);
    return {
      limit: 20,
      sort,
      ...(q.trim() ? { q: q.trim() } : {}),
      ...(category.trim() ? { category: category.trim() } : {}),
      ...(grade ? { grade } : {}),
      ...(delivery ? { deliveryMethod: delivery } : {}),
      ...(government ? { governmentDerived: government === 'yes' } : {}),
      ...(min !== undefined ? { priceMin: min, currency: 'CNY' } : {}),
      ...(max !== undefined ? { priceMax: max, currency: 'CNY' } : {}),
    };
  };
  const search = useAction(async () => setResult(await ok(api.GET('/catalog/search', { params: { query: query() } }))));
  const more = useAction(async () => {
    if (!result?.next) return;
    const page = await ok(api.GET('/catalog/search', { params: { query: { ...query(), cursor: result.next } } }));
    setResult({ ...page, items: [...result.items, ...page.items] });
  });

  return (
    <Page title={t('catalog.title')}>
      <form class="form search" role="search" onSubmit={onSubmit(search.run)}>
        <TextField label={t('catalog.q')} type="search" hint={t('catalog.qHint')} value={q} onValue={setQ} />
        <div class="row">
          <TextField label={t('listing.category')} value={category} onValue={setCategory} />
          <SelectField label={t('listing.grade')} value={grade} onValue={setGrade} options={[{ value: '', label: t('common.any') }, ...(['general', 'important', 'core'] as const).map((g) => ({ value: g, label: t(`grade.${g}`) }))]} />
          <SelectField label={t('listing.deliveryMethod')} value={delivery} onValue={setDelivery} options={[{ value: '', label: t('common.any') }, ...(['download', 'api', 'sandbox'] as const).map((d) => ({ value: d, label: t(`delivery.${d}`) }))]} />
          <SelectField
            label={t('listing.governmentDerived')}
            value={government}
            onValue={setGovernment}
            options={[
              { value: '', label: t('common.any') },
              { value: 'yes', label: t('common.yes') },
              { value: 'no', label: t('common.no') },
            ]}
          />
        </div>
        <div class="row">
          <TextField label={t('catalog.priceMin')} hint={t('catalog.yuanHint')} value={priceMin} onValue={setPriceMin} />
          <TextField label={t('catalog.priceMax')} hint={t('catalog.yuanHint')} value={priceMax} onValue={setPriceMax} />
          <SelectField label={t('catalog.sort')} value={sort} onValue={setSort} options={(['relevance', 'newest', 'price_asc', 'price_desc'] as const).map((s) => ({ value: s, label: t(`sort.${s}`) }))} />
        </div>
        <Submit busy={search.busy}>{t('catalog.search')}</Submit>
      </form>
      <ProblemAlert error={search.error ?? more.error} />
      {result && (
        <>
          <p role="status">{result.items.length === 0 ? t('catalog.noResults') : t('catalog.results', { count: result.items.length })}</p>
          <ul class="cards" aria-label={t('catalog.resultsLabel')}>
            {result.items.map((l) => (
              <li key={l.id} class="card">
                <p class="card-title">
                  <Link to={`/catalog/${l.id}`}>{text(l.title)}</Link>
                </p>
                <p class="meta">
                  {l.category} · {t(`grade.${l.grade}`)} · {t(`delivery.${l.deliveryMethod}`)}
                  {l.governmentDerived && <> · {t('listing.governmentDerivedShort')}</>} · {t('listing.fromPriceValue', { price: money(l.minPrice.amountMinor, l.minPrice.currency) })} · {t('listing.listedAt', { at: dateTime(l.listedAt) })}
                </p>
              </li>
            ))}
          </ul>
          {result.next && (
            <button type="button" onClick={() => void more.run()} disabled={more.busy}>
              {t('common.more')}
            </button>
          )}
        </>
      )}
    </Page>
  );
}
