/**
 * The console's page for what an API path names (a notification's link), when it has one:
 * an order's, a public-data request's, entry's or order to correct's, a procurement's page. Other links are shown as text.
 */
export function consoleLinkOf(apiPath: string): string | null {
  const order = /^\/orders\/([0-9a-f-]{36})$/.exec(apiPath);
  if (order) return `/orders/${order[1]}`;
  const page = /^\/(public-data\/requests|public-data\/entries|public-data\/orders|procurement\/procurements)\/([0-9a-f-]{36})$/.exec(apiPath);
  if (page) return `/${page[1]}/${page[2]}`;
  return null;
}
