// Makes the exchange's agreement seal for a server deployment: a password-protected PKCS#12 file
// with a new RSA key and a self-signed certificate, made as the embedded default makes its own
// (src/modules/agreements/seal.ts), and its passphrase in a file beside it. A seal readers trust
// needs a certificate from a CA instead: docs/operations.md shows both ways.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCli } from './cli.js';

const cli = parseCli({
  name: 'seal:create',
  summary:
    'Makes a self-signed agreement seal: a PKCS#12 file (RSA 2048, SHA-256, AES-256) for AGREEMENT_SEAL_P12 and its random passphrase in a file (mode 0600) ' +
    'for AGREEMENT_SEAL_PASSPHRASE. PDF readers will call the signer unknown until the certificate comes from a CA they trust.',
  usage: ['--out FILE [--name NAME] [--passphrase-file FILE] [--force]'],
  options: {
    out: { type: 'string', value: 'FILE', description: 'where to write the PKCS#12 file' },
    name: { type: 'string', value: 'NAME', default: 'Data exchange agreement seal', description: 'the certificate’s common name (ASCII)' },
    'passphrase-file': { type: 'string', value: 'FILE', description: 'where to write the passphrase (default: FILE.passphrase beside --out)' },
    force: { type: 'boolean', default: false, description: 'replace files that exist (the old seal is lost)' },
  },
  examples: [
    'npm run seal:create -- --out /etc/exchange/agreement-seal.p12',
    "npm run seal:create -- --out seal.p12 --name 'Chongqing Data Exchange contract seal'",
  ],
  exitCodes: ['0  written (the settings to use are printed)', '1  the files could not be written', '2  wrong arguments, or a file exists (use --force)'],
});
const { values } = cli;
if (!values.out) cli.usageError('--out FILE is required');
const out = resolve(values.out!);
const passphraseFile = resolve(values['passphrase-file'] ?? `${out}.passphrase`);
// node-forge writes the PKCS#12 file's friendly name and the certificate's name as bytes: beyond
// ASCII the file it writes fails its own MAC check.
if (!/^[\x20-\x7e]{1,64}$/.test(values.name)) cli.usageError('--name takes 1 to 64 printable ASCII characters');
// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { createSelfSignedSealP12 } = await import('../src/modules/agreements/seal-file.js');
const { loadSealKey } = await import('../src/modules/agreements/seal.js');
for (const file of [out, passphraseFile]) if (existsSync(file) && !values.force) cli.usageError(`${file} exists; use --force to replace it (the old seal is then lost)`);

cli.progress('making a 2048-bit RSA key and a self-signed certificate');
const passphrase = randomBytes(24).toString('base64url');
try {
  for (const file of [out, passphraseFile]) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(out, createSelfSignedSealP12(values.name, passphrase), { mode: 0o600 });
  writeFileSync(passphraseFile, passphrase + '\n', { mode: 0o600 });
} catch (err) {
  console.error(`seal:create could not write: ${(err as Error).message}`);
  process.exit(1);
}
// Read back as the server will read it, so a file that would stop the start is never handed out.
const key = await loadSealKey(out, passphrase);
console.log(`wrote ${out} (seal "${values.name}", certificate SHA-256 ${key.certificate.fingerprint256}) and its passphrase in ${passphraseFile}`);
console.log(`AGREEMENT_SEAL_P12=${out}`);
console.log(`AGREEMENT_SEAL_PASSPHRASE="$(cat ${passphraseFile})"`);
