import t from 'tap';
import { formatCheckpoint, noteSigner, openNote, parseCheckpoint, parseVerifierKey } from '../../../src/lib/tlog/note.js';

// The worked example of golang.org/x/mod/sumdb/note (note_test.go and its package documentation),
// which the C2SP signed-note specification follows.
const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const note = text + '\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const seed = Buffer.from(skey.split('+').slice(4).join('+'), 'base64').subarray(1);

t.test('the published example, byte for byte', async (t) => {
  const signer = noteSigner('PeterNeumann', seed);
  t.equal(signer.verifierKey, vkey, 'verifier key, key hash included');
  t.equal(signer.sign(text), note, 'signature line');
  t.same(openNote(note, parseVerifierKey(vkey)), { ok: true, text });
});

t.test('refused: a changed text, another key, a missing newline, only an unknown signer, malformed lines and keys', async (t) => {
  const verifier = parseVerifierKey(vkey);
  t.match(openNote(note.replace('cryptography', 'cryptographY'), verifier), { ok: false, reason: /does not verify/ });
  const other = noteSigner('Other', Buffer.alloc(32));
  t.match(openNote(note, parseVerifierKey(other.verifierKey)), { ok: false, reason: /no signature by Other/ });
  t.match(openNote(other.sign(text), verifier), { ok: false, reason: /no signature by PeterNeumann/ });
  t.match(openNote(note.slice(0, -1), verifier), { ok: false });
  t.match(openNote(text + '\n- PeterNeumann abc\n', verifier), { ok: false, reason: /not a signature line/ });
  t.throws(() => other.sign('no newline'));
  t.throws(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /hash does not match/);
  t.throws(() => parseVerifierKey('Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'));
  t.throws(() => noteSigner('a+b', seed));
});

t.test('checkpoints: the C2SP tlog-checkpoint body, read strictly', async (t) => {
  const rootHash = Buffer.alloc(32, 7);
  const body = formatCheckpoint({ origin: 'example.com/log', size: 8, rootHash });
  t.equal(body, `example.com/log\n8\n${rootHash.toString('base64')}\n`);
  t.same(parseCheckpoint(body), { origin: 'example.com/log', size: 8, rootHash, extensions: [] });
  t.same(parseCheckpoint(body + 'ext\n').extensions, ['ext']);
  for (const bad of ['example.com/log\n08\nAAAA\n', `\n8\n${rootHash.toString('base64')}\n`, `o\n8\n${Buffer.alloc(31).toString('base64')}\n`, `o\n8\n${rootHash.toString('base64')}`, `o\n-1\n${rootHash.toString('base64')}\n`]) {
    t.throws(() => parseCheckpoint(bad), JSON.stringify(bad));
  }
});
