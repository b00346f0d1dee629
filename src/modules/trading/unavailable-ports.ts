import { AppError } from '../../lib/errors.js';
import type { AgreementsPort, SettlementPort } from './ports.js';

const missing = (what: string) => () => {
  throw new AppError('unavailable', `${what} is not installed on this exchange yet`);
};

/**
 * What the app uses while settlement or agreements are not plugged in (AppOptions): every call that
 * needs them answers 503, and nothing else breaks.
 */
export const settlementUnavailable: SettlementPort = {
  rails: () => [],
  openPayment: missing('settlement'),
  paymentInstructions: missing('settlement'),
  summary: async () => ({ payments: [], payouts: [], refunds: [], balances: {} }),
  releaseToProvider: missing('settlement'),
  refund: missing('settlement'),
};

export const agreementsUnavailable: AgreementsPort = {
  draftTradeAgreement: missing('agreements'),
  summary: async () => null,
};
