import { AppError, type Localized, type ProblemCode } from '../../lib/errors.js';
import { citing } from './rules.js';

/**
 * The articles the request workflow applies, quoted from the Chongqing draft (shared/seeds/001) as
 * rules.ts quotes the catalogue's, so each refusal names the text behind it.
 */
export const requestArticles = {
  art15p2: { ref: 'Chongqing Art. 15 ¶2', text: '政務數據按照共享屬性分為無條件共享、有條件共享和不予共享三種類型。政務數據不予共享或者有條件共享的,應當有法律、行政法規或者黨中央、國務院政策為依據。' },
  art16p1: { ref: 'Chongqing Art. 16 ¶1', text: '政務部門共享其他政務部門政務數據的,應當明確數據使用的依據、目的、范圍、方式等,并不得超出使用范圍或者用于其他目的。' },
  art16p2: {
    ref: 'Chongqing Art. 16 ¶2',
    text: '政務數據提供部門應當自收到申請之日起5個工作日內予以答復,同意的應當予以共享;不同意的應當說明理由,并提供依據。如需延長答復期限的,應當經本單位負責人同意,延長答復期限不得超過5個工作日。',
  },
  art17p2: { ref: 'Chongqing Art. 17 ¶2', text: '政務數據按照開放屬性分為無條件開放、有條件開放和不予開放三種類型。政務數據不予開放或者有條件開放的,應當有法律、行政法規或者國家有關文件為依據。' },
  art18p1: { ref: 'Chongqing Art. 18 ¶1', text: '政務數據利用主體申請獲取無條件開放的政務數據的,在開放系統中通過身份認證后直接獲取。' },
  art18p2: {
    ref: 'Chongqing Art. 18 ¶2',
    text: '政務數據利用主體申請獲取有條件開放的政務數據的,政務部門應當自收到申請之日起10個工作日內予以答復,同意的應當予以開放;不同意的應當說明理由,并提供依據。如需延長答復期限的,應當經本單位負責人同意,延長答復期限不得超過10個工作日。',
  },
  art19p1: { ref: 'Chongqing Art. 19 ¶1', text: '有條件開放的政務數據經審核同意開放的,政務部門應當與政務數據利用主體簽訂政務數據利用協議,并抄送同級大數據發展主管部門。' },
  art19p2: { ref: 'Chongqing Art. 19 ¶2', text: '政務數據利用協議應當約定擬使用數據的清單、用途、應用場景、安全保障措施、使用期限以及協議期滿后數據的處置等內容。' },
  art20p1: { ref: 'Chongqing Art. 20 ¶1', text: '政務數據利用主體應當向政務部門反饋數據使用情況。使用政務數據形成研究報告、學術論文、知識產權、數據服務、應用產品等成果的,應當在成果中注明數據來源。' },
  art64: {
    ref: 'Chongqing Art. 64',
    text: '政務數據利用主體違反本條例第二十條規定有下列行為之一的,由市大數據發展主管部門或者政務部門責令限期改正;逾期未改正的或者造成嚴重后果的,處一萬元以上十萬元以下的罰款:(一)未向政務部門反饋數據使用情況的;(二)未在相關成果中注明數據來源的;(三)將獲取的政務數據用于約定使用范圍之外的其他用途的;(四)篡改、破壞、泄露所獲取的政務數據的。',
  },
} as const;

/** The working days to answer and the longest extension, by kind (Art. 18 ¶2: 10 + 10; Art. 16 ¶2: 5 + 5). */
export const answerWorkingDays = { open: 10, sharing: 5 } as const;
export const maxExtensionWorkingDays = { open: 10, sharing: 5 } as const;
/** The article each kind's deadline and answer rest on. */
export const answerArticle = { open: requestArticles.art18p2, sharing: requestArticles.art16p2 } as const;

/** The fine of Art. 64 (一萬元以上十萬元以下), in yuan. */
export const FINE_RANGE_YUAN = { min: 10_000, max: 100_000 } as const;

/** The big-data bureau at the departments' level, to whom utilization agreements are copied (Art. 19 ¶1). */
export const BUREAU_NAME = '重庆市大数据应用发展管理局';

/** A refusal that names its article, as rules.ts `refusal` does: `article` in the problem, its text in the detail. */
export const requestRefusal = (code: ProblemCode, article: { ref: string; text: string }, detail: Localized, extensions: Record<string, unknown> = {}) =>
  new AppError(code, citing(article, detail), { article, ...extensions });
