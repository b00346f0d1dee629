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
import { EntryVersions } from './open-entry';
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

/** One entry the request grants, with its versions to download (Art. 19 ¶2: within the term, once the agreement is sealed). */
function GrantedEntry({ entryId }: { entryId: string }) {
  const { t, text } = useI18n();
  const entry = useLoad(() => ok(api.GET('/public-data/entries/{id}', { params: { path: { id: entryId } } })), [entryId]);
  const title = entry.data?.live ? text(entry.data.live.content.title) : entryId;
  return (
    <>
      <h3>
        <Link to={`/public-data/open/${entryId}`}>{title}</Link>
      </h3>
      <EntryVersions entryId={entryId} caption={t('applicantData.versions', { title })} canDownload />
    </>
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
  const applicant = partyId !== null && r?.applicantPartyId === partyId;
  // The keepers read an entry on their list; an applicant (a department too, when it asked another) its public page.
  const entryLink = (entryId: string) => <Link to={applicant || !session.has('department', 'bureau') ? `/public-data/open/${entryId}` : `/public-data/entries/${entryId}`}>{entryId}</Link>;
  // The applicant has the data once the agreement is sealed (opening: the sweep moves the request
  // on later, access does not wait for it) or once granted (sharing); the API checks the term.
  const agreement = useLoad(async () => (applicant && r?.kind === 'open' && r.agreementId ? ok(api.GET('/agreements/{id}', { params: { path: { id: r.agreementId } } })) : null), [r?.agreementId, r?.updatedAt, applicant]);
  const granted = (r: PublicDataRequest) =>
    r.kind === 'open' ? agreement.data?.status === 'signed' && ['approved', 'signed', 'active'].includes(r.state) : r.state === 'approved' || r.state === 'active';
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
            {r.agreementId && <AgreementSection agreementId={r.agreementId} partyId={partyId} onChange={() => (request.reload(), agreement.reload())} />}
            {applicant && granted(r) && (
              <section aria-labelledby="request-data-heading">
                <h2 id="request-data-heading">{t('applicantData.title')}</h2>
                <p>{t('applicantData.intro', { start: date(r.term.start), end: date(r.term.end) })}</p>
                {(r.approvedEntryIds ?? r.entryIds).map((e) => (
                  <GrantedEntry key={e} entryId={e} />
                ))}
              </section>
            )}
            {r.kind === 'open' && r.agreementId && <RequestUsage requestId={r.id} canOrder={department || session.has('bureau')} user={applicant && granted(r)} />}
            <RequestSteps request={r} partyId={partyId} />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
