// tap's `after` script: drops the template database a server test run made (see test/helpers/database.ts).
import postgres from 'postgres';
import { serverUrl, templateDatabaseName } from '../helpers/database.js';

if (serverUrl) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${templateDatabaseName()}" with (force)`);
  await admin.end();
}
