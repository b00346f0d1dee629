/**
 * The languages the service answers in: Chinese (Simplified, as the mainland writes it) and English.
 * English stays the default, so a client that asks for nothing sees what it always saw.
 */
export type Language = 'zh' | 'en';

/** The `Content-Language` an answer in each language carries. */
export const contentLanguage: Record<Language, string> = { zh: 'zh-CN', en: 'en' };

/**
 * The caller's choice from `Accept-Language` (RFC 9110 §12.5.4): the range with the highest weight
 * that names a language the service has, by its primary subtag (`zh`, `zh-CN`, `zh-Hans-CN` and
 * `zh-TW` all read as Chinese, the only written Chinese the service has); `*` and anything unknown
 * read as English. A range weighted `q=0` is refused, and a malformed weight ignores its range.
 */
export function preferredLanguage(header: string | string[] | undefined): Language {
  if (!header) return 'en';
  const text = Array.isArray(header) ? header.join(',') : header;
  let best: { language: Language; q: number } | undefined;
  // A header lists a handful of ranges; a longer one is read no further than a browser would send.
  for (const part of text.split(',', 32)) {
    const [range = '', ...parameters] = part.split(';').map((s) => s.trim());
    const weight = parameters.find((p) => /^q=/i.test(p));
    const q = weight === undefined ? 1 : /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i.test(weight) ? Number(weight.slice(2)) : NaN;
    if (!(q > 0)) continue;
    const primary = range.toLowerCase().split('-')[0];
    const language: Language | undefined = primary === 'zh' ? 'zh' : primary === 'en' || primary === '*' ? 'en' : undefined;
    if (language && (!best || q > best.q)) best = { language, q };
  }
  return best?.language ?? 'en';
}
