// Writes the OpenAPI 3.1 document the service serves at /docs/json, for linting and client generators.
//
//   npm run openapi -- openapi.json
//
// Builds the app on a throw-away in-memory database; nothing is read from or written to DATA_DIR.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/lib/database.js';

const out = process.argv[2];
const dataDir = mkdtempSync(join(tmpdir(), 'dx-openapi-'));
const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: randomBytes(32).toString('hex'), IDENTITY_KEY: randomBytes(32).toString('base64'), AUDIT_LOG_KEY: randomBytes(32).toString('base64'), PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL });
const database = await openDatabase({});
await database.migrate();
const app = await buildApp(config, { database, logger: false });
try {
  const text = JSON.stringify(app.swagger(), null, 2) + '\n';
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
