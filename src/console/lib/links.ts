/**
 * The console's page for what an API path names (a notification's link), when it has one:
 * `/orders/{id}` is the order's page. Other links are shown as text.
 */
export function consoleLinkOf(apiPath: string): string | null {
  const order = /^\/orders\/([0-9a-f-]{36})$/.exec(apiPath);
  if (order) return `/orders/${order[1]}`;
  return null;
}
