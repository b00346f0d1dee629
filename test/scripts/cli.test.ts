import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { openDatabase } from '../../src/lib/database.js';
import { migratedDataDir } from '../helpers/database.js';
import { runTs } from '../helpers/spawn.js';

/** Runs a script the way `npm run` does, on an embedded database in `dataDir`. */
const script = (name: string, dataDir: string, args: string[] = [], env: Record<string, string> = {}) =>
  runTs(`scripts/${name}.ts`, args, { DATA_DIR: dataDir, ...env });

t.test('create the first operator, verify the chain, find a tampered event', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await migratedDataDir(dataDir);

  const refused = await script('create-user', dataDir, ['--email', 'ops@exchange.example', '--name', 'Ops']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /USER_PASSWORD must be set/);

  const created = await script('create-user', dataDir, ['--email', 'ops@exchange.example', '--name', 'Ops', '--role', 'operator', '--role', 'bureau'], {
    USER_PASSWORD: 'a long passphrase here',
  });
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /created operator\+bureau account ops@exchange\.example/);
  t.match(created.stderr, /generated .*jwt-secret/, 'the embedded default warns that it made a secret');

  const again = await script('create-user', dataDir, ['--email', 'ops@exchange.example', '--name', 'Ops'], { USER_PASSWORD: 'a long passphrase here' });
  t.equal(again.code, 1);
  t.match(again.stderr, /already exists/);

  const ok = await script('audit-verify', dataDir);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /audit log OK: 1 leaves, 1 signed checkpoints match, 0 events waiting/);
  t.match(ok.stderr, /1 of 1 leaves/, 'progress is reported');

  const database = await openDatabase({ dataDir });
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await tx.execute(sql`update audit_events set actor_role = 'operator' where seq = 1`);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
  });
  await database.close();

  const broken = await script('audit-verify', dataDir);
  t.equal(broken.code, 1);
  t.match(broken.stdout, /^audit log BROKEN: leaf 0 \(event seq 1\) does not match the leaf the log signed$/m, 'the leaf by its index, the tampered event by its seq');
});

t.test('a second process cannot open an embedded database that is in use', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-lock-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await migratedDataDir(dataDir);
  const holder = await openDatabase({ dataDir });
  t.teardown(() => holder.close());
  const second = await script('audit-verify', dataDir);
  t.equal(second.code, 2);
  t.match(second.stderr, /is in use by process \d+/);
});
