// Words come from one catalogue per language (messages-zh.ts is the source; messages-en.ts must
// have every key, which the typecheck enforces). Dates are shown in Asia/Shanghai, whatever the
// browser's zone; money in yuan with the separators of the language.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang } from '../lib/session-store';
import { en } from './messages-en';
import { zh, type MessageKey } from './messages-zh';

export type { MessageKey };

const catalogues: Record<Lang, Record<MessageKey, string>> = { zh, en };

export interface I18n {
  lang: Lang;
  /** The message in the current language, `{name}` replaced by params.name. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** The message for a key made from a value the API does not enumerate (a step's action), if the catalogue has it. */
  tryT(key: string): string | undefined;
  /** A date-time in Asia/Shanghai (UTC+8, whatever the browser's zone), to the minute, saying so. */
  dateTime(iso: string | null | undefined): string;
  /** A calendar date as given (YYYY-MM-DD), in the language's order. */
  date(isoDate: string | null | undefined): string;
  /** An amount in minor units (fen) as money: ¥5,000.00. */
  money(amountMinor: number, currency: string): string;
  /** The text of a {zh, en} pair in the current language, the other when it lacks one. */
  text(pair: { zh?: string; en?: string } | null | undefined): string;
}

const locale = (lang: Lang) => (lang === 'zh' ? 'zh-CN' : 'en-GB');

export function makeI18n(lang: Lang): I18n {
  const messages = catalogues[lang];
  const dateTimes = new Intl.DateTimeFormat(locale(lang), {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const dates = new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  return {
    lang,
    t: (key, params) => messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (params && name in params ? String(params[name]) : whole)),
    tryT: (key) => (Object.hasOwn(messages, key) ? messages[key as MessageKey] : undefined),
    dateTime: (iso) => (iso ? `${dateTimes.format(new Date(iso))} ${messages['time.zone']}` : '—'),
    date: (isoDate) => (isoDate ? dates.format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`)) : '—'),
    money: (amountMinor, currency) => {
      let format = moneyFormats.get(currency);
      if (!format) moneyFormats.set(currency, (format = new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { style: 'currency', currency })));
      // Minor units: fen for yuan (two digits), as the currency defines them.
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      return format.format(amountMinor / 10 ** digits);
    },
    text: (pair) => (lang === 'zh' ? (pair?.zh ?? pair?.en) : (pair?.en ?? pair?.zh)) ?? '',
  };
}

export const I18nContext = createContext<I18n>(makeI18n('zh'));

export const useI18n = () => useContext(I18nContext);
