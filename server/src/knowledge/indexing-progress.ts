import type { CourseIndexing } from '@docent/protocol';

/**
 * Whether the course is being indexed from scratch right now (a first start, a re-ingest that
 * reset the index) and how far it has come. While it is, search holds only part of the course:
 * answers say so, and "not covered" is never claimed. Shown by /health and the store status.
 */
export class IndexingProgress {
  private current: CourseIndexing | undefined;

  begin(): void {
    this.current = { done: 0, total: 0 };
  }

  update(done: number, total: number): void {
    if (this.current !== undefined) this.current = { done, total };
  }

  finish(): void {
    this.current = undefined;
  }

  /** How far it has come, or undefined when the index is complete. */
  snapshot(): CourseIndexing | undefined {
    return this.current === undefined ? undefined : { ...this.current };
  }
}
