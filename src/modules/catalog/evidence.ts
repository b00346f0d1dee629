import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../lib/database.js';
import { AppError } from '../../lib/errors.js';
import { evidenceDocuments } from './tables.js';

/**
 * Evidence is referenced by SHA-256 and must be a document the listing's own party uploaded. Unknown
 * hashes and other parties' documents get the same answer, so nothing is learnt about theirs.
 */
export async function assertEvidenceOwned(db: Database, partyId: string, hashes: readonly string[]): Promise<void> {
  const wanted = [...new Set(hashes)];
  if (wanted.length === 0) return;
  const found = await db
    .select({ sha256: evidenceDocuments.sha256 })
    .from(evidenceDocuments)
    .where(and(eq(evidenceDocuments.ownerPartyId, partyId), inArray(evidenceDocuments.sha256, wanted)));
  const have = new Set(found.map((f) => f.sha256));
  const unknown = wanted.filter((h) => !have.has(h));
  if (unknown.length > 0) {
    throw new AppError('unknown-evidence', { en: 'evidence must be documents your party uploaded to POST /catalog/documents', zh: '证明材料须为本主体通过 POST /catalog/documents 上传的文件' }, { unknown });
  }
}
