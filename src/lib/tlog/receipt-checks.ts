/**
 * The checks a receipt of the audit log passes, in order, by name: shared by the server's checker
 * (receipt.ts, node:crypto) and the console's (src/console/lib/receipt.ts, WebCrypto), so that a
 * failure has the same name wherever it is found. No imports: the console's typecheck has no Node.
 */
export type ReceiptCheck =
  | 'format'
  | 'verifier-key'
  | 'checkpoint-signature'
  | 'checkpoint-origin'
  | 'tree-size'
  | 'leaf-index'
  | 'leaf-canonical'
  | 'inclusion'
  | 'newer-checkpoint-signature'
  | 'consistency';

export type ReceiptResult = { ok: true; treeSize: number; leafIndex: number; event: unknown } | { ok: false; failed: ReceiptCheck; detail: string };
