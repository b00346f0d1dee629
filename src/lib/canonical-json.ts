/**
 * JSON Canonicalization Scheme (RFC 8785): object members sorted by their UTF-16 code units,
 * no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does.
 * The audit chain hashes this form so that key order and formatting never change a hash.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no representation for ' + value);
    return JSON.stringify(value);
  }
  // Plain loops rather than entries/filter/map: the verifier canonicalises a million payloads.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i] ?? null);
    return out + ']';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    // The default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
    const keys = Object.keys(object).sort();
    let out = '{';
    for (const key of keys) {
      const member = object[key];
      if (member === undefined) continue;
      out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
    }
    return out + '}';
  }
  throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
}
