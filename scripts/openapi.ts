// Writes the OpenAPI 3.1 document the service serves at /docs/json, for linting and client
// generators. Builds the app on a throw-away in-memory database; nothing is read from or written to
// DATA_DIR.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { parseCli } from './cli.js';

const cli = parseCli({
  name: 'openapi',
  summary: 'Writes the OpenAPI 3.1 document the service serves at /docs/json to FILE, or to stdout without one. PUBLIC_BASE_URL, when set, becomes its server URL.',
  usage: ['[FILE]'],
  options: {},
  positionals: { names: 'FILE', min: 0, max: 1 },
  examples: ['npm run -s openapi -- openapi.json', 'npm run -s openapi | npx openapi-typescript /dev/stdin -o api.d.ts'],
  exitCodes: ['0  written', '2  wrong arguments, or the file cannot be written'],
});
const out = cli.positionals[0];
// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { buildApp } = await import('../src/app.js');
const { openDatabase } = await import('../src/lib/database.js');
const dataDir = mkdtempSync(join(tmpdir(), 'dx-openapi-'));
try {
  cli.progress('building the app on an in-memory database');
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: randomBytes(32).toString('hex'), IDENTITY_KEY: randomBytes(32).toString('base64'), AUDIT_LOG_KEY: randomBytes(32).toString('base64'), PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL }, () => {});
  const database = await openDatabase({});
  await database.migrate();
  const app = await buildApp(config, { database, logger: false });
  try {
    const text = JSON.stringify(app.swagger(), null, 2) + '\n';
    if (out) {
      try {
        writeFileSync(out, text);
        cli.progress(`wrote ${out} (${Buffer.byteLength(text)} bytes)`);
      } catch (err) {
        console.error(`openapi: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        process.exitCode = 2;
      }
    } else process.stdout.write(text);
  } finally {
    await app.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
