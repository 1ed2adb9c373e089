import { ingestCourse, type RouteOptions } from '@docent/ingest';
import type { IngestRun } from '@docent/protocol';
import type { Logger } from 'pino';
import type { KnowledgeBase } from './knowledge-base.js';

/**
 * Re-ingests the course on request (the admin API), one run at a time, in the background: the
 * request returns at once and readers keep being answered from the current index meanwhile (after
 * a reset, from what is indexed so far, and told so).
 */
export class IngestRunner {
  private run: IngestRun = { status: 'idle', started_at: null, finished_at: null, chunks: null, error: null };
  private current: Promise<void> | undefined;

  constructor(
    private readonly knowledge: KnowledgeBase,
    private readonly course: RouteOptions & { docsDir: string },
    private readonly log: Logger,
  ) {}

  status(): IngestRun {
    return { ...this.run };
  }

  /** Starts a run; false when one is already running. */
  start(options: { reset: boolean }): boolean {
    if (this.run.status === 'running') return false;
    this.run = { status: 'running', started_at: new Date().toISOString(), finished_at: null, chunks: this.run.chunks, error: null };
    // A reset empties the index first: until the run ends, answers draw on part of the course.
    const { indexing } = this.knowledge;
    if (options.reset) indexing.begin();
    const onProgress = options.reset ? (done: number, total: number) => indexing.update(done, total) : undefined;
    this.current = ingestCourse({ ...this.course, reset: options.reset, dryRun: false, onProgress }, this.knowledge)
      .finally(() => {
        if (options.reset) indexing.finish();
      })
      .then(
      (report) => {
        const written = report.added + report.updated;
        this.run = { ...this.run, status: 'succeeded', finished_at: new Date().toISOString(), chunks: { written, unchanged: report.unchanged, removed: report.removed } };
        this.log.info({ report }, 'course re-ingest finished');
      },
      (error: unknown) => {
        this.run = { ...this.run, status: 'failed', finished_at: new Date().toISOString(), error: 'The ingest failed; the server log has the details.' };
        this.log.error({ err: error }, 'course re-ingest failed');
      },
    );
    return true;
  }

  /** Resolves when the run in progress (if any) has finished. */
  async settled(): Promise<void> {
    await this.current;
  }
}
