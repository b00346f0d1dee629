import { DepartmentName, useDepartments } from '../../components/department-select';
import { Page } from '../../components/page';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { addToBasket, clearBasket, removeFromBasket, useBasket, type BasketEntry } from '../../lib/request-basket';
import { Link } from '../../lib/router';
import { RequestForm } from './request-form';

/** Adds a conditionally open entry to the request being gathered, or says it is there (with a way to the request). */
export function AddToRequest({ entry }: { entry: BasketEntry }) {
  const { t } = useI18n();
  const chosen = useBasket().some((e) => e.id === entry.id);
  return chosen ? (
    <Link to="/public-data/apply" aria-label={t('basket.inRequestOf', { title: entry.title })}>
      {t('basket.inRequest')}
    </Link>
  ) : (
    <button type="button" aria-label={t('basket.addOf', { title: entry.title })} onClick={() => addToBasket(entry)}>
      {t('basket.add')}
    </button>
  );
}

/** The way to the request being gathered, with how many entries it names; nothing while it is empty. */
export function BasketLink() {
  const { t } = useI18n();
  const count = useBasket().length;
  return count === 0 ? null : <Link to="/public-data/apply">{t('basket.link', { count })}</Link>;
}

/**
 * One request for several conditionally open entries (POST /public-data/requests, Art. 18 ¶2): the
 * entries gathered from the open list, each removable, with one purpose, scenario, safeguards and
 * term. The API takes entries of one department per request and says so otherwise; once made, the
 * gathered entries are forgotten.
 */
export function RequestBasketPage() {
  const { t } = useI18n();
  const chosen = useBasket();
  const directory = useDepartments();
  return (
    <Page title={t('basket.title')} actions={<Link to="/public-data/open">{t('basket.back')}</Link>}>
      <p>{t('basket.intro')}</p>
      {chosen.length === 0 ? (
        <p>{t('basket.empty')}</p>
      ) : (
        <Table
          caption={t('basket.caption', { count: chosen.length })}
          rows={chosen}
          rowKey={(e) => e.id}
          columns={[
            { header: t('apply.entry'), cell: (e) => <Link to={`/public-data/open/${e.id}`}>{e.title}</Link> },
            { header: t('openData.departmentColumn'), cell: (e) => <DepartmentName directory={directory} id={e.departmentPartyId} /> },
            {
              header: t('basket.remove'),
              cell: (e) => (
                <button type="button" onClick={() => removeFromBasket(e.id)}>
                  {t('basket.removeOf', { title: e.title })}
                </button>
              ),
            },
          ]}
        />
      )}
      <RequestForm entryIds={chosen.map((e) => e.id)} ready={chosen.length > 0} submitLabel={t('basket.submit', { count: chosen.length })} onMade={clearBasket} />
    </Page>
  );
}
