import { defineConfig } from 'drizzle-kit';

// Each module owns its tables in `tables.ts` (a large one also in `<part>-tables.ts`); drizzle-kit generates the SQL migrations from all of them.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/modules/*/tables.ts', './src/modules/*/*-tables.ts', './src/plugins/*-tables.ts'],
  out: './db/migrations',
});
