// Creates a staff account from the command line: the other way (beside the setup token the server
// prints on first run) to make the first operator. The password is read from USER_PASSWORD, never
// from the command line, where `ps` would show it.
import { roles, type Role } from '../src/modules/accounts/tables.js';
import { parseCli, scriptConfig, whyItFailed } from './cli.js';

const cli = parseCli({
  name: 'create-user',
  summary: `Creates a staff account (roles: ${roles.join(', ')}) with the password in USER_PASSWORD. On the embedded database, stop the server first.`,
  usage: ['--email EMAIL --name NAME [--role ROLE]...'],
  options: {
    email: { type: 'string', value: 'EMAIL', description: 'the account’s e-mail address' },
    name: { type: 'string', value: 'NAME', description: 'the display name' },
    role: { type: 'string', value: 'ROLE', multiple: true, default: ['operator'], description: `a role: ${roles.join(', ')}` },
  },
  examples: [
    "USER_PASSWORD='a long passphrase' npm run create-user -- --email ops@exchange.example --name 'Exchange operator'",
    "USER_PASSWORD=… npm run create-user -- --email bureau@gov.example --name '市大数据局' --role bureau",
  ],
  exitCodes: ['0  created', '1  not created (the e-mail address is taken, say)', '2  wrong arguments or settings, or the database could not be used'],
  environment: "USER_PASSWORD (at least 12 characters), and the server's configuration (DATABASE_URL, or the embedded database under DATA_DIR); see docs/configuration.md",
});
const { values } = cli;
const password = process.env.USER_PASSWORD ?? '';
const chosen = values.role;
const problems = [
  !values.email?.includes('@') && '--email is required',
  !values.name && '--name is required',
  password.length < 12 && 'USER_PASSWORD must be set to at least 12 characters',
  chosen.some((r) => !roles.includes(r as Role)) && `--role must be one of ${roles.join(', ')}`,
].filter(Boolean);
if (problems.length) cli.usageError(problems.join('; '));

// Loaded once the arguments are read, so that --help and a wrong argument answer at once.
const { openDatabase } = await import('../src/lib/database.js');
const { createUser } = await import('../src/modules/accounts/service.js');
const { systemActor } = await import('../src/modules/audit/events.js');
const { integrateAll } = await import('../src/modules/audit/sequencer.js');
const { createLogSigner } = await import('../src/modules/audit/signer.js');
const config = scriptConfig(cli.name);
let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
try {
  cli.progress('opening the database');
  database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds });
  await database.migrate();
} catch (err) {
  console.error(`create-user could not run: ${whyItFailed(err, config)}`);
  await database?.close();
  process.exit(2);
}
try {
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
