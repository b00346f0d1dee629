import { eq } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { appendAudit } from '../audit/service.js';
import type { Caller } from './context.js';
import { publicDataSettings } from './objection-tables.js';

declare module '../audit/events.js' {
  interface AuditPayloads {
    'public_data.setting_changed': { key: string; from: number; to: number };
  }
}

/** The settings the bureau keeps for public data, each with the value in force until it sets one. */
export const settingDefaults = {
  /** Art. 22: how many working days a department has to check and answer a quality objection. */
  objection_answer_working_days: 5,
} as const;
export type SettingKey = keyof typeof settingDefaults;

export async function readSetting(db: Database, key: SettingKey): Promise<number> {
  const [row] = await db.select().from(publicDataSettings).where(eq(publicDataSettings.key, key));
  return row?.value ?? settingDefaults[key];
}

export async function readSettings(db: Database): Promise<{ objectionAnswerWorkingDays: number }> {
  return { objectionAnswerWorkingDays: await readSetting(db, 'objection_answer_working_days') };
}

/** The bureau changes a setting; it applies to what is received from then on, and is audited. */
export async function changeSetting(db: Database, caller: Caller, key: SettingKey, value: number): Promise<void> {
  await db.transaction(async (tx) => {
    // Changes of one key queue on its row; the first change inserts it.
    await tx.insert(publicDataSettings).values({ key, value: settingDefaults[key], updatedBy: caller.actor.userId }).onConflictDoNothing();
    const [row] = await tx.select().from(publicDataSettings).where(eq(publicDataSettings.key, key)).for('update');
    await tx.update(publicDataSettings).set({ value, updatedBy: caller.actor.userId, updatedAt: new Date() }).where(eq(publicDataSettings.key, key));
    await appendAudit(tx, caller.audit, { action: 'public_data.setting_changed', subject: { type: 'public_data_setting', id: key }, payload: { key, from: row!.value, to: value } });
  });
}
