import { useState } from 'preact/hooks';
import { ApiError, api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';

type Priorities = paths['/public-data/opening-priorities/{year}']['get']['responses']['200']['content']['application/json'];
type Item = Priorities['current']['items'][number];

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One item a line: an entry's id or a theme, then `|` and its note if it has one. */
function itemsOf(text: string): Item[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [head = '', ...rest] = line.split(/[|｜]/);
      const what = head.trim();
      const note = rest.join('|').trim();
      return { ...(uuid.test(what) ? { entryId: what } : { theme: what }), ...(note ? { note } : {}) };
    });
}

const linesOf = (items: Item[]) => items.map((i) => `${i.entryId ?? i.theme ?? ''}${i.note ? ` | ${i.note}` : ''}`).join('\n');

/** The bureau publishes the year's priorities: each publication is a new version, the earlier ones kept. */
function PublishForm({ year, current, onPublished }: { year: number; current: Priorities['current'] | null; onPublished(): void }) {
  const { t } = useI18n();
  const [note, setNote] = useState(current?.note ?? '');
  const [lines, setLines] = useState(current ? linesOf(current.items) : '');
  const publish = useAction(async () => {
    await ok(api.PUT('/public-data/opening-priorities/{year}', { params: { path: { year } }, body: { note, items: itemsOf(lines) } }));
    onPublished();
  });
  return (
    <form class="form" onSubmit={onSubmit(publish.run)}>
      <h2>{t(current ? 'priorities.revise' : 'priorities.publishTitle', { year })}</h2>
      <TextField label={t('priorities.note')} multiline required value={note} onValue={setNote} />
      <TextField label={t('priorities.items')} hint={t('priorities.itemsHint')} multiline required value={lines} onValue={setLines} />
      <ProblemAlert error={publish.error} />
      <Submit busy={publish.busy}>{t('priorities.publish')}</Submit>
    </form>
  );
}

/**
 * The year's opening priorities (Shanghai Measures Art. 10): having heard the public's demands, the
 * bureau names the entries and themes to open first, with a note for the year. Every publication
 * is a new version; the page shows the current one, every earlier one, and the form for the next.
 */
export function OpeningPrioritiesPage() {
  const { t, dateTime } = useI18n();
  const [year, setYear] = useState(String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear()));
  const [shown, setShown] = useState(Number(year));
  // None published for the year is an answer too (404), not a failure.
  const priorities = useLoad(
    () =>
      ok(api.GET('/public-data/opening-priorities/{year}', { params: { path: { year: shown } } })).catch((err: unknown) => {
        if (err instanceof ApiError && err.problem.status === 404) return null;
        throw err;
      }),
    [shown],
  );
  return (
    <Page title={t('priorities.title')}>
      <p>{t('priorities.intro')}</p>
      <form class="form narrow" role="search" onSubmit={onSubmit(() => setShown(Number(year)))}>
        <TextField label={t('priorities.year')} type="number" min={2000} required value={year} onValue={setYear} />
        <button type="submit">{t('priorities.show')}</button>
      </form>
      <WhenLoaded loaded={priorities}>
        {(p) => (
          <>
            {p ? (
              <section aria-labelledby="priorities-current">
                <h2 id="priorities-current">{t('priorities.current', { year: p.year, version: p.current.version })}</h2>
                <p>{p.current.note}</p>
                <Table
                  caption={t('priorities.itemsCaption', { count: p.current.items.length })}
                  rows={p.current.items}
                  rowKey={(i) => `${i.entryId ?? ''}|${i.theme ?? ''}|${i.note ?? ''}`}
                  columns={[
                    { header: t('priorities.item'), cell: (i) => (i.entryId ? <Link to={`/public-data/entries/${i.entryId}`}>{i.entryId}</Link> : i.theme) },
                    { header: t('priorities.kind'), cell: (i) => t(i.entryId ? 'priorities.entry' : 'priorities.theme') },
                    { header: t('priorities.itemNote'), cell: (i) => i.note ?? '—' },
                  ]}
                />
                <Table
                  caption={t('priorities.history')}
                  rows={p.history}
                  rowKey={(h) => String(h.version)}
                  columns={[
                    { header: t('priorities.version'), cell: (h) => h.version },
                    { header: t('priorities.publishedAt'), cell: (h) => dateTime(h.publishedAt) },
                    { header: t('priorities.itemCount'), cell: (h) => h.items.length },
                  ]}
                />
              </section>
            ) : (
              <p>{t('priorities.none', { year: shown })}</p>
            )}
            <PublishForm key={`${shown}-${p?.current.version ?? 0}`} year={shown} current={p?.current ?? null} onPublished={priorities.reload} />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
