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
// operator duties, provider, card payment
import { AuditLogPage } from './operator/audit-log';
import { BankStatementPage } from './operator/bank-statement';
import { BankStatementsPage } from './operator/bank-statements';
import { ExportsPage } from './operator/exports';
import { SettlementPage } from './operator/settlement';
import { MyListingPage } from './provider/my-listing';
import { MyListingsPage, NewListingPage } from './provider/my-listings';

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
  { path: '/orders/:id', page: OrderDetailPage, access: ['buyer', 'provider', 'operator'] },
  { path: '/receipts', page: ReceiptCheckerPage, access: 'public' },
  // operator duties, provider, card payment
  { path: '/settlement', page: SettlementPage, access: ['operator'] },
  { path: '/bank-statements', page: BankStatementsPage, access: ['operator'] },
  { path: '/bank-statements/:id', page: BankStatementPage, access: ['operator'] },
  { path: '/audit', page: AuditLogPage, access: ['operator'] },
  { path: '/exports', page: ExportsPage, access: ['operator'] },
  { path: '/listings', page: MyListingsPage, access: ['provider'] },
  { path: '/listings/new', page: NewListingPage, access: ['provider'] },
  { path: '/listings/:id', page: MyListingPage, access: ['provider'] },
];
