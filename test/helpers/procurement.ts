/** What the tests read of a procurement. */
export interface ProcurementShape {
  id: string;
  number: string;
  status: string;
  amountMinor: number;
  bureauPartyId: string;
  needIds: string[];
  orderId: string;
  shares: { departmentPartyId: string; amountMinor: number; committedAt: string | null }[];
  steps: { action: string; receipt: string }[];
}

/** The body of a response with the status expected, or a failure naming what came instead. */
export async function ok<T = unknown>(res: { statusCode: number; body: string }, status = 200): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 400)}`);
  return JSON.parse(res.body || 'null') as T;
}
