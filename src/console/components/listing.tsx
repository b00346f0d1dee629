// A listing's revision as buyers and operators read it: what the data is, where it comes from
// (provenance and lineage, Art. 28(1)), the Art. 26 ground, the dataset's declared bytes, the
// licence and the prices.
import type { paths } from '../api/schema';
import { useI18n } from '../i18n/i18n';
import { Link } from '../lib/router';
import { Facts } from './page';
import { Table } from './table';

type Listing = paths['/catalog/listings/{id}']['get']['responses']['200']['content']['application/json'];
export type Revision = NonNullable<Listing['working']>;
type Evidence = { sha256: string; description?: string }[];

function EvidenceList({ evidence }: { evidence: Evidence }) {
  const { t } = useI18n();
  if (evidence.length === 0) return <>{t('common.none')}</>;
  return (
    <ul class="plain">
      {evidence.map((e) => (
        <li key={e.sha256}>
          {e.description} <span class="meta">SHA-256 <code>{e.sha256}</code></span>
        </li>
      ))}
    </ul>
  );
}

export function RevisionContent({ revision }: { revision: Revision }) {
  const { t, text, money, date } = useI18n();
  const c = revision.content;
  return (
    <>
      <p class="lead">{text(c.description)}</p>
      <Facts
        items={[
          [t('listing.category'), c.category],
          [t('listing.tags'), c.tags.join('、') || '—'],
          [t('listing.grade'), t(`grade.${c.grade}`)],
          [t('listing.personalInformation'), c.personalInformation.contains ? t('listing.piYes', { n: c.personalInformation.subjectCount ?? '?' }) : t('common.no')],
          [t('listing.governmentDerived'), c.governmentDerived ? t('common.yes') : t('common.no')],
          [t('listing.formats'), c.formats.join(', ')],
          [t('listing.updateFrequency'), t(`frequency.${c.updateFrequency}`)],
          [t('listing.coverage'), `${date(c.coverage.period.start)} – ${date(c.coverage.period.end)} · ${c.coverage.area}`],
          [t('listing.deliveryMethod'), t(`delivery.${c.deliveryMethod}`)],
        ]}
      />
      <h2>{t('listing.prices')}</h2>
      <ul class="plain">
        {c.pricePlans.map((plan) => (
          <li key={plan.name}>
            <strong>{plan.name}</strong> · {money(plan.amountMinor, plan.currency)} · {plan.kind === 'subscription' ? t('plan.subscription', { period: t(`period.${plan.period ?? 'month'}`) }) : t('plan.oneOff')}
          </li>
        ))}
      </ul>
      <h2>{t('listing.licence')}</h2>
      <Facts
        items={[
          [t('licence.allowedPurposes'), c.licence.allowedPurposes.join('；')],
          [t('licence.forbiddenUses'), c.licence.forbiddenUses.join('；') || '—'],
          [t('licence.term'), t('licence.months', { n: c.licence.termMonths })],
          [t('licence.territory'), c.licence.territory],
          [t('licence.onwardTransfer'), t(`onward.${c.licence.onwardTransfer}`)],
          [t('licence.approvalRequired'), c.licence.approvalRequired ? t('common.yes') : t('common.no')],
        ]}
      />
      <h2>{t('listing.schema')}</h2>
      <Table
        caption={t('listing.schema')}
        hideCaption
        rows={c.schema.fields}
        rowKey={(f) => f.name}
        columns={[
          { header: t('schema.name'), cell: (f) => <code>{f.name}</code> },
          { header: t('schema.type'), cell: (f) => f.type },
          { header: t('schema.description'), cell: (f) => f.description },
          { header: t('schema.unit'), cell: (f) => f.unit ?? '—' },
        ]}
      />
      <h2>{t('listing.sample')}</h2>
      <pre class="sample" tabIndex={0} aria-label={t('listing.sample')}>
        {c.sample.text}
      </pre>
    </>
  );
}

export function RevisionProvenance({ revision }: { revision: Revision }) {
  const { t, text, date, dateTime } = useI18n();
  const provenance = revision.provenance;
  const ground = revision.ground?.ground;
  const version = revision.datasetVersion;
  const d = provenance?.declaration;
  return (
    <>
      <h2>{t('listing.provenance')}</h2>
      {!d ? (
        <p>{t('listing.noProvenance')}</p>
      ) : (
        <Facts
          items={[
            [t('provenance.sourceType'), t(`source.${d.sourceType}`)],
            [t('provenance.collectionMethod'), d.collectionMethod],
            [t('provenance.legalBasis'), d.legalBasis],
            [t('provenance.period'), `${date(d.collectionPeriod.start)} – ${date(d.collectionPeriod.end)}`],
            [t('provenance.area'), d.collectionArea],
            [t('provenance.processing'), d.processing],
            [t('provenance.evidence'), <EvidenceList evidence={d.evidence} />],
            [t('provenance.declaredAt'), dateTime(provenance.declaredAt)],
          ]}
        />
      )}
      <h3>{t('listing.lineage')}</h3>
      {!d?.lineage || d.lineage.length === 0 ? (
        <p>{t('listing.noLineage')}</p>
      ) : (
        <ol class="lineage">
          {d.lineage.map((step, i) => (
            <li key={`${step.orderId ?? i}`} class={`depth-${Math.min(step.depth, 5)}`}>
              {step.listingId ? <Link to={`/catalog/${step.listingId}`}>{text(step.title)}</Link> : text(step.title)}{' '}
              <span class="meta">{t('lineage.step', { depth: step.depth, ordered: dateTime(step.orderedAt), completed: dateTime(step.completedAt) })}</span>
            </li>
          ))}
        </ol>
      )}
      <h2>{t('listing.ground')}</h2>
      {!ground ? (
        <p>{t('listing.noGround')}</p>
      ) : ground.ground === 'anonymised' ? (
        <Facts
          items={[
            [t('ground.kind'), t('ground.anonymised')],
            [t('ground.method'), ground.method],
            [t('ground.risk'), ground.reidentificationRisk],
            [t('provenance.evidence'), <EvidenceList evidence={ground.evidence} />],
          ]}
        />
      ) : (
        <Facts
          items={[
            [t('ground.kind'), t('ground.authorised')],
            [t('ground.selfProduced'), ground.selfProduced ? t('common.yes') : t('common.no')],
            [t('ground.authorisedBy'), ground.authorisedBy ?? '—'],
            [t('ground.authorisation'), ground.authorisation],
            [t('provenance.evidence'), <EvidenceList evidence={ground.evidence} />],
          ]}
        />
      )}
      <h2>{t('listing.dataset')}</h2>
      {!version ? (
        <p>{t('listing.noDataset')}</p>
      ) : (
        <Facts
          items={[
            [t('dataset.file'), version.filename ?? '—'],
            [t('dataset.version'), String(version.number)],
            [t('dataset.size'), t('common.bytes', { n: version.sizeBytes })],
            [t('dataset.mediaType'), version.mediaType],
            ['SHA-256', <code class="hash">{version.sha256}</code>],
          ]}
        />
      )}
    </>
  );
}
