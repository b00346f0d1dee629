import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { CheckboxField } from '../../components/fields';
import { Loading, Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { consoleLinkOf } from '../../lib/links';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';

type Notification = paths['/me/notifications']['get']['responses']['200']['content']['application/json']['items'][number];

/**
 * What waits for the user's parties (GET /me/notifications), newest first, each with its read
 * state; reading is per user (POST /me/notifications/read).
 */
export function NotificationsPage() {
  const { t, text, dateTime } = useI18n();
  const { me } = useSession();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [extra, setExtra] = useState<Notification[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const list = useLoad(async () => {
    const page = await ok(api.GET('/me/notifications', { params: { query: { limit: 20, ...(unreadOnly ? { unread: true } : {}) } } }));
    setExtra([]);
    setNext(page.next);
    return page;
  }, [unreadOnly]);
  const more = useAction(async () => {
    if (!next) return;
    const page = await ok(api.GET('/me/notifications', { params: { query: { limit: 20, cursor: next, ...(unreadOnly ? { unread: true } : {}) } } }));
    setExtra((items) => [...items, ...page.items]);
    setNext(page.next);
  });
  const mark = useAction(async (ids: string[]) => {
    await ok(api.POST('/me/notifications/read', { body: { ids } }));
    list.reload();
  });
  const items = [...(list.data?.items ?? []), ...extra];
  const unread = items.filter((n) => !n.readAt).map((n) => n.id);

  return (
    <Page title={t('notifications.title')}>
      {me && <p>{t('home.welcome', { name: me.displayName })}</p>}
      <div class="toolbar">
        <CheckboxField label={t('notifications.unreadOnly')} checked={unreadOnly} onValue={setUnreadOnly} />
        <button type="button" disabled={unread.length === 0 || mark.busy} onClick={() => void mark.run(unread.slice(0, 100))}>
          {t('notifications.markAllRead')}
        </button>
      </div>
      {list.data && (
        <p role="status">{t('notifications.unreadCount', { count: list.data.unread })}</p>
      )}
      <ProblemAlert error={list.error ?? mark.error ?? more.error} />
      {list.loading && !list.data ? (
        <Loading label={t('common.loading')} />
      ) : items.length === 0 ? (
        <p>{t('notifications.none')}</p>
      ) : (
        <ul class="cards" aria-label={t('notifications.title')}>
          {items.map((n) => {
            const to = consoleLinkOf(n.link);
            return (
              <li key={n.id} class={n.readAt ? 'card read' : 'card unread'}>
                <p class="card-title">
                  <span class="badge">{n.readAt ? t('notifications.read') : t('notifications.unread')}</span>{' '}
                  {to ? <Link to={to}>{text(n.title)}</Link> : text(n.title)}
                </p>
                <p class="meta">
                  {t('notifications.createdAt', { at: dateTime(n.createdAt) })}
                  {n.dueAt && <> · {t('notifications.dueAt', { at: dateTime(n.dueAt) })}</>}
                </p>
                {!n.readAt && (
                  <button type="button" class="small" disabled={mark.busy} onClick={() => void mark.run([n.id])} aria-label={t('notifications.markReadOf', { title: text(n.title) })}>
                    {t('notifications.markRead')}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {next && (
        <button type="button" onClick={() => void more.run()} disabled={more.busy}>
          {t('common.more')}
        </button>
      )}
    </Page>
  );
}
