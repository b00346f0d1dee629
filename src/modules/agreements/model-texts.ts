import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import { appendAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/events.js';
import { ModelTextError, parseModelText, type AgreementKind, type ModelText } from './model-text.js';
import { agreementModelTexts } from './tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'agreement.model_text_published': { kind: string; version: number; sha256: string };
  }
}

export type ModelTextRow = typeof agreementModelTexts.$inferSelect;

/** The model texts shipped in templates/: each is checked, and a bad one stops the start naming the file. */
export function loadShippedModelTexts(dir: string): ModelText[] {
  const files = readdirSync(dir).filter((f) => /^[a-z]+\.v\d+\.txt$/.test(f)).sort();
  return files.map((file) => {
    try {
      const text = parseModelText(readFileSync(join(dir, file), 'utf8'));
      if (file !== `${text.kind}.v${text.version}.txt`) throw new ModelTextError([`the file must be named ${text.kind}.v${text.version}.txt`]);
      return text;
    } catch (err) {
      if (err instanceof ModelTextError) throw new Error(`model text templates/${file} is not valid: ${err.problems.join('; ')}`);
      throw err;
    }
  });
}

/**
 * Puts the shipped texts in the database beside the versions the bureau published. A shipped
 * version whose text differs from the one recorded stops the start: agreements were made from the
 * recorded one, and their PDFs must stay reproducible.
 */
export async function installModelTexts(db: Database, texts: ModelText[]): Promise<void> {
  for (const text of texts) {
    await db.insert(agreementModelTexts).values({ kind: text.kind, version: text.version, sha256: text.sha256, source: text.source }).onConflictDoNothing();
    const [row] = await db.select().from(agreementModelTexts).where(and(eq(agreementModelTexts.kind, text.kind), eq(agreementModelTexts.version, text.version)));
    if (row && row.sha256 !== text.sha256) {
      throw new Error(`model text templates/${text.kind}.v${text.version}.txt differs from version ${text.version} on record (sha256 ${row.sha256}); publish changes as a new version`);
    }
  }
}

/** The latest published version of a kind: what new agreements are made from. */
export async function latestModelText(db: Database, kind: AgreementKind): Promise<{ row: ModelTextRow; text: ModelText }> {
  const [row] = await db.select().from(agreementModelTexts).where(eq(agreementModelTexts.kind, kind)).orderBy(desc(agreementModelTexts.version)).limit(1);
  if (!row) throw new AppError('unavailable', { en: `no model text of the kind ${kind} is published`, zh: `尚未发布类型为 ${kind} 的示范文本` });
  return { row, text: parseModelText(row.source) };
}

export async function getModelText(db: Database, kind: AgreementKind, version: number): Promise<ModelTextRow> {
  const [row] = await db.select().from(agreementModelTexts).where(and(eq(agreementModelTexts.kind, kind), eq(agreementModelTexts.version, version)));
  if (!row) throw notFound({ en: 'model text', zh: '示范文本' });
  return row;
}

export function listModelTexts(db: Database, kind: AgreementKind | undefined): Promise<ModelTextRow[]> {
  return db
    .select()
    .from(agreementModelTexts)
    .where(kind ? eq(agreementModelTexts.kind, kind) : undefined)
    .orderBy(agreementModelTexts.kind, desc(agreementModelTexts.version));
}

/**
 * Art. 19 ¶3: the bureau publishes a new version of a model text. It is checked exactly as at
 * start-up; its version must follow the latest one. Agreements already made keep their version.
 */
export async function publishModelText(db: Database, actor: AuditActor, source: string): Promise<ModelTextRow> {
  let text: ModelText;
  try {
    text = parseModelText(source);
  } catch (err) {
    if (!(err instanceof ModelTextError)) throw err;
    throw new AppError('invalid-model-text', { en: err.problems.join('; '), zh: `示范文本有以下问题：${err.problems.join('；')}` }, { problems: err.problems });
  }
  return db.transaction(async (tx) => {
    const [latest] = await tx.select().from(agreementModelTexts).where(eq(agreementModelTexts.kind, text.kind)).orderBy(desc(agreementModelTexts.version)).limit(1).for('update');
    const next = (latest?.version ?? 0) + 1;
    if (text.version !== next) throw conflict({ en: `the next version of the ${text.kind} model text is ${next}`, zh: `${text.kind} 示范文本的下一个版本号为 ${next}` }, { expectedVersion: next });
    const [row] = await tx
      .insert(agreementModelTexts)
      .values({ kind: text.kind, version: text.version, sha256: text.sha256, source: text.source, publishedBy: actor.userId })
      .onConflictDoNothing()
      .returning();
    if (!row) throw conflict({ en: `version ${text.version} of the ${text.kind} model text was just published`, zh: `${text.kind} 示范文本的第 ${text.version} 版刚刚发布` });
    await appendAudit(tx, actor, {
      action: 'agreement.model_text_published',
      subject: { type: 'agreement-model-text', id: row.id },
      payload: { kind: text.kind, version: text.version, sha256: text.sha256 },
    });
    return row;
  });
}
