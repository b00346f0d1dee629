/**
 * The fee on what the provider still receives after a partial refund: the order's fee pro rata to
 * the part of the price released, `fee × released / price`, rounded half up to the minor unit
 * (integer arithmetic, no floats). A full release keeps the whole fee; a full refund none.
 */
export function feeOnReleased(feeMinor: number, amountMinor: number, releasedMinor: number): number {
  if (releasedMinor <= 0) return 0;
  if (releasedMinor >= amountMinor) return feeMinor;
  return Number((BigInt(feeMinor) * BigInt(releasedMinor) * 2n + BigInt(amountMinor)) / (2n * BigInt(amountMinor)));
}

/**
 * Bank references: `DX-` + 8 characters of Crockford's base 32 + 2 check digits, computed as in
 * ISO 7064 MOD 97-10 over the body read as a base-32 number: every single wrong character and every
 * swap of two neighbours changes the number by a multiple of 32^k times a value 97 does not divide,
 * so the check digits catch it.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function mod97(body: string): number {
  let rest = 0;
  for (const c of body) rest = (rest * 32 + CROCKFORD.indexOf(c)) % 97;
  return rest;
}

/** A new payment reference, e.g. `DX-7K4M-9PQ2-41`: short enough to type, checked when typed back. */
export function newBankReference(random: (n: number) => number): string {
  let body = '';
  for (let i = 0; i < 8; i++) body += CROCKFORD[random(CROCKFORD.length)];
  const check = String(98 - ((mod97(body) * 100) % 97)).padStart(2, '0');
  return `DX-${body.slice(0, 4)}-${body.slice(4)}-${check}`;
}

/**
 * A reference as a person typed it (any case, spaces or hyphens, O for 0, I or L for 1), in its one
 * spelling, or null when it is not a well-formed reference with the right check digits.
 */
export function normaliseBankReference(typed: string): string | null {
  const compact = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const match = /^DX([0-9A-HJKMNP-TV-Z]{8})([0-9]{2})$/.exec(compact);
  if (!match) return null;
  const [, body, check] = match;
  if ((mod97(body!) * 100 + Number(check)) % 97 !== 1) return null;
  return `DX-${body!.slice(0, 4)}-${body!.slice(4)}-${check}`;
}
