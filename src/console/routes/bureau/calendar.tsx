import { api, ok } from '../../api/client';
import { WhenLoaded } from '../../components/loaded';
import { Facts, Page } from '../../components/page';
import { LoadedTable, Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useLoad } from '../../lib/use-load';
import { CalendarLoad } from './calendar-load';

/**
 * The working-day calendar the deadlines count on (Art. 16, 18): every stored year at its current
 * version, with its source (the State Council's notice, or the seeded package) and how many
 * holidays and make-up working days it lists. A year not stored counts on weekends alone: the
 * deadlines that touch it are provisional.
 */
export function CalendarPage() {
  const { t, dateTime } = useI18n();
  const session = useSession();
  const years = useLoad(async () => ({ items: (await ok(api.GET('/calendar/years'))).toReversed() }), []);
  return (
    <Page title={t('calendar.title')}>
      <p>{t('calendar.intro')}</p>
      <LoadedTable
        loaded={years}
        empty={t('calendar.none')}
        caption={(count) => t('calendar.caption', { count })}
        rowKey={(y) => String(y.year)}
        columns={[
          { header: t('calendar.year'), cell: (y) => <Link to={`/calendar/${y.year}`}>{y.year}</Link> },
          { header: t('calendar.version'), cell: (y) => y.version },
          { header: t('calendar.source'), cell: (y) => y.notice?.reference ?? y.source },
          { header: t('calendar.holidays'), cell: (y) => y.holidays },
          { header: t('calendar.workdays'), cell: (y) => y.workdays },
          { header: t('calendar.loadedAt'), cell: (y) => dateTime(y.loadedAt) },
        ]}
      />
      {session.has('bureau') && <CalendarLoad onLoaded={years.reload} />}
    </Page>
  );
}

/** A year of the calendar: its holidays and make-up working days, its notice and every version it has had. */
export function CalendarYearPage({ year }: { year: string }) {
  const { t, date, dateTime } = useI18n();
  const loaded = useLoad(() => ok(api.GET('/calendar/years/{year}', { params: { path: { year: Number(year) } } })), [year]);
  return (
    <Page title={t('calendar.yearTitle', { year })} actions={<Link to="/calendar">{t('calendar.back')}</Link>}>
      <WhenLoaded loaded={loaded}>
        {(y) => (
          <>
            <Facts
              items={[
                [t('calendar.version'), y.version],
                [t('calendar.source'), y.source],
                [t('calendar.notice'), y.notice ? `${y.notice.reference}${y.notice.title ? ` ${y.notice.title}` : ''}${y.notice.publishedOn ? `（${date(y.notice.publishedOn)}）` : ''}` : t('calendar.noNotice')],
                [t('calendar.loadedAt'), dateTime(y.loadedAt)],
              ]}
            />
            <Table
              caption={t('calendar.days')}
              rows={y.days}
              rowKey={(d) => d.date}
              columns={[
                { header: t('calendar.date'), cell: (d) => date(d.date) },
                { header: t('calendar.kind'), cell: (d) => t(`calendarDay.${d.kind}`) },
                { header: t('calendar.holidayName'), cell: (d) => d.name },
              ]}
            />
            <Table
              caption={t('calendar.history')}
              rows={y.history}
              rowKey={(h) => String(h.version)}
              columns={[
                { header: t('calendar.version'), cell: (h) => h.version },
                { header: t('calendar.source'), cell: (h) => h.notice?.reference ?? h.source },
                { header: t('calendar.loadedAt'), cell: (h) => dateTime(h.loadedAt) },
              ]}
            />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
