import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { SelectField, Submit, TextField } from '../../components/fields';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { Table } from '../../components/table';
import { useI18n } from '../../i18n/i18n';
import { Link, useLocation } from '../../lib/router';
import { shanghaiDayEnd, shanghaiDayStart } from '../../lib/shanghai-day';
import { onSubmit, useAction } from '../../lib/use-action';

type AuditEvent = paths['/audit/events']['get']['responses']['200']['content']['application/json']['items'][number];
type Relation = 'actor' | 'concerned';

interface Filters {
  action: string;
  subjectType: string;
  subjectId: string;
  party: string;
  relation: Relation;
  from: string;
  to: string;
}

const PAGE = 50;

/**
 * The audit log for operators, filtered as the API allows: by action (`order.*` for a family), by
 * subject, by the party that acted (GET /audit/events?actorPartyId=) or the party an event
 * concerns (GET /parties/{id}/audit-events), and by Beijing days; newest first, more by cursor.
 * Each event links to the receipt checker with its receipt filled in.
 */
export function AuditLogPage() {
  const { t, dateTime, tryT } = useI18n();
  const { query } = useLocation();
  const [filters, setFilters] = useState<Filters>({
    action: query.get('action') ?? '',
    subjectType: query.get('subjectType') ?? '',
    subjectId: query.get('subjectId') ?? '',
    party: query.get('party') ?? '',
    relation: query.get('relation') === 'concerned' ? 'concerned' : 'actor',
    from: '',
    to: '',
  });
  const set = (change: Partial<Filters>) => setFilters({ ...filters, ...change });
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);

  const page = async (cursor: string | undefined) => {
    const f = filters;
    const common = { limit: PAGE, ...(cursor ? { cursor } : {}), ...(f.action ? { action: f.action.trim() } : {}), ...(f.subjectId ? { subjectId: f.subjectId.trim() } : {}) };
    if (f.party && f.relation === 'concerned') return ok(api.GET('/parties/{id}/audit-events', { params: { path: { id: f.party.trim() }, query: common } }));
    return ok(
      api.GET('/audit/events', {
        params: {
          query: {
            ...common,
            ...(f.subjectType ? { subjectType: f.subjectType.trim() } : {}),
            ...(f.party ? { actorPartyId: f.party.trim() } : {}),
            ...(f.from ? { from: shanghaiDayStart(f.from) } : {}),
            ...(f.to ? { to: shanghaiDayEnd(f.to) } : {}),
          },
        },
      }),
    );
  };
  const search = useAction(async () => {
    const answer = await page(undefined);
    setEvents(answer.items);
    setNext(answer.next);
  });
  const more = useAction(async () => {
    if (!next) return;
    const answer = await page(next);
    setEvents([...(events ?? []), ...answer.items]);
    setNext(answer.next);
  });
  const concerned = filters.party !== '' && filters.relation === 'concerned';
  // Opened from a party's or an order's page with its filters in the address: search at once.
  useEffect(() => {
    if (query.size > 0) void search.run();
  }, []);

  return (
    <Page title={t('audit.title')}>
      <p class="lead">{t('audit.intro')}</p>
      <form class="form" onSubmit={onSubmit(search.run)} aria-label={t('audit.filters')}>
        <div class="row">
          <TextField label={t('audit.action')} hint={t('audit.actionHint')} value={filters.action} onValue={(action) => set({ action })} />
          <TextField label={t('audit.subjectType')} hint={concerned ? t('audit.notWithConcerned') : t('audit.subjectTypeHint')} value={filters.subjectType} onValue={(subjectType) => set({ subjectType })} />
          <TextField label={t('audit.subjectId')} value={filters.subjectId} onValue={(subjectId) => set({ subjectId })} />
        </div>
        <div class="row">
          <TextField label={t('audit.party')} hint={t('audit.partyHint')} value={filters.party} onValue={(party) => set({ party })} />
          <SelectField
            label={t('audit.relation')}
            value={filters.relation}
            onValue={(relation) => set({ relation })}
            options={[
              { value: 'actor', label: t('audit.relationActor') },
              { value: 'concerned', label: t('audit.relationConcerned') },
            ]}
          />
        </div>
        <div class="row">
          <TextField label={t('audit.from')} hint={concerned ? t('audit.notWithConcerned') : t('audit.dayHint')} type="date" value={filters.from} onValue={(from) => set({ from })} />
          <TextField label={t('audit.to')} type="date" value={filters.to} onValue={(to) => set({ to })} />
        </div>
        <ProblemAlert error={search.error} />
        <Submit busy={search.busy}>{t('audit.search')}</Submit>
      </form>
      {events && (
        <div role="status">
          {events.length === 0 ? (
            <p>{t('audit.none')}</p>
          ) : (
            <Table
              caption={t('audit.caption', { n: events.length })}
              rows={events}
              rowKey={(e) => e.id}
              columns={[
                { header: t('audit.at'), cell: (e) => dateTime(e.occurredAt) },
                { header: t('audit.action'), cell: (e) => <code>{e.action}</code> },
                { header: t('audit.subject'), cell: (e) => <>{e.subject.type} <code>{e.subject.id.slice(0, 8)}</code></> },
                { header: t('audit.actor'), cell: (e) => [e.actor.role ? (tryT(`role.${e.actor.role}`) ?? e.actor.role) : t('step.system'), e.actor.partyId?.slice(0, 8)].filter(Boolean).join(' · ') },
                { header: t('audit.leaf'), cell: (e) => (e.leafIndex === null ? t('audit.notYetInLog') : e.leafIndex) },
                {
                  header: t('step.receipt'),
                  cell: (e) => (
                    <Link to={`/receipts?event=${e.id}`} aria-label={t('audit.checkReceiptOf', { action: e.action, seq: e.seq })}>
                      {t('step.checkReceipt')}
                    </Link>
                  ),
                },
              ]}
            />
          )}
        </div>
      )}
      {next && (
        <button type="button" onClick={() => void more.run()} disabled={more.busy}>
          {t('common.more')}
        </button>
      )}
      <ProblemAlert error={more.error} />
    </Page>
  );
}
