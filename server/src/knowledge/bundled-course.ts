import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCourse, type RouteOptions } from '@docent/ingest';
import type { Logger } from 'pino';
import type { KnowledgeBase } from './knowledge-base.js';

/** The sample course shipped with Docent: the demo content and the test corpus. */
export const BUNDLED_COURSE_DIR = fileURLToPath(new URL('../../../course/docs', import.meta.url));
export const DOCS_ROUTE_BASE = '/docs';
/**
 * The bundled course's URLs, as its own site serves them: one URL per page without a trailing
 * slash (Docusaurus's `trailingSlash: false`), so `control/control.md` is `/docs/control`.
 */
export const BUNDLED_COURSE_ROUTES: RouteOptions = { routeBase: DOCS_ROUTE_BASE, trailingSlash: false };
/** What the demo site's home page says about the bundled course. */
export const BUNDLED_COURSE_INTRODUCTION = {
  title: 'Physical AI & Humanoid Robotics',
  intro:
    'A course on the software that makes humanoid robots work: ROS 2, simulation and digital twins, kinematics, control and locomotion, and the learned models that turn perception and language into action. Ask the course assistant about anything in it: every answer links to the sections it comes from.',
};

/** Progress is logged at most this often, so a first start shows movement without flooding. */
const PROGRESS_LOG_INTERVAL_MS = 2_000;

/**
 * Marks an automatic ingest of the bundled course that has not finished yet, so that the next
 * start resumes it; a manual `npm run ingest` removes it (the reader chose their own content).
 */
const UNFINISHED_MARKER = 'bundled-course-ingest-unfinished';

export function forgetUnfinishedBundledIngest(dataDir: string): void {
  rmSync(join(dataDir, UNFINISHED_MARKER), { force: true });
}

/** On the embedded default: the course search is empty, or a first start's ingest was cut short. */
export async function bundledCourseNeedsIngest(knowledge: KnowledgeBase, dataDir: string): Promise<boolean> {
  if (knowledge.store.name !== 'pglite') return false;
  return (await knowledge.catalog.count()) === 0 || existsSync(join(dataDir, UNFINISHED_MARKER));
}

/**
 * On the embedded default, a first start has an empty course search: fill it from the bundled
 * course so `npm install && npm start` gives a working assistant with no other step. Runs in the
 * background; a shutdown aborts it between batches and the next start picks up where it stopped.
 */
export async function ingestBundledCourseIfEmpty(
  knowledge: KnowledgeBase,
  dataDir: string,
  log: Pick<Logger, 'info' | 'error'>,
  signal?: AbortSignal,
): Promise<void> {
  if (!(await bundledCourseNeedsIngest(knowledge, dataDir))) return;
  writeFileSync(join(dataDir, UNFINISHED_MARKER), `${new Date().toISOString()}\n`);
  log.info({ docs_dir: BUNDLED_COURSE_DIR }, 'course search is empty: ingesting the bundled sample course');
  let lastLogged = 0;
  knowledge.indexing.begin();
  const report = await ingestCourse(
    {
      docsDir: BUNDLED_COURSE_DIR,
      ...BUNDLED_COURSE_ROUTES,
      reset: false,
      dryRun: false,
      signal,
      onProgress: (done, total) => {
        knowledge.indexing.update(done, total);
        if (done === total || Date.now() - lastLogged >= PROGRESS_LOG_INTERVAL_MS) {
          lastLogged = Date.now();
          log.info({ done, total }, `ingesting the bundled course: ${done}/${total} chunks embedded`);
        }
      },
    },
    knowledge,
  ).finally(() => knowledge.indexing.finish());
  forgetUnfinishedBundledIngest(dataDir);
  for (const failure of report.failed) log.error({ file: failure.file, line: failure.line }, failure.message);
  log.info({ ...report, failed: report.failed.length }, 'bundled course ingested');
}
