import { defineConfig } from 'drizzle-kit';

// Only used to generate migration files from the schema; migrations are applied by the server.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
