/**
 * Art. 13(3): legal persons and unincorporated organisations are identified by the Unified Social
 * Credit Code (GB 32100-2015), natural persons by the mainland resident identity number
 * (GB 11643-1999). Both are 18 characters whose last character is a check character.
 *
 * The validators answer a reason a person can act on, never echoing the number itself.
 */

export type CodeCheck = { ok: true; value: string } | { ok: false; reason: string };

/** Spaces (anywhere) and lower case are forgiven: people copy numbers from paper. */
export function normaliseIdentityNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

// GB 32100-2015: 31 characters, the Latin letters I, O, S, V and Z left out.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters of a USCC (which must be in the charset). */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

export function checkUscc(raw: string): CodeCheck {
  const value = normaliseIdentityNumber(raw);
  if (value.length !== 18) return { ok: false, reason: `a Unified Social Credit Code has 18 characters, not ${value.length}` };
  if (![...value].every((c) => USCC_CHARSET.includes(c))) {
    return { ok: false, reason: 'a Unified Social Credit Code uses only digits and upper-case letters other than I, O, S, V and Z' };
  }
  // Characters 3-8 are the administrative division code of the registering authority.
  if (!/^\d{6}$/.test(value.slice(2, 8))) return { ok: false, reason: 'characters 3 to 8 of a Unified Social Credit Code are the six-digit division code' };
  if (usccCheckCharacter(value) !== value[17]) return { ok: false, reason: 'the check character (the last one) of the Unified Social Credit Code is wrong' };
  return { ok: true, value };
}

// ISO 7064 MOD 11-2: weight of position i (from the left, 0-based) is 2^(17-i) mod 11.
const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * RESIDENT_WEIGHTS[i]!;
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

export function checkResidentId(raw: string, today: Date = new Date()): CodeCheck {
  const value = normaliseIdentityNumber(raw);
  if (value.length !== 18) return { ok: false, reason: `a resident identity number has 18 characters, not ${value.length}` };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, reason: 'a resident identity number is 17 digits and a check digit or X' };
  if (!/^[1-9]\d{5}$/.test(value.slice(0, 6))) return { ok: false, reason: 'the first six digits of a resident identity number are the division code' };
  // Characters 7-14: the date of birth, YYYYMMDD; a real date, not before 1900 and not in the future.
  const [y, m, d] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
  const birth = new Date(Date.UTC(y, m - 1, d));
  const real = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d;
  if (!real || y < 1900 || birth.getTime() > today.getTime()) {
    return { ok: false, reason: 'the date of birth in the resident identity number (characters 7 to 14) is not a valid date' };
  }
  if (residentIdCheckCharacter(value) !== value[17]) return { ok: false, reason: 'the check character (the last one) of the resident identity number is wrong' };
  return { ok: true, value };
}

export type IdentityScheme = 'uscc' | 'resident_id' | 'overseas';

/**
 * Validates a number under the scheme the party's kind calls for. A valid number of the other
 * mainland scheme gets its own answer, since that mix-up is the common mistake.
 */
export function checkIdentityNumber(scheme: IdentityScheme, raw: string): CodeCheck {
  if (scheme === 'overseas') return checkOverseasNumber(raw);
  const result = scheme === 'uscc' ? checkUscc(raw) : checkResidentId(raw);
  if (result.ok) return result;
  if (scheme === 'resident_id' && checkUscc(raw).ok) {
    return { ok: false, reason: 'this is a Unified Social Credit Code; a natural person is identified by the resident identity number' };
  }
  if (scheme === 'uscc' && checkResidentId(raw).ok) {
    return { ok: false, reason: 'this is a resident identity number; an organisation is identified by its Unified Social Credit Code' };
  }
  return result;
}

/** Passport and foreign registration numbers have no common check: letters, digits, some punctuation. */
export function checkOverseasNumber(raw: string): CodeCheck {
  const value = normaliseIdentityNumber(raw);
  if (!/^[A-Z0-9][A-Z0-9./-]{3,39}$/.test(value)) {
    return { ok: false, reason: 'a registration or passport number has 4 to 40 letters, digits, dots, slashes or hyphens' };
  }
  return { ok: true, value };
}

/**
 * Every response shows identity numbers this way: the first 4 and last 4 characters, the rest as
 * `*`. A short overseas number shows at most a quarter of itself at each end.
 */
export function maskIdentityNumber(value: string): string {
  const shown = Math.min(4, Math.floor(value.length / 4));
  return value.slice(0, shown) + '*'.repeat(value.length - 2 * shown) + value.slice(value.length - shown);
}
