import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.js';
import type { Database } from '../../lib/database.js';
import type { BlobStore } from '../../lib/storage.js';
import type { AuditActor } from '../audit/events.js';
import type { AgreementsPort, AgreementSummary, OrderAgreementEvents } from '../trading/ports.js';
import type { AgreementsContext } from './context.js';
import type { AgreementRow } from './document.js';
import { draftProcurementAgreement, draftProcurementOrderAgreement, draftTradeAgreement, draftUtilizationAgreement, type ProcurementAgreementInput, type UtilizationAgreementInput } from './kinds.js';
import { installModelTexts, loadShippedModelTexts } from './model-texts.js';
import { loadAgreementFont } from './font.js';
import { agreementSummary } from './queries.js';
import { createSeal, loadSealKey } from './seal.js';

export const shippedTemplatesDir = fileURLToPath(new URL('../../../templates', import.meta.url));

export interface AgreementsDeps {
  db: Database;
  config: Pick<Config, 'agreementSeal' | 'agreementDisposalDays' | 'agreementSweepIntervalMs' | 'publicBaseUrl'>;
  events: OrderAgreementEvents;
  blobs: BlobStore;
  templatesDir?: string | undefined;
}

/** The agreements module as the rest of the service uses it: trading's port and the drafting calls of public data and procurement. */
export interface Agreements extends AgreementsPort {
  ctx: AgreementsContext;
  draftUtilizationAgreement(tx: Database, actor: AuditActor, input: UtilizationAgreementInput): Promise<AgreementRow>;
  draftProcurementAgreement(tx: Database, actor: AuditActor, input: ProcurementAgreementInput): Promise<AgreementRow>;
}

/**
 * Builds the module: checks every shipped model text (a bad one stops the start with its problems),
 * records them and reads the seal's key; the font is read once, when first needed.
 */
export async function createAgreements(deps: AgreementsDeps): Promise<Agreements> {
  const texts = loadShippedModelTexts(deps.templatesDir ?? shippedTemplatesDir);
  await installModelTexts(deps.db, texts);
  const sealKey = await loadSealKey(deps.config.agreementSeal.p12Path, deps.config.agreementSeal.passphrase);
  const ctx: AgreementsContext = {
    config: deps.config,
    events: deps.events,
    blobs: deps.blobs,
    // Read at the first render (once per process), not at start: a worker that only serves reads
    // never holds the 10 MB font.
    get font() {
      return loadAgreementFont();
    },
    seal: createSeal(sealKey),
  };
  return {
    ctx,
    async draftTradeAgreement(tx, order) {
      const row = await draftTradeAgreement(tx, ctx, order);
      return { agreementId: row.id, number: row.number };
    },
    async draftProcurementOrderAgreement(tx, order, procurement) {
      const row = await draftProcurementOrderAgreement(tx, ctx, order, procurement);
      return { agreementId: row.id, number: row.number };
    },
    summary: (db, agreementId, viewer): Promise<AgreementSummary | null> => agreementSummary(db, agreementId, viewer),
    draftUtilizationAgreement: (tx, actor, input) => draftUtilizationAgreement(tx, ctx, actor, input),
    draftProcurementAgreement: (tx, actor, input) => draftProcurementAgreement(tx, ctx, actor, input),
  };
}
