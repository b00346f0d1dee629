/**
 * An amount typed in yuan (`5000`, `5,000.5`, `5000.50`) as minor units (fen), exactly: read as
 * digits, never through a binary fraction. NaN when it is not an amount with at most two decimals,
 * which the API then refuses with its own words.
 */
export function minorOf(yuan: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.replace(/[,，\s]/g, ''));
  if (!match) return Number.NaN;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Minor units as the plain amount a form field holds (`5000.00`). */
export function yuanOf(minor: number): string {
  return `${Math.trunc(minor / 100)}.${String(Math.abs(minor % 100)).padStart(2, '0')}`;
}
