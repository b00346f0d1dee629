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
  if (Array.isArray(value)) return '[' + value.map((item) => canonicalJson(item ?? null)).join(',') + ']';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => JSON.stringify(k) + ':' + canonicalJson(v));
    return '{' + members.join(',') + '}';
  }
  throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
}
