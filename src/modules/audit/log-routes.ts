import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { IdParams, problemResponses } from '../../lib/http.js';
import { AppError } from '../../lib/errors.js';
import { actorOf } from '../../plugins/auth.js';
import { checkpointOfSize, consistencyProof, inclusionProof, receiptFor, type Receipt } from './receipts.js';
import { latestCheckpoint } from './sequencer.js';
import { runSequencer } from './sequencer-runner.js';
import { createLogSigner } from './signer.js';
import { verifyAuditLog } from './verify.js';

const tags = ['audit'];
const TreeSize = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Hashes = Type.Array(Type.String({ description: 'Base64 of a 32-byte SHA-256 hash' }), { description: 'In RFC 9162 order' });
const plainText = (description: string) => ({ description, content: { 'text/plain': { schema: Type.String() } } });

const ReceiptView = Type.Object({
  format: Type.Literal('dx-audit-receipt/v1'),
  eventId: Type.String({ format: 'uuid' }),
  leaf: Type.String({ description: 'Base64 of the leaf bytes: RFC 8785 canonical JSON of the event' }),
  leafIndex: Type.Integer(),
  treeSize: Type.Integer(),
  inclusionProof: Hashes,
  checkpoint: Type.String({ description: 'The C2SP signed checkpoint the proof leads to' }),
});

const VerificationView = Type.Object({
  ok: Type.Boolean(),
  leaves: Type.Integer({ description: 'Leaves recomputed from the stored events' }),
  checkpoints: Type.Integer({ description: 'Signed checkpoints compared with the recomputed tree' }),
  pending: Type.Integer({ description: 'Events written but not yet integrated' }),
  firstBadLeaf: Type.Union([Type.Integer(), Type.Null()], { description: 'Index (from 0) of the first leaf that does not verify' }),
  firstBadEventSeq: Type.Union([Type.Integer(), Type.Null()], { description: 'The seq of the event that leaf records (not the leaf index), when the log still names it' }),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Names the leaf by index and its event by seq: `leaf 2 (event seq 3) does not match the leaf the log signed`' }),
});

/**
 * The verifiable log (RFC 9162 Merkle tree, C2SP checkpoints and signed notes). The tree exposes
 * hashes only, never event content, so its routes are public: anyone holding a receipt or a
 * checkpoint can check it against the log, with the key below, offline.
 */
const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const signer = createLogSigner(app.config.auditLogOrigin, app.config.auditLogKey);
  const sequencer = runSequencer(app, signer);

  app.get('/audit/log/key', {
    config: { auth: 'public', access: 'none' },
    schema: { tags, summary: 'The verifier key of the log, in the C2SP signed-note key format (name+hash+base64)', response: { 200: plainText('The verifier key') } },
  }, async (_request, reply) => (reply as unknown as FastifyReply).type('text/plain; charset=utf-8').send(signer.verifierKey + '\n'));

  app.get('/audit/log/checkpoint', {
    config: { auth: 'public', access: 'none' },
    schema: { tags, summary: 'The newest signed checkpoint (C2SP tlog-checkpoint as a signed note)', response: { 200: plainText('The checkpoint'), ...problemResponses(404) } },
  }, async (_request, reply) => {
    const latest = await latestCheckpoint(app.db);
    if (!latest) throw new AppError('not-found', { en: 'the log has no checkpoint yet', zh: '日志尚无检查点' });
    return (reply as unknown as FastifyReply).type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(latest.note);
  });

  app.get('/audit/log/checkpoints/:size', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'An earlier checkpoint, by tree size; every one the log published is kept',
      params: Type.Object({ size: TreeSize }, { additionalProperties: false }),
      response: { 200: plainText('The checkpoint') },
    },
  }, async (request, reply) =>
    (reply as unknown as FastifyReply).type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(await checkpointOfSize(app.db, request.params.size)));

  app.get('/audit/log/proofs/inclusion', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3)',
      querystring: Type.Object({ index: TreeSize, size: TreeSize }, { additionalProperties: false }),
      response: { 200: Type.Object({ index: Type.Integer(), size: Type.Integer(), proof: Hashes }) },
    },
  }, async (request) => inclusionProof(app.db, request.query.index, request.query.size));

  app.get('/audit/log/proofs/consistency', {
    config: { auth: 'public', access: 'none' },
    schema: {
      tags,
      summary: 'Proof that the tree of `from` leaves is a prefix of the tree of `to` leaves (RFC 9162 §2.1.4)',
      querystring: Type.Object({ from: TreeSize, to: TreeSize }, { additionalProperties: false }),
      response: { 200: Type.Object({ from: Type.Integer(), to: Type.Integer(), proof: Hashes }) },
    },
  }, async (request) => consistencyProof(app.db, request.query.from, request.query.to));

  app.get('/audit/events/:id/receipt', {
    config: { auth: 'authenticated', access: { resource: 'audit-event', staff: ['operator'] } },
    schema: {
      tags,
      summary: 'The receipt of an event: its leaf, inclusion proof and signed checkpoint, for a party it concerns or an operator',
      description: 'Keep it: `npm run audit:verify-receipt -- FILE` checks it offline, and a consistency proof from its checkpoint to a newer one shows the record was not rewritten since.',
      params: IdParams,
      querystring: Type.Object({ wait: Type.Integer({ minimum: 0, maximum: 10, default: 0, description: 'Seconds to wait for the event to enter the log' }) }, { additionalProperties: false }),
      response: { 200: ReceiptView, ...problemResponses(409) },
    },
  }, async (request): Promise<Receipt> => {
    const actor = actorOf(request);
    const deadline = Date.now() + request.query.wait * 1000;
    for (;;) {
      try {
        return await receiptFor(app.db, actor, request.params.id);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'audit-pending' || Date.now() >= deadline) throw err;
        await sequencer.nextGrowth(deadline - Date.now());
      }
    }
  });

  app.post('/audit/verify', {
    config: { auth: ['operator'], access: 'none', whileSuspended: 'read' },
    schema: {
      tags,
      summary: 'Recompute the whole tree from the stored events, compare it with every signed checkpoint, name the first leaf that does not match',
      response: { 200: VerificationView },
    },
  }, async () => verifyAuditLog(app.db, signer));
};

export default auditLogRoutes;
