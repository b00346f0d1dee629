/**
 * A calendar day typed in a form (YYYY-MM-DD), as the instant it starts or ends in Asia/Shanghai
 * (UTC+8, no summer time), which is how the console shows every time: a period "from 1 to 30
 * November" means Beijing's days whatever the browser's zone.
 */
export function shanghaiDayStart(day: string): string {
  return new Date(`${day}T00:00:00+08:00`).toISOString();
}

/** The first instant of the day after: periods end before it (`to` is exclusive in the API). */
export function shanghaiDayEnd(day: string): string {
  return new Date(new Date(`${day}T00:00:00+08:00`).getTime() + 86_400_000).toISOString();
}

/** Today's date in Asia/Shanghai, YYYY-MM-DD. */
export function shanghaiToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}
