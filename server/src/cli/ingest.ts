/**
 * `npm run ingest -- [docs-dir | --site <site dir>] [--reset] [--dry-run] [--store …] [--threads n] [--json]`
 * Brings the course search up to date with a Docusaurus site: best from its build (`--site`, which
 * reads the manifest docusaurus-plugin-docent writes, so citations use the site's exact URLs), or
 * from a docs folder (default: the bundled course) with URLs computed by Docusaurus's rules.
 * Exit codes: 0 done, 1 could not run, 2 done but some files failed to parse.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestCourse, readBuiltSite, SiteManifestError, type IngestReport, type IngestSource } from '@docent/ingest';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { DataDirLockedError } from '../db/pglite-lock.js';
import { prepareDatabase } from '../db/prepare.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES, DOCS_ROUTE_BASE, forgetUnfinishedBundledIngest } from '../knowledge/bundled-course.js';
import { openKnowledgeBase, StoreUnavailableError, type KnowledgeBase } from '../knowledge/knowledge-base.js';
import { createLogger } from '../observability/logger.js';
import { EmbedderMismatchError, type VectorStoreName } from '../stores/vector-store.js';

/** Both cores of a small machine; more copies of the model would cost memory for little gain. */
const DEFAULT_THREADS = Math.min(2, availableParallelism());

const USAGE = [
  'Usage: npm run ingest -- --site <site dir | build/docent-manifest.json> [--versions latest|all] [options]',
  '       npm run ingest -- [docs-dir] [--route-base /docs] [--trailing-slash true|false] [options]',
  'Options: --exclude <glob> (repeatable)  --reset  --dry-run  --store pglite|pgvector|qdrant  --json',
  `         --threads <n>  threads embedding with the bundled model (default ${DEFAULT_THREADS}; each holds a copy, ~80 MiB)`,
].join('\n');

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      reset: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      store: { type: 'string' },
      'route-base': { type: 'string' },
      'trailing-slash': { type: 'string' },
      site: { type: 'string' },
      versions: { type: 'string', default: 'latest' },
      exclude: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      threads: { type: 'string', default: String(DEFAULT_THREADS) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.store !== undefined && !['pglite', 'pgvector', 'qdrant'].includes(values.store)) {
    throw new UsageError(`--store must be pglite, pgvector or qdrant, not "${values.store}"`);
  }
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new UsageError(`--threads must be a whole number from 1 to 16, not "${values.threads}"`);
  const source = await chooseSource(values, positionals[0]);
  const docsDir = 'site' in source ? source.site.siteDir : source.docsDir;
  const config = loadConfig();
  // Logs go to stderr so that --json output on stdout stays machine-readable.
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, { write: (line: string) => process.stderr.write(line) });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  let knowledge: KnowledgeBase | undefined;
  try {
    await prepareDatabase(database, log);
    knowledge = await openKnowledgeBase(config, database, values.store as VectorStoreName | undefined, { bulkThreads: threads });
    const progress = values.json ? undefined : process.stderr.isTTY ? progressBar() : progressLines();
    const report = await ingestCourse(
      { ...source, exclude: values.exclude, reset: values.reset, dryRun: values['dry-run'], onProgress: progress },
      knowledge,
    );
    if (progress && process.stderr.isTTY) process.stderr.write('\n');
    if (!values['dry-run']) forgetUnfinishedBundledIngest(config.dataDir);
    printReport(report, values.json, docsDir);
    return report.failed.length > 0 ? 2 : 0;
  } finally {
    await knowledge?.close();
    await database.close();
  }
}

async function chooseSource(
  values: { site?: string | undefined; versions: string; 'route-base'?: string | undefined; 'trailing-slash'?: string | undefined },
  docsDirArgument: string | undefined,
): Promise<IngestSource> {
  if (values.site !== undefined) {
    if (docsDirArgument !== undefined || values['route-base'] !== undefined || values['trailing-slash'] !== undefined) {
      throw new UsageError('--site takes URLs from the site build: give no docs folder, --route-base or --trailing-slash with it');
    }
    if (values.versions !== 'latest' && values.versions !== 'all') throw new UsageError(`--versions must be latest or all, not "${values.versions}"`);
    return { site: await readBuiltSite(resolve(values.site), values.versions) };
  }
  const trailingSlash = values['trailing-slash'];
  if (trailingSlash !== undefined && trailingSlash !== 'true' && trailingSlash !== 'false') throw new UsageError(`--trailing-slash must be true or false, not "${trailingSlash}"`);
  if (docsDirArgument === undefined) return { docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES };
  return { docsDir: resolve(docsDirArgument), routeBase: values['route-base'] ?? DOCS_ROUTE_BASE, trailingSlash: trailingSlash === undefined ? undefined : trailingSlash === 'true' };
}

function printReport(report: IngestReport, json: boolean, docsDir: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ docs_dir: docsDir, ...report })}\n`);
    return;
  }
  for (const failure of report.failed) process.stderr.write(`error: ${failure.message}\n`);
  for (const { file, reason } of report.skipped) process.stderr.write(`skipped: ${file} (${SKIP_REASONS[reason]})\n`);
  const verb = report.dry_run ? 'would be' : 'were';
  process.stdout.write(
    `${report.files} files (${report.failed.length} failed, ${report.skipped.length} skipped), ${report.chunks} chunks: ` +
      `${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged ` +
      `${report.dry_run ? `(dry run: nothing ${verb} written) ` : ''}in ${report.seconds.toFixed(1)} s\n`,
  );
}

const SKIP_REASONS = { draft: 'draft: not published', empty: 'no text to answer from', excluded: 'matches --exclude' } as const;

/** Without a terminal (CI, logs): a line every few seconds, with the time taken and left. */
function progressLines(): (done: number, total: number) => void {
  const started = performance.now();
  let lastLine = started;
  return (done, total) => {
    const now = performance.now();
    if (done < total && now - lastLine < 5_000) return;
    lastLine = now;
    const elapsed = (now - started) / 1000;
    const left = done === 0 ? undefined : (elapsed / done) * (total - done);
    process.stderr.write(`ingest: ${done}/${total} chunks embedded, ${duration(elapsed)} elapsed${left === undefined || done === total ? '' : `, about ${duration(left)} left`}\n`);
  };
}

function duration(seconds: number): string {
  return seconds < 60 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function progressBar(): (done: number, total: number) => void {
  const width = 30;
  return (done, total) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} chunks embedded`);
  };
}

class UsageError extends Error {}

try {
  process.exitCode = await run();
} catch (error) {
  const known = [ConfigError, DataDirLockedError, EmbedderMismatchError, SiteManifestError, StoreUnavailableError, UsageError].some((type) => error instanceof type);
  process.stderr.write(known ? `error: ${(error as Error).message}\n` : `error: ingest failed: ${(error as Error).stack ?? String(error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exitCode = 1;
}
