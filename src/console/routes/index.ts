// Every page of the console: its path under /console, what it shows, and who sees it. A page for
// a role the user lacks is not in their navigation and answers "not for you" if opened by its
// address; the API refuses its calls anyway.
import type { FunctionComponent } from 'preact';
import type { Role } from '../lib/session';
import { NotificationsPage } from './account/notifications';
import { PartiesPage } from './account/parties';
import { PartyPage } from './account/party';
import { RegisterPage } from './account/register';
import { SetupPage } from './account/setup';
import { SignInPage } from './account/sign-in';
import { CatalogSearchPage } from './buyer/catalog-search';
import { ListingPage } from './buyer/listing';
import { OrderFormPage } from './buyer/order-form';
import { ListingQueuePage } from './operator/listing-queue';
import { ListingReviewPage } from './operator/listing-review';
import { OverviewPage } from './operator/overview';
import { PartyQueuePage } from './operator/party-queue';
import { PartyReviewPage } from './operator/party-review';
import { OrderDetailPage } from './orders/order-detail';
import { OrderListPage } from './orders/order-list';
import { ReceiptCheckerPage } from './receipts/receipt-checker';
import { AgreementInboxPage, ModelTextsPage } from './bureau/agreements';
import { CalendarPage, CalendarYearPage } from './bureau/calendar';
import { ProcurementDetailPage } from './bureau/procurement-detail';
import { ProcurementListPage } from './bureau/procurement-list';
import { DemandsPage } from './public-data/demands';
import { DutiesPage } from './public-data/duties';
import { EntryDetailPage } from './public-data/entry-detail';
import { EntryListPage, NewEntryPage } from './public-data/entry-list';
import { ObjectionsPage } from './public-data/objections';
import { RequestDetailPage } from './public-data/request-detail';
import { RequestListPage } from './public-data/request-list';
import { SharingRequestPage } from './public-data/sharing-request';
// operator duties, provider, card payment
import { AuditLogPage } from './operator/audit-log';
import { BankStatementPage } from './operator/bank-statement';
import { BankStatementsPage } from './operator/bank-statements';
import { ExportsPage } from './operator/exports';
import { SettlementPage } from './operator/settlement';
import { MyListingPage } from './provider/my-listing';
import { MyListingsPage, NewListingPage } from './provider/my-listings';
// money: refunds, providers' balances, card disputes
import { CardDisputesPage } from './operator/card-disputes';
import { PaymentRefundPage } from './operator/payment-refund';
import { ProviderBalancesPage } from './operator/provider-balances';
import { RefundsPage } from './operator/refunds';
import { MyPayoutsPage } from './provider/my-payouts';
// applicant
import { ApplyPage, OpenEntryPage } from './public-data/open-entry';
import { OpenListPage } from './public-data/open-list';
// bureau decisions
import { BudgetsPage } from './bureau/budgets';
import { OpeningPrioritiesPage } from './bureau/opening-priorities';
import { CorrectionOrderPage } from './public-data/correction-order';
// applicant's orders to correct and several entries at once; cross-border
import { CorrectionOrdersPage } from './public-data/correction-orders';
import { RequestBasketPage } from './public-data/request-basket';
import { SecurityAssessmentsPage } from './operator/security-assessments';
// accounts
import { UserPage, UsersPage } from './operator/users';
import { PasswordPage } from './account/password';

export interface ConsoleRoute {
  path: string;
  // Each page takes its path's parameters as props.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  page: FunctionComponent<any>;
  /** 'public': also signed out; 'signed-in': any role; else these roles. */
  access: 'public' | 'signed-in' | Role[];
}

export const routes: ConsoleRoute[] = [
  { path: '/sign-in', page: SignInPage, access: 'public' },
  { path: '/setup', page: SetupPage, access: 'public' },
  { path: '/register', page: RegisterPage, access: 'public' },
  { path: '/', page: NotificationsPage, access: 'signed-in' },
  { path: '/parties', page: PartiesPage, access: ['buyer', 'provider', 'department', 'bureau'] },
  { path: '/parties/:id', page: PartyPage, access: ['buyer', 'provider', 'department', 'bureau'] },
  { path: '/supervision', page: OverviewPage, access: ['operator'] },
  { path: '/review/parties', page: PartyQueuePage, access: ['operator'] },
  { path: '/review/parties/:id', page: PartyReviewPage, access: ['operator'] },
  { path: '/review/listings', page: ListingQueuePage, access: ['operator'] },
  { path: '/review/listings/:id', page: ListingReviewPage, access: ['operator'] },
  { path: '/catalog', page: CatalogSearchPage, access: ['buyer', 'provider', 'operator'] },
  { path: '/catalog/:id', page: ListingPage, access: ['buyer', 'provider', 'operator'] },
  { path: '/catalog/:id/order', page: OrderFormPage, access: ['buyer'] },
  { path: '/orders', page: OrderListPage, access: ['buyer', 'provider', 'operator'] },
  { path: '/orders/:id', page: OrderDetailPage, access: ['buyer', 'provider', 'operator', 'bureau'] },
  { path: '/receipts', page: ReceiptCheckerPage, access: 'public' },
  // department and bureau
  { path: '/public-data/entries', page: EntryListPage, access: ['department', 'bureau'] },
  { path: '/public-data/entries/new', page: NewEntryPage, access: ['department'] },
  { path: '/public-data/entries/:id', page: EntryDetailPage, access: ['department', 'bureau'] },
  { path: '/public-data/requests', page: RequestListPage, access: ['buyer', 'provider', 'department', 'bureau'] },
  { path: '/public-data/requests/:id', page: RequestDetailPage, access: ['buyer', 'provider', 'department', 'bureau'] },
  { path: '/public-data/sharing/new', page: SharingRequestPage, access: ['department'] },
  { path: '/public-data/objections', page: ObjectionsPage, access: ['department', 'bureau'] },
  { path: '/public-data/demands', page: DemandsPage, access: ['department', 'bureau'] },
  { path: '/public-data/duties', page: DutiesPage, access: ['department', 'bureau'] },
  { path: '/procurement', page: ProcurementListPage, access: ['department', 'bureau'] },
  { path: '/procurement/procurements/:id', page: ProcurementDetailPage, access: ['department', 'bureau'] },
  { path: '/agreements/model-texts', page: ModelTextsPage, access: ['bureau'] },
  { path: '/agreements/inbox', page: AgreementInboxPage, access: ['bureau'] },
  { path: '/calendar', page: CalendarPage, access: ['department', 'bureau'] },
  { path: '/calendar/:year', page: CalendarYearPage, access: ['department', 'bureau'] },
  // operator duties, provider, card payment
  { path: '/settlement', page: SettlementPage, access: ['operator'] },
  { path: '/bank-statements', page: BankStatementsPage, access: ['operator'] },
  { path: '/bank-statements/:id', page: BankStatementPage, access: ['operator'] },
  { path: '/audit', page: AuditLogPage, access: ['operator'] },
  { path: '/exports', page: ExportsPage, access: ['operator'] },
  { path: '/listings', page: MyListingsPage, access: ['provider'] },
  { path: '/listings/new', page: NewListingPage, access: ['provider'] },
  { path: '/listings/:id', page: MyListingPage, access: ['provider'] },
  // applicant
  { path: '/public-data/open', page: OpenListPage, access: ['buyer', 'provider', 'department'] },
  { path: '/public-data/open/:id', page: OpenEntryPage, access: ['buyer', 'provider', 'department'] },
  { path: '/public-data/open/:id/apply', page: ApplyPage, access: ['buyer', 'provider'] },
  // bureau decisions
  { path: '/public-data/opening-priorities', page: OpeningPrioritiesPage, access: ['bureau'] },
  { path: '/budgets', page: BudgetsPage, access: ['bureau'] },
  { path: '/public-data/orders/:id', page: CorrectionOrderPage, access: ['buyer', 'provider', 'department', 'bureau'] },
  // money: refunds, providers' balances, card disputes
  { path: '/refunds', page: RefundsPage, access: ['operator'] },
  { path: '/payments/:id/refund', page: PaymentRefundPage, access: ['operator'] },
  { path: '/provider-balances', page: ProviderBalancesPage, access: ['operator'] },
  { path: '/card-disputes', page: CardDisputesPage, access: ['operator'] },
  { path: '/payouts', page: MyPayoutsPage, access: ['provider'] },
  // applicant's orders to correct and several entries at once; cross-border
  { path: '/public-data/apply', page: RequestBasketPage, access: ['buyer', 'provider'] },
  { path: '/public-data/orders', page: CorrectionOrdersPage, access: ['buyer', 'provider'] },
  { path: '/security-assessments', page: SecurityAssessmentsPage, access: ['operator'] },
  // accounts
  { path: '/users', page: UsersPage, access: ['operator'] },
  { path: '/users/:id', page: UserPage, access: ['operator'] },
  { path: '/account/password', page: PasswordPage, access: 'signed-in' },
];
