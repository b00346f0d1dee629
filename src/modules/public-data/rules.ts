import { AppError } from '../../lib/errors.js';
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

/** A refusal that names its article: `article` in the problem document, its reference in the detail. */
export const refusal = (code: ConstructorParameters<typeof AppError>[0], article: Article, detail: string, path?: string) =>
  new AppError(code, `${article.ref} (${article.text}): ${detail}`, { article, ...(path ? { errors: [{ path, message: detail }] } : {}) });

/**
 * Rules across the fields of an entry that a JSON schema cannot say, in the order a department
 * would fix them: the legal basis of every restriction, then what may be opened at all.
 */
export function checkEntryContent(c: EntryContent): void {
  if (c.open.class !== 'unconditional' && !c.open.legalBasis) {
    throw refusal('legal-basis-required', articles.art17p2, `an entry that is ${c.open.class.replace('_', ' ')} names its legal basis (law, regulation or national document)`, '/body/open/legalBasis');
  }
  if (c.sharing.class !== 'unconditional' && !c.sharing.legalBasis) {
    throw refusal('legal-basis-required', articles.art15, `data ${c.sharing.class === 'not_shared' ? 'not shared' : 'shared on conditions'} is the exception and names its legal basis`, '/body/sharing/legalBasis');
  }
  if (c.open.class === 'conditional' && !c.open.conditions) {
    throw refusal('legal-basis-required', articles.art17p2, 'say on which conditions the data is opened', '/body/open/conditions');
  }
  if (c.origin === 'obtained_by_sharing' && c.open.class !== 'not_open') {
    throw refusal('shared-data-not-open', articles.shanghai12, 'data the department obtained by sharing from another department stays not_open; the department that holds it opens it', '/body/open/class');
  }
  const sensitive = [c.sensitive.personalInformation ? 'personal information' : null, c.sensitive.tradeSecrets ? 'trade secrets' : null].filter(Boolean);
  if (sensitive.length > 0 && c.open.class !== 'not_open' && !c.release) {
    throw refusal('release-required', articles.art17p3, `data holding ${sensitive.join(' and ')} stays not_open until a release (desensitised, declassified or the right holder's consent) is recorded`, '/body/release');
  }
}
