import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/i18n';
import type { Loaded } from '../lib/use-load';
import type { ApiPage, Paged } from '../lib/use-paged-load';
import { Loading } from './page';
import { ProblemAlert } from './problem';

export interface Column<T> {
  header: string;
  cell(row: T): ComponentChildren;
}

/**
 * A table of rows: a caption (read by screen readers even when hidden), column headers, and the
 * first column as each row's header, so every cell is announced with what it belongs to.
 */
export function Table<T>(props: { caption: string; hideCaption?: boolean; rows: T[]; rowKey(row: T): string; columns: Column<T>[] }) {
  const [first, ...rest] = props.columns;
  return (
    <table>
      <caption class={props.hideCaption ? 'visually-hidden' : undefined}>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th scope="col" key={c.header}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)}>
            {first && <th scope="row">{first.cell(row)}</th>}
            {rest.map((c) => (
              <td key={c.header}>{c.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Under a list loaded page by page: how many rows it shows and a button for the next page, while there is one. */
export function MoreRows({ paged }: { paged: Paged<ApiPage<unknown>> }) {
  const { t } = useI18n();
  return (
    <>
      {paged.hasMore && paged.data && (
        <p class="more-rows">
          {t('common.shown', { n: paged.data.items.length })}{' '}
          <button type="button" onClick={() => void paged.more.run()} disabled={paged.more.busy || paged.loading}>
            {t('common.more')}
          </button>
        </p>
      )}
      <ProblemAlert error={paged.more.error} />
    </>
  );
}

/**
 * A list the page loaded: the API's problem if it was refused, a loading note, the empty message,
 * or the table of its items, with more of them under it when it is loaded page by page.
 */
export function LoadedTable<T>(props: { loaded: Loaded<{ items: T[] }> | Paged<ApiPage<T>>; empty: string; caption(count: number): string; rowKey(row: T): string; columns: Column<T>[] }) {
  const { t } = useI18n();
  const { data, error, loading } = props.loaded;
  return (
    <>
      <ProblemAlert error={error} />
      {!data ? (
        loading && <Loading label={t('common.loading')} />
      ) : data.items.length === 0 ? (
        <p>{props.empty}</p>
      ) : (
        <Table caption={props.caption(data.items.length)} rows={data.items} rowKey={props.rowKey} columns={props.columns} />
      )}
      {'more' in props.loaded && <MoreRows paged={props.loaded} />}
    </>
  );
}
