import { createHash } from 'node:crypto';

/**
 * Model texts: the bureau's versioned, bilingual agreement texts (Art. 19 ¶3: "政务数据利用协议示范文本
 * 由市大数据发展主管部门会同有关部门制定"), one file per kind and version in templates/. A text is
 * parsed and checked the same way at start-up and when the bureau publishes a new version: every
 * placeholder must be one the kind knows, and every clause the articles require must be present,
 * in Chinese and in English, carrying the placeholders that clause must state.
 *
 * Format (templates/README.md): header lines `key: value`, then clauses:
 *
 *   [clause purpose]
 *   heading.zh: 第三条 使用目的
 *   heading.en: Article 3 Purpose
 *   zh:
 *   乙方仅为{{purpose}}之目的使用……
 *   en:
 *   The Buyer uses the data only for {{purpose}} ...
 */

export const agreementKinds = ['trade', 'utilization', 'procurement'] as const;
export type AgreementKind = (typeof agreementKinds)[number];

/** The number prefix of each kind: `DTA-2026-000123`. */
export const numberPrefixes: Record<AgreementKind, string> = { trade: 'DTA', utilization: 'GDU', procurement: 'CPA' };

const partyPlaceholders = (role: string) => [`${role}.name`, `${role}.identityNumber`];
const common = ['agreement.number', 'purpose', 'scenario', 'safeguards', 'term.start', 'term.end', 'disposalDays', 'specialTerms'];

/** Every placeholder a kind's text may use; the agreement record supplies each. */
export const knownPlaceholders: Record<AgreementKind, readonly string[]> = {
  trade: [
    ...common,
    ...partyPlaceholders('provider'),
    ...partyPlaceholders('buyer'),
    'order.number',
    'product.title',
    'pricePlan',
    'price',
    'fee',
    'onwardTransfer',
    'territory',
  ],
  utilization: [...common, ...partyPlaceholders('department'), ...partyPlaceholders('user'), 'bureau.name', 'request.reference', 'disposal', 'report.everyMonths', 'report.daysAfterPeriod'],
  procurement: [...common, ...partyPlaceholders('bureau'), ...partyPlaceholders('provider'), 'beneficiaries', 'product.title', 'price'],
};

/** The clauses each kind must contain, and the placeholders each of them must state (both languages). */
export const requiredClauses: Record<AgreementKind, Record<string, readonly string[]>> = {
  // Art. 25-28: the data trade agreement.
  trade: {
    parties: ['provider.name', 'provider.identityNumber', 'buyer.name', 'buyer.identityNumber'],
    subject: ['product.title', 'order.number'],
    purpose: ['purpose'],
    scenario: ['scenario'],
    safeguards: ['safeguards'],
    term: ['term.start', 'term.end'],
    price: ['price', 'pricePlan'],
    'onward-transfer': ['onwardTransfer', 'territory'],
    disposal: ['disposalDays'],
    // Art. 26 ¶2: security, personal information and IP duties of the trade.
    compliance: [],
    // Art. 28(3): the exchange keeps the records of the trade.
    records: [],
  },
  // Art. 19 ¶2: list, purpose, scenario, safeguards, term, disposal; Art. 20: report use, cite the source, stay in scope.
  utilization: {
    parties: ['department.name', 'department.identityNumber', 'user.name', 'user.identityNumber'],
    'data-list': ['request.reference'],
    purpose: ['purpose'],
    scenario: ['scenario'],
    safeguards: ['safeguards'],
    term: ['term.start', 'term.end'],
    disposal: ['disposal', 'disposalDays'],
    'use-report': [],
    'source-citation': [],
    scope: [],
    'bureau-copy': ['bureau.name'],
    liability: [],
  },
  // Art. 27 ¶3: the bureau buys centrally for the departments; the agreement names every beneficiary.
  procurement: {
    parties: ['bureau.name', 'bureau.identityNumber', 'provider.name', 'provider.identityNumber'],
    beneficiaries: ['beneficiaries'],
    subject: ['product.title'],
    purpose: ['purpose'],
    scenario: ['scenario'],
    safeguards: ['safeguards'],
    term: ['term.start', 'term.end'],
    price: ['price'],
    disposal: ['disposalDays'],
  },
};

export interface Bilingual {
  zh: string;
  en: string;
}

export interface ModelClause {
  id: string;
  heading: Bilingual;
  body: Bilingual;
}

export interface ModelText {
  kind: AgreementKind;
  version: number;
  title: Bilingual;
  /** The legal basis printed under the title. */
  basis: Bilingual;
  clauses: ModelClause[];
  /** SHA-256 of the source text, as published. */
  sha256: string;
  source: string;
}

export class ModelTextError extends Error {
  override name = 'ModelTextError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9.]*)\s*\}\}/g;
const HEADER = /^([a-z]+(?:\.(?:zh|en))?):\s*(.*)$/;
const CLAUSE = /^\[clause ([a-z][a-z-]*)\]\s*$/;

export const placeholdersIn = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);

/** Parses and checks a model text; throws ModelTextError listing every problem found. */
export function parseModelText(source: string): ModelText {
  const problems: string[] = [];
  const header: Record<string, string> = {};
  const clauses: { id: string; fields: Record<string, string[]> }[] = [];
  let field: string[] | null = null;
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, index) => {
    const clause = CLAUSE.exec(line);
    if (clause) {
      clauses.push({ id: clause[1]!, fields: {} });
      field = null;
      return;
    }
    const current = clauses[clauses.length - 1];
    if (!current) {
      if (line.startsWith('#') || line.trim() === '') return;
      const m = HEADER.exec(line);
      if (m) header[m[1]!] = m[2]!.trim();
      else problems.push(`line ${index + 1}: expected "key: value" or "[clause id]"`);
      return;
    }
    const m = /^(heading\.zh|heading\.en|zh|en):\s*(.*)$/.exec(line);
    if (m) {
      if (current.fields[m[1]!]) problems.push(`clause ${current.id}: ${m[1]} given twice`);
      field = current.fields[m[1]!] = m[2] ? [m[2]] : [];
      if (m[1]!.startsWith('heading')) field = null;
      return;
    }
    if (field) field.push(line);
    else if (line.trim() !== '') problems.push(`line ${index + 1}: text outside a zh: or en: block`);
  });

  const kind = header.kind as AgreementKind;
  if (!agreementKinds.includes(kind)) problems.push(`kind must be one of ${agreementKinds.join(', ')}`);
  const version = Number(header.version);
  if (!Number.isSafeInteger(version) || version < 1) problems.push('version must be a whole number from 1');
  for (const key of ['title.zh', 'title.en', 'basis.zh', 'basis.en']) if (!header[key]) problems.push(`header ${key} is missing`);

  const text = (lines: string[] | undefined) => (lines ?? []).join('\n').trim();
  const parsed: ModelClause[] = clauses.map((c) => ({
    id: c.id,
    heading: { zh: text(c.fields['heading.zh']), en: text(c.fields['heading.en']) },
    body: { zh: text(c.fields.zh), en: text(c.fields.en) },
  }));
  const seen = new Set<string>();
  for (const c of parsed) {
    if (seen.has(c.id)) problems.push(`clause ${c.id} appears twice`);
    seen.add(c.id);
    for (const part of ['heading.zh', 'heading.en', 'zh', 'en'] as const) {
      const value = part.startsWith('heading') ? c.heading[part.slice(8) as 'zh'] : c.body[part as 'zh'];
      if (!value) problems.push(`clause ${c.id}: ${part} is empty`);
    }
  }
  if (agreementKinds.includes(kind)) {
    const known = new Set(knownPlaceholders[kind]);
    const everything = [header['title.zh'] ?? '', header['title.en'] ?? '', ...parsed.flatMap((c) => [c.heading.zh, c.heading.en, c.body.zh, c.body.en])];
    const unknown = [...new Set(everything.flatMap(placeholdersIn).filter((p) => !known.has(p)))];
    if (unknown.length) problems.push(`unknown placeholder${unknown.length > 1 ? 's' : ''}: ${unknown.map((p) => `{{${p}}}`).join(', ')}`);
    for (const [id, needed] of Object.entries(requiredClauses[kind])) {
      const clause = parsed.find((c) => c.id === id);
      if (!clause) {
        problems.push(`required clause "${id}" is missing`);
        continue;
      }
      for (const lang of ['zh', 'en'] as const) {
        const used = new Set(placeholdersIn(clause.body[lang]));
        const missing = needed.filter((p) => !used.has(p));
        if (missing.length) problems.push(`clause ${id} (${lang}) must state ${missing.map((p) => `{{${p}}}`).join(', ')}`);
      }
    }
  }
  if (problems.length) throw new ModelTextError(problems);
  return {
    kind,
    version,
    title: { zh: header['title.zh']!, en: header['title.en']! },
    basis: { zh: header['basis.zh']!, en: header['basis.en']! },
    clauses: parsed,
    sha256: createHash('sha256').update(source).digest('hex'),
    source,
  };
}

/** Fills a text's placeholders; a value the record lacks is a programming error, not user input. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the placeholder {{${name}}}`);
    return value;
  });
}

export interface FilledClause {
  id: string;
  heading: Bilingual;
  body: Bilingual;
}

export function fillClauses(text: ModelText, values: Readonly<Record<string, string>>): FilledClause[] {
  return text.clauses.map((c) => ({
    id: c.id,
    heading: { zh: fill(c.heading.zh, values), en: fill(c.heading.en, values) },
    body: { zh: fill(c.body.zh, values), en: fill(c.body.en, values) },
  }));
}

const shanghaiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in Asia/Shanghai, as agreements print dates: `2026-12-01`. */
export const dayInShanghai = (d: Date) => shanghaiDay.format(d);

/**
 * The term as every answer and the PDF state it: first and last calendar day in Asia/Shanghai,
 * both included. The instants stored for it (the first and the last millisecond of those days)
 * are the service's own, for deciding what is in force.
 */
export const termDays = (row: { termStart: Date; termEnd: Date }) => ({ start: dayInShanghai(row.termStart), end: dayInShanghai(row.termEnd) });
