import type { Localized } from '../../lib/errors.js';

/**
 * Art. 13(3): legal persons and unincorporated organisations are identified by the Unified Social
 * Credit Code (GB 32100-2015), natural persons by the mainland resident identity number
 * (GB 11643-1999). Both are 18 characters whose last character is a check character.
 *
 * The validators answer a reason a person can act on, never echoing the number itself.
 */

export type CodeCheck = { ok: true; value: string } | { ok: false; reason: Localized };

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
  if (value.length !== 18) return { ok: false, reason: { en: `a Unified Social Credit Code has 18 characters, not ${value.length}`, zh: `统一社会信用代码为 18 位，而非 ${value.length} 位` } };
  if (![...value].every((c) => USCC_CHARSET.includes(c))) {
    return { ok: false, reason: { en: 'a Unified Social Credit Code uses only digits and upper-case letters other than I, O, S, V and Z', zh: '统一社会信用代码只使用数字和除 I、O、S、V、Z 以外的大写字母' } };
  }
  // Characters 3-8 are the administrative division code of the registering authority.
  if (!/^\d{6}$/.test(value.slice(2, 8))) return { ok: false, reason: { en: 'characters 3 to 8 of a Unified Social Credit Code are the six-digit division code', zh: '统一社会信用代码第 3 至 8 位为六位行政区划码' } };
  if (usccCheckCharacter(value) !== value[17]) return { ok: false, reason: { en: 'the check character (the last one) of the Unified Social Credit Code is wrong', zh: '统一社会信用代码的校验码（最后一位）有误' } };
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
  if (value.length !== 18) return { ok: false, reason: { en: `a resident identity number has 18 characters, not ${value.length}`, zh: `居民身份证号码为 18 位，而非 ${value.length} 位` } };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, reason: { en: 'a resident identity number is 17 digits and a check digit or X', zh: '居民身份证号码由 17 位数字和一位校验码（数字或 X）组成' } };
  if (!/^[1-9]\d{5}$/.test(value.slice(0, 6))) return { ok: false, reason: { en: 'the first six digits of a resident identity number are the division code', zh: '居民身份证号码前六位为行政区划码' } };
  // Characters 7-14: the date of birth, YYYYMMDD; a real date, not before 1900 and not in the future.
  const [y, m, d] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
  const birth = new Date(Date.UTC(y, m - 1, d));
  const real = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d;
  if (!real || y < 1900 || birth.getTime() > today.getTime()) {
    return { ok: false, reason: { en: 'the date of birth in the resident identity number (characters 7 to 14) is not a valid date', zh: '居民身份证号码中的出生日期（第 7 至 14 位）不是有效日期' } };
  }
  if (residentIdCheckCharacter(value) !== value[17]) return { ok: false, reason: { en: 'the check character (the last one) of the resident identity number is wrong', zh: '居民身份证号码的校验码（最后一位）有误' } };
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
    return { ok: false, reason: { en: 'this is a Unified Social Credit Code; a natural person is identified by the resident identity number', zh: '这是统一社会信用代码；自然人以居民身份证号码标识' } };
  }
  if (scheme === 'uscc' && checkResidentId(raw).ok) {
    return { ok: false, reason: { en: 'this is a resident identity number; an organisation is identified by its Unified Social Credit Code', zh: '这是居民身份证号码；组织以统一社会信用代码标识' } };
  }
  return result;
}

/** Passport and foreign registration numbers have no common check: letters, digits, some punctuation. */
export function checkOverseasNumber(raw: string): CodeCheck {
  const value = normaliseIdentityNumber(raw);
  if (!/^[A-Z0-9][A-Z0-9./-]{3,39}$/.test(value)) {
    return { ok: false, reason: { en: 'a registration or passport number has 4 to 40 letters, digits, dots, slashes or hyphens', zh: '登记号码或护照号码由 4 至 40 个字母、数字、点、斜杠或连字符组成' } };
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
