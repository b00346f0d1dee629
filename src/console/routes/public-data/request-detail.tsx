import { api, ok } from '../../api/client';
import { Facts, Page } from '../../components/page';
import { WhenLoaded } from '../../components/loaded';
import { StateTrack } from '../../components/state-track';
import { changeOf, StepTable } from '../../components/steps';
import { useI18n } from '../../i18n/i18n';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useLoad } from '../../lib/use-load';
import { AgreementSection } from '../orders/order-actions';
import { AnswerForm, ExtensionForm } from './request-answer';
import { RequestUsage } from './request-usage';
import { Deadline, requestPath, type PublicDataRequest, type RequestState } from './request-parts';

/**
 * The request's steps: the audit events about it that concern the acting party (the department or
 * the applicant hold a receipt of each; GET /parties/{id}/audit-events), oldest first. The bureau
 * acts for neither side, and the API gives it no steps of a request.
 */
function RequestSteps({ request, partyId }: { request: PublicDataRequest; partyId: string | null }) {
  const { t, tryT } = useI18n();
  const side = partyId !== null && (partyId === request.departmentPartyId || partyId === request.applicantPartyId);
  const events = useLoad(
    async () => (side ? (await ok(api.GET('/parties/{id}/audit-events', { params: { path: { id: partyId! }, query: { subjectId: request.id, limit: 100 } } }))).items.reverse() : null),
    [request.updatedAt, partyId],
  );
  const state = (s: string) => tryT(`pdState.${s}`) ?? s;
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading">{t('pdRequest.steps')}</h2>
      {!side ? (
        <p>{t('pdRequest.stepsOfSides')}</p>
      ) : (
        <WhenLoaded loaded={events}>
          {(items) =>
            items && (
              <StepTable
                caption={t('pdRequest.steps')}
                steps={items.map((e) => {
                  const payload = e.payload as { from?: string | null; to?: string };
                  const step = e.action.replace(/^public_data\.request_/, '');
                  return {
                    auditEventId: e.id,
                    at: e.occurredAt,
                    action: tryT(`pdStep.${step}`) ?? e.action,
                    change: changeOf(state, payload.from, payload.to),
                    actor: e.actor.role ? (tryT(`role.${e.actor.role}`) ?? e.actor.role) : t('step.system'),
                  };
                })}
              />
            )
          }
        </WhenLoaded>
      )}
    </section>
  );
}

/**
 * A public-data request (conditional opening, Art. 18 ¶2, or sharing, Art. 16): its place on the
 * request's state machine, what it asks, its deadline (provisional ones marked), the extension and
 * answer; the department's next steps; the utilization agreement; every step with its receipt.
 */
export function RequestDetailPage({ id }: { id: string }) {
  const { t, date, dateTime } = useI18n();
  const session = useSession();
  const request = useLoad(() => ok(api.GET('/public-data/requests/{id}', { params: { path: { id } } })), [id]);
  const r = request.data;
  const partyId = session.state.partyId;
  const department = partyId !== null && r?.departmentPartyId === partyId;
  const entryLink = (entryId: string) => (session.has('department', 'bureau') ? <Link to={`/public-data/entries/${entryId}`}>{entryId}</Link> : <code>{entryId}</code>);
  return (
    <Page title={r ? t('pdRequest.title', { kind: t(`pdKind.${r.kind}`) }) : t('pdRequest.titleLoading')} actions={<Link to="/public-data/requests">{t('pdRequest.back')}</Link>}>
      <WhenLoaded loaded={request}>
        {(r) => (
          <>
            <p class="status-line">
              {t('pdRequest.state')}: <strong class={`status status-${r.state}`}>{t(`pdState.${r.state}`)}</strong>
            </p>
            <StateTrack<RequestState>
              label={t('pdRequest.stateTrack')}
              path={r.extension ? ['received', 'extended', ...requestPath.slice(1)] : requestPath}
              visited={[...(r.extension ? (['received', 'extended'] as const) : (['received'] as const)), ...(r.answer ? [r.answer.decision] : [])]}
              current={r.state}
              name={(s) => t(`pdState.${s}`)}
            />
            <Facts
              items={[
                [t('pdRequest.kind'), t(`pdKind.${r.kind}`)],
                [t('pdRequest.applicant'), <code>{r.applicantPartyId}</code>],
                [t('pdRequest.entries'), <ul class="plain">{r.entryIds.map((e) => <li key={e}>{entryLink(e)}</li>)}</ul>],
                [t('pdRequest.purpose'), r.purpose],
                ...(r.kind === 'open'
                  ? ([
                      [t('pdRequest.scenario'), r.scenario],
                      [t('pdRequest.safeguards'), r.safeguards],
                    ] as [string, string | null][])
                  : ([
                      [t('pdRequest.basis'), r.basis],
                      [t('pdRequest.scope'), r.scope],
                      [t('pdRequest.manner'), r.manner],
                    ] as [string, string | null][])),
                [t('pdRequest.term'), `${date(r.term.start)} – ${date(r.term.end)}`],
                [t('pdRequest.receivedAt'), dateTime(r.receivedAt)],
                [t('pdRequest.dueAt'), <Deadline request={r} />],
                [t('pdRequest.workingDays'), t('pdRequest.workingDaysValue', { n: r.deadline.answerWorkingDays, versions: Object.entries(r.deadline.calendarVersions).map(([y, v]) => `${y} v${v}`).join(', ') })],
                ...(r.extension
                  ? ([[t('pdRequest.extension'), t('pdRequest.extensionValue', { n: r.extension.workingDays, name: r.extension.approverName, title: r.extension.approverTitle, at: dateTime(r.extension.approvedAt), reason: r.extension.reason })]] as [string, string][])
                  : []),
                ...(r.answer
                  ? ([[t('pdRequest.answer'), `${t(`pdState.${r.answer.decision}`)}（${dateTime(r.answeredAt)}）${r.answer.reasons ? `：${r.answer.reasons}` : ''}${r.answer.legalBasis ? ` · ${r.answer.legalBasis.title}${r.answer.legalBasis.article ?? ''}` : ''}`]] as [string, string][])
                  : []),
                ...(r.reportEveryMonths ? ([[t('pdRequest.reportEvery'), t('pdAnswer.months', { n: r.reportEveryMonths })]] as [string, string][]) : []),
              ]}
            />
            {department && r.nextSteps.includes('extend') && <ExtensionForm request={r} onChange={request.reload} />}
            {department && r.nextSteps.includes('approve') && <AnswerForm request={r} onChange={request.reload} />}
            {r.agreementId && <AgreementSection agreementId={r.agreementId} partyId={partyId} onChange={request.reload} />}
            {r.kind === 'open' && r.agreementId && <RequestUsage requestId={r.id} canOrder={department || session.has('bureau')} />}
            <RequestSteps request={r} partyId={partyId} />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
