/**
 * Full-text search that works for Chinese on PostgreSQL and PGlite alike. PostgreSQL has no Chinese
 * tokenizer, and pg_trgm ignores CJK characters in PGlite's locale, so the application makes the
 * lexemes itself: lower-cased Latin/digit words, and for runs of CJK characters every single
 * character plus every overlapping pair. The database only stores and matches them (a `tsvector`
 * that takes the lexemes verbatim, see `searchVector` in listings.ts, and a GIN index).
 *
 * A query is cut the same way: a CJK run of two or more characters must contain all its pairs
 * (so "交易所" matches "数据交易所" but not "交通所"), one character matches the unigram, and a Latin
 * word matches any word it starts. Every term must match. Anything that is not a letter or digit
 * (quotes, backslashes, tsquery operators) separates words and is never passed through.
 */

const CJK_CLASS = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]';
const CJK = new RegExp(CJK_CLASS, 'u');
/** A run of CJK characters, or a run of other letters and digits. */
const RUN = new RegExp(`${CJK_CLASS}+|(?:(?!${CJK_CLASS})[\\p{L}\\p{N}])+`, 'gu');

/** Bound on one lexeme (PostgreSQL refuses lexemes over 2 KB) and on how much text is indexed. */
const MAX_WORD = 64;
const MAX_TEXT = 100_000;
/** A query has at most this many terms; the rest are ignored rather than refused. */
export const MAX_QUERY_TERMS = 32;

function runsOf(text: string): string[] {
  return text.slice(0, MAX_TEXT).normalize('NFKC').toLowerCase().match(RUN) ?? [];
}

const isCjk = (run: string) => CJK.test(run);

function pairs(chars: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** Lexemes of a document: unique, each at most MAX_WORD characters. */
export function documentLexemes(texts: readonly string[]): string[] {
  const lexemes = new Set<string>();
  for (const run of texts.flatMap(runsOf)) {
    if (isCjk(run)) {
      const chars = [...run];
      for (const c of chars) lexemes.add(c);
      for (const p of pairs(chars)) lexemes.add(p);
    } else {
      lexemes.add([...run].slice(0, MAX_WORD).join(''));
    }
  }
  return [...lexemes];
}

export interface QueryTerm {
  lexeme: string;
  prefix: boolean;
}

/** Terms a query must all match; empty when the query has no letters or digits. */
export function queryTerms(query: string): QueryTerm[] {
  const terms = new Map<string, QueryTerm>();
  for (const run of runsOf(query)) {
    if (isCjk(run)) {
      const chars = [...run];
      const grams = chars.length === 1 ? chars : pairs(chars);
      for (const g of grams) terms.set(g, { lexeme: g, prefix: false });
    } else {
      const word = [...run].slice(0, MAX_WORD).join('');
      terms.set(word, { lexeme: word, prefix: true });
    }
  }
  return [...terms.values()].slice(0, MAX_QUERY_TERMS);
}

/**
 * The tsquery text for `terms`, to be cast with `::tsquery` (not parsed by a text-search
 * configuration). Lexemes hold only letters and digits; quoting them anyway keeps the cast safe
 * whatever a future tokenizer lets through.
 */
export function tsqueryText(terms: readonly QueryTerm[]): string {
  return terms.map((t) => `'${t.lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${t.prefix ? ':*' : ''}`).join(' & ');
}
