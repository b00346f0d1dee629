import { AppError, type Localized } from '../../lib/errors.js';
import type { EntryContent } from './schema.js';

/**
 * The articles the public-data rules rest on, quoted from the texts in shared/seeds (the Chongqing
 * draft in its Chinese original, 001; the Shanghai Measures in the English the seed holds, 002), so
 * a refusal names the text it applies.
 */
export const articles = {
  art15: { ref: 'Chongqing Art. 15', text: '政務數據以共享為原則,不共享為例外。' },
  art17p2: { ref: 'Chongqing Art. 17 ¶2', text: '政務數據不予開放或者有條件開放的,應當有法律、行政法規或者國家有關文件為依據。' },
  art17p3: { ref: 'Chongqing Art. 17 ¶3', text: '非涉密但是涉及敏感信息的政務數據需要開放的,應當依法經過脫敏、清洗、加工或者相關權利人明示同意后實施開放。' },
  art18p1: { ref: 'Chongqing Art. 18 ¶1', text: '政務數據利用主體申請獲取無條件開放的政務數據的,在開放系統中通過身份認證后直接獲取。' },
  art18p2: { ref: 'Chongqing Art. 18 ¶2', text: '政務數據利用主體申請獲取有條件開放的政務數據的,政務部門應當自收到申請之日起10個工作日內予以答復。' },
  shanghai12: { ref: 'Shanghai Measures Art. 12', text: 'Public data obtained through sharing and other means are not included in the unit\'s open list.' },
  shanghai12p3: { ref: 'Shanghai Measures Art. 12 ¶3', text: 'After review, the open list should be published through the open platform.' },
} as const;
export type Article = (typeof articles)[keyof typeof articles];

const numerals = '零一二三四五六七八九';
/** 1 to 99 as the regulations number their articles: 十五, 二十, 六十四. */
function chineseNumber(n: number): string {
  const units = n % 10 === 0 ? '' : numerals[n % 10];
  if (n < 10) return numerals[n]!;
  return `${n < 20 ? '' : numerals[Math.floor(n / 10)]}十${units}`;
}

/** An article's reference as the Chinese titles cite it (src/lib/problem-titles.ts): 重庆第十七条第二款, 上海第十二条. */
export function chineseReference(ref: string): string {
  const parts = /^(Chongqing|Shanghai Measures) Art\. (\d+)(?: ¶(\d+))?$/.exec(ref);
  if (!parts) return ref;
  const [, place, article, paragraph] = parts;
  return `${place === 'Chongqing' ? '重庆' : '上海'}第${chineseNumber(Number(article))}条${paragraph ? `第${chineseNumber(Number(paragraph))}款` : ''}`;
}

/**
 * A detail that cites its article: the reference and the article's words, then what is wrong. The
 * Chinese quotes the words only where the seed holds them in Chinese (Chongqing, not Shanghai).
 */
export function citing(article: { ref: string; text: string }, detail: Localized): Localized {
  const words = /[\u4e00-\u9fff]/.test(article.text) ? `（${article.text}）` : '';
  return { en: `${article.ref} (${article.text}): ${detail.en}`, zh: `${chineseReference(article.ref)}${words}：${detail.zh}` };
}

/** A refusal that names its article: `article` in the problem document, its reference in the detail. */
export const refusal = (code: ConstructorParameters<typeof AppError>[0], article: Article, detail: Localized, path?: string) =>
  new AppError(code, citing(article, detail), { article, ...(path ? { errors: [{ path, message: detail.en }] } : {}) });

/**
 * Rules across the fields of an entry that a JSON schema cannot say, in the order a department
 * would fix them: the legal basis of every restriction, then what may be opened at all.
 */
export function checkEntryContent(c: EntryContent): void {
  if (c.open.class !== 'unconditional' && !c.open.legalBasis) {
    throw refusal('legal-basis-required', articles.art17p2, { en: `an entry that is ${c.open.class.replace('_', ' ')} names its legal basis (law, regulation or national document)`, zh: `${c.open.class} 类目录须注明其法律依据（法律、行政法规或国家有关文件）` }, '/body/open/legalBasis');
  }
  if (c.sharing.class !== 'unconditional' && !c.sharing.legalBasis) {
    throw refusal('legal-basis-required', articles.art15, { en: `data ${c.sharing.class === 'not_shared' ? 'not shared' : 'shared on conditions'} is the exception and names its legal basis`, zh: `${c.sharing.class === 'not_shared' ? '不予共享' : '有条件共享'}的数据属于例外，须注明其法律依据` }, '/body/sharing/legalBasis');
  }
  if (c.open.class === 'conditional' && !c.open.conditions) {
    throw refusal('legal-basis-required', articles.art17p2, { en: 'say on which conditions the data is opened', zh: '请说明数据开放的条件' }, '/body/open/conditions');
  }
  if (c.origin === 'obtained_by_sharing' && c.open.class !== 'not_open') {
    throw refusal('shared-data-not-open', articles.shanghai12, { en: 'data the department obtained by sharing from another department stays not_open; the department that holds it opens it', zh: '部门通过共享从其他部门获得的数据保持 not_open，由持有该数据的部门开放' }, '/body/open/class');
  }
  const sensitive = [c.sensitive.personalInformation ? { en: 'personal information', zh: '个人信息' } : null, c.sensitive.tradeSecrets ? { en: 'trade secrets', zh: '商业秘密' } : null].filter((s) => s !== null);
  if (sensitive.length > 0 && c.open.class !== 'not_open' && !c.release) {
    const detail = {
      en: `data holding ${sensitive.map((s) => s.en).join(' and ')} stays not_open until a release (desensitised, declassified or the right holder's consent) is recorded`,
      zh: `含有${sensitive.map((s) => s.zh).join('和')}的数据在记录脱敏、解密或权利人同意之前保持 not_open`,
    };
    throw refusal('release-required', articles.art17p3, detail, '/body/release');
  }
}
