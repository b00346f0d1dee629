import { AppError, type ProblemCode } from '../../lib/errors.js';

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
} as const;

/** The working days to answer and the longest extension, by kind (Art. 18 ¶2: 10 + 10; Art. 16 ¶2: 5 + 5). */
export const answerWorkingDays = { open: 10, sharing: 5 } as const;
export const maxExtensionWorkingDays = { open: 10, sharing: 5 } as const;
/** The article each kind's deadline and answer rest on. */
export const answerArticle = { open: requestArticles.art18p2, sharing: requestArticles.art16p2 } as const;

/** The big-data bureau at the departments' level, to whom utilization agreements are copied (Art. 19 ¶1). */
export const BUREAU_NAME = '重庆市大数据应用发展管理局';

/** A refusal that names its article, as rules.ts `refusal` does: `article` in the problem, its text in the detail. */
export const requestRefusal = (code: ProblemCode, article: { ref: string; text: string }, detail: string, extensions: Record<string, unknown> = {}) =>
  new AppError(code, `${article.ref} (${article.text}): ${detail}`, { article, ...extensions });
