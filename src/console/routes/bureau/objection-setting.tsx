import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { Submit, TextField } from '../../components/fields';
import { WhenLoaded } from '../../components/loaded';
import { ProblemAlert } from '../../components/problem';
import { useI18n } from '../../i18n/i18n';
import { onSubmit, useAction } from '../../lib/use-action';
import { useLoad } from '../../lib/use-load';

/** The bureau changes the working days; the form starts from what is set. */
function SettingForm({ current, onChanged }: { current: number; onChanged(days: number): void }) {
  const { t } = useI18n();
  const [days, setDays] = useState(String(current));
  const change = useAction(async () => {
    const saved = await ok(api.PUT('/public-data/settings', { body: { objectionAnswerWorkingDays: Number(days) } }));
    onChanged(saved.objectionAnswerWorkingDays);
  });
  return (
    <form class="form narrow" onSubmit={onSubmit(change.run)}>
      <TextField label={t('objectionSetting.days')} hint={t('objectionSetting.daysHint')} type="number" step="1" required value={days} onValue={setDays} />
      <ProblemAlert error={change.error} />
      <Submit busy={change.busy}>{t('objectionSetting.save')}</Submit>
    </form>
  );
}

/**
 * The working days a department has to answer an objection (Art. 22), which the bureau sets:
 * objections received from then on are due by it, those already received keep their deadline.
 */
export function ObjectionSetting() {
  const { t } = useI18n();
  const settings = useLoad(() => ok(api.GET('/public-data/settings')), []);
  const [saved, setSaved] = useState<number | null>(null);
  return (
    <section aria-labelledby="objection-setting-heading">
      <h2 id="objection-setting-heading">{t('objectionSetting.title')}</h2>
      <WhenLoaded loaded={settings}>
        {(s) => (
          <>
            <p>{t('objectionSetting.current', { n: s.objectionAnswerWorkingDays })}</p>
            {saved !== null && <p role="status">{t('objectionSetting.saved', { n: saved })}</p>}
            <SettingForm
              current={s.objectionAnswerWorkingDays}
              onChanged={(n) => {
                setSaved(n);
                settings.reload();
              }}
            />
          </>
        )}
      </WhenLoaded>
    </section>
  );
}
