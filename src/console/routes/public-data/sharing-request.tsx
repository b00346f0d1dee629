import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { CheckboxField, Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { Page } from '../../components/page';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';
import { useIdempotencyKeys } from '../../lib/idempotency';

/**
 * A department asks another for entries of its open list (Art. 15, 16): found by searching the
 * published list, with the basis, purpose, scope and manner of the use and its term. Unconditional
 * sharing is granted at once; conditional sharing is answered within 5 working days; the API
 * refuses data not shared and the department's own, in its own words.
 */
export function SharingRequestPage() {
  const { t } = useI18n();
  const session = useSession();
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [basis, setBasis] = useState('');
  const [purpose, setPurpose] = useState('');
  const [scope, setScope] = useState('');
  const [manner, setManner] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const keys = useIdempotencyKeys();
  const results = useLoad(() => ok(api.GET('/public-data/search', { params: { query: { limit: 50, ...(searched ? { q: searched } : {}) } } })), [searched]);
  const send = useAction(async () => {
    const body = { entryIds: chosen, basis, purpose, scope, manner, term: { start, end } };
    const made = await ok(api.POST('/public-data/sharing-requests', { params: { header: { 'idempotency-key': keys.keyFor(body) } }, body }));
    navigate(`/public-data/requests/${made.id}`);
  });
  const others = (results.data?.items ?? []).filter((e) => e.departmentPartyId !== session.state.partyId);
  return (
    <Page title={t('sharing.title')}>
      <p>{t('sharing.intro')}</p>
      <form class="form narrow" role="search" onSubmit={onSubmit(() => setSearched(query))}>
        <TextField label={t('sharing.query')} type="search" value={query} onValue={setQuery} />
        <Submit busy={results.loading}>{t('sharing.search')}</Submit>
      </form>
      <form class="form" onSubmit={onSubmit(send.run)}>
        <WhenLoaded loaded={results}>
          {() =>
            others.length === 0 ? (
              <p>{t('sharing.noEntries')}</p>
            ) : (
              <fieldset>
                <legend>{t('sharing.entries')}</legend>
                {others.map((e) => (
                  <CheckboxField
                    key={e.id}
                    label={`${e.title} · ${t(`sharingClass.${e.sharingClass}`)}`}
                    checked={chosen.includes(e.id)}
                    onValue={(on) => setChosen((c) => (on ? [...c, e.id] : c.filter((id) => id !== e.id)))}
                  />
                ))}
              </fieldset>
            )
          }
        </WhenLoaded>
        <TextField label={t('pdRequest.basis')} required value={basis} onValue={setBasis} />
        <TextField label={t('pdRequest.purpose')} required value={purpose} onValue={setPurpose} />
        <TextField label={t('pdRequest.scope')} required value={scope} onValue={setScope} />
        <TextField label={t('pdRequest.manner')} required value={manner} onValue={setManner} />
        <TextField label={t('sharing.termStart')} type="date" required value={start} onValue={setStart} />
        <TextField label={t('sharing.termEnd')} type="date" required value={end} onValue={setEnd} />
        <ProblemAlert error={send.error} />
        <Submit busy={send.busy}>{t('sharing.submit')}</Submit>
      </form>
    </Page>
  );
}
