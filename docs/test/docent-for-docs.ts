/**
 * A running Docent for the docs' runnable command blocks: PostgreSQL (so `npm run admin` and
 * `npm run ingest` can share its database while it runs), two chapters of the bundled course
 * ingested, an admin API token, its JSON log in a file, listening on a real port.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ingestCourse } from '@docent/ingest';
import { buildApp, type DocentApp } from '../../server/src/app.js';
import { ApiTokenStore } from '../../server/src/auth/api-tokens.js';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../server/src/config.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES } from '../../server/src/knowledge/bundled-course.js';
import { CHAT_TEST_CHAPTERS, freePort } from '../../server/test/helpers/chat.js';
import { createFreshPostgresDatabase } from '../../server/test/helpers/postgres.js';

export interface DocentForDocs {
  /**
   * What a block sees: the server's own settings (DATABASE_URL, SECRET_KEY, CORS_ORIGINS,
   * COURSE_DOCS_DIR...) and DOCENT_URL, DOCENT_ADMIN_TOKEN and DOCENT_LOG (the server's JSON log).
   */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startDocentForDocs(): Promise<DocentForDocs> {
  const scratch = mkdtempSync(join(tmpdir(), 'docent-docs-'));
  const courseDir = join(scratch, 'course');
  for (const chapter of CHAT_TEST_CHAPTERS) {
    mkdirSync(dirname(join(courseDir, chapter)), { recursive: true });
    copyFileSync(join(BUNDLED_COURSE_DIR, chapter), join(courseDir, chapter));
  }
  const database = await createFreshPostgresDatabase();
  const port = await freePort();
  const logFile = join(scratch, 'docent.log');
  // Default rate limits: `npm run smoke` checks the default chat limit of 20.
  const settings: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATA_DIR: join(scratch, 'data'),
    DATABASE_URL: database.url,
    SECRET_KEY: randomBytes(32).toString('hex'),
    CORS_ORIGINS: 'http://localhost:3000',
    COURSE_DOCS_DIR: courseDir,
  };
  const cleanup = async () => {
    await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  };

  let app: DocentApp | undefined;
  try {
    app = await buildApp(loadConfig(settings), { logDestination: { write: (line: string) => appendFileSync(logFile, line) } });
    await ingestCourse({ docsDir: courseDir, ...BUNDLED_COURSE_ROUTES, reset: false, dryRun: false }, app.knowledge);
    const token = await new ApiTokenStore(app.database.db).create({ name: 'docs-test', scopes: ['admin'] });
    const url = await app.listen({ host: '127.0.0.1', port });
    const running = app;
    return {
      env: { ...settings, DOCENT_URL: url, DOCENT_ADMIN_TOKEN: token.token, DOCENT_LOG: logFile },
      close: async () => {
        // Keep-alive sockets of finished commands would otherwise hold the close up.
        setTimeout(() => running.server.closeAllConnections(), 200).unref();
        await running.close();
        await cleanup();
      },
    };
  } catch (error) {
    await app?.close();
    await cleanup();
    throw error;
  }
}

/** This process's environment without any Docent setting, so a block sees only the server's. */
export function environmentWithout(variables: readonly string[] = ENVIRONMENT_VARIABLES): Record<string, string> {
  const hidden = new Set(variables);
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !hidden.has(entry[0])),
  );
}
