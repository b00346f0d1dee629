import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { Submit, TextField } from '../../components/fields';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { onSubmit, useAction } from '../../lib/use-action';

type Body = paths['/calendar/years/{year}']['put']['requestBody']['content']['application/json'];
type Day = Body['days'][number];

/** "2027-01-01, holiday, 元旦" per line, as the API's days; a kind it does not know stays, for the API to name the line. */
const parseDays = (text: string): Day[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [date = '', kind = '', ...name] = line.split(/[,，]/).map((s) => s.trim());
      return { date, kind: kind as Day['kind'], name: name.join('，') };
    });

/**
 * The bureau loads a year from the State Council's notice: every holiday day and make-up working
 * day (the year's whole content, not a patch). The answer is a new version, and the stored
 * deadlines that count on the year are recomputed; the API names each day at fault.
 */
export function CalendarLoad({ onLoaded }: { onLoaded(): void }) {
  const { t } = useI18n();
  const [year, setYear] = useState('');
  const [reference, setReference] = useState('');
  const [title, setTitle] = useState('');
  const [publishedOn, setPublishedOn] = useState('');
  const [days, setDays] = useState('');
  const [loaded, setLoaded] = useState<{ year: number; version: number; created: boolean; recomputed: number } | null>(null);
  const load = useAction(async () => {
    const body: Body = { notice: { reference, ...(title ? { title } : {}), ...(publishedOn ? { publishedOn } : {}) }, days: parseDays(days) };
    const answer = await ok(api.PUT('/calendar/years/{year}', { params: { path: { year: Number(year) } }, body }));
    setLoaded({ year: answer.year, version: answer.version, created: answer.created, recomputed: answer.recomputed.reduce((n, r) => n + r.deadlines, 0) });
    onLoaded();
  });
  return (
    <section aria-labelledby="calendar-load-heading">
      <h2 id="calendar-load-heading">{t('calendarLoad.title')}</h2>
      <form class="form narrow" onSubmit={onSubmit(load.run)}>
        <TextField label={t('calendar.year')} type="number" min={1992} required value={year} onValue={setYear} />
        <TextField label={t('calendarLoad.reference')} hint={t('calendarLoad.referenceHint')} required value={reference} onValue={setReference} />
        <TextField label={t('calendarLoad.noticeTitle')} value={title} onValue={setTitle} />
        <TextField label={t('calendarLoad.publishedOn')} type="date" value={publishedOn} onValue={setPublishedOn} />
        <TextField label={t('calendarLoad.days')} hint={t('calendarLoad.daysHint')} multiline required value={days} onValue={setDays} />
        <ProblemAlert error={load.error} />
        <Submit busy={load.busy}>{t('calendarLoad.submit')}</Submit>
      </form>
      {loaded && (
        <p role="status">
          {t(loaded.created ? 'calendarLoad.loaded' : 'calendarLoad.unchanged', { year: loaded.year, version: loaded.version, n: loaded.recomputed })}
        </p>
      )}
    </section>
  );
}
