import type { Test } from 'tap';

/** What a reader must not find: a label for the failure message, and the text itself. */
export type Secrets = Record<string, string>;

export interface Leak {
  /** JSON Pointer of the key or value it was found in. */
  path: string;
  secret: string;
  where: 'key' | 'value' | 'base64 value';
}

// A receipt's leaf, a cursor: text that hides JSON in base64. Long enough not to catch words.
const BASE64 = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

function decodedBase64(text: string): string | null {
  if (!BASE64.test(text)) return null;
  const decoded = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64').toString('utf8');
  // Only text that decodes to readable characters is worth searching.
  return /^[\P{Cc}\n\r\t]*$/u.test(decoded) ? decoded : null;
}

/**
 * Walks a whole JSON answer, every key and every value at every depth (and the text inside values
 * that are base64, as a receipt's leaf is), and answers where any of the secrets appears, compared
 * without regard to case.
 */
export function findLeaks(value: unknown, secrets: Secrets): Leak[] {
  const wanted = Object.entries(secrets)
    .filter(([, text]) => text.length > 0)
    .map(([label, text]) => ({ label, text: text.toLowerCase() }));
  const leaks: Leak[] = [];
  const check = (text: string, path: string, where: Leak['where']) => {
    const lower = text.toLowerCase();
    for (const { label, text: secret } of wanted) if (lower.includes(secret)) leaks.push({ path, secret: label, where });
  };
  const walk = (node: unknown, path: string) => {
    if (typeof node === 'string') {
      check(node, path, 'value');
      const decoded = decodedBase64(node);
      if (decoded !== null) check(decoded, path, 'base64 value');
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}/${i}`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        check(key, here, 'key');
        walk(item, here);
      }
    }
  };
  walk(value, '');
  return leaks;
}

/** Asserts that none of the secrets appears anywhere in the answer; names each place it does. */
export function assertNoLeaks(t: Test, value: unknown, secrets: Secrets, what: string): void {
  const leaks = findLeaks(value, secrets);
  t.same(
    leaks.map((l) => `${l.secret} at ${l.path || '/'} (${l.where})`),
    [],
    `${what}: nothing of ${Object.keys(secrets).join(', ')}`,
  );
}

/** The secrets of a person: their user id, e-mail and display name. */
export const personSecrets = (label: string, person: { id: string; email: string; displayName: string }): Secrets => ({
  [`${label}'s user id`]: person.id,
  [`${label}'s e-mail`]: person.email,
  [`${label}'s name`]: person.displayName,
});
