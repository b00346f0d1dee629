// Creates a staff account from the command line; this is how the first operator comes to exist.
//
//   USER_PASSWORD='a long passphrase' npm run create-user -- --email ops@exchange.example --name 'Exchange operator'
//   USER_PASSWORD=... npm run create-user -- --email bureau@gov.example --name '市大数据局' --role bureau
//
// The password is read from USER_PASSWORD (never from the command line, where `ps` would show it).
// Uses the server's configuration (DATABASE_URL, or the embedded database under DATA_DIR).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/lib/database.js';
import { createUser } from '../src/modules/accounts/service.js';
import { roles, type Role } from '../src/modules/accounts/tables.js';
import { systemActor } from '../src/modules/audit/events.js';
import { integrateAll } from '../src/modules/audit/sequencer.js';
import { createLogSigner } from '../src/modules/audit/signer.js';

const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', multiple: true, default: ['operator'] } },
});
const password = process.env.USER_PASSWORD ?? '';
const chosen = values.role as string[];
const problems = [
  !values.email?.includes('@') && '--email is required',
  !values.name && '--name is required',
  password.length < 12 && 'USER_PASSWORD must be set to at least 12 characters',
  chosen.some((r) => !roles.includes(r as Role)) && `--role must be one of ${roles.join(', ')}`,
].filter(Boolean);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(2);
}

const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
try {
  await database.migrate();
  const ctx = { db: database.db, config, signAccessToken: () => '' };
  const user = await createUser(ctx, systemActor(), { email: values.email!, password, displayName: values.name!, roles: chosen as Role[] }, 'script');
  // No server may be running to integrate the event: the script puts it in the log itself.
  await integrateAll(database.db, createLogSigner(config.auditLogOrigin, config.auditLogKey));
  console.log(`created ${user.roles.join('+')} account ${user.email} (${user.id})`);
} catch (err) {
  console.error(`create-user failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
