import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { MetricsResponse } from '@docent/protocol';

/** Percentiles are computed over the most recent requests, so memory stays bounded. */
const RESPONSE_TIME_WINDOW = 10_000;

/** How an answer ended: stored whole, failed after it started, or abandoned by the reader. */
export type AnswerOutcome = 'complete' | 'failed' | 'interrupted';

export interface RequestObservation {
  method: string;
  /** The route pattern (`/api/v1/threads/:id`), never the raw URL: bounded label cardinality. */
  route: string;
  statusCode: number;
  durationMs: number;
}

/**
 * Request metrics for one server instance: the JSON summary behind `GET /metrics` and a
 * Prometheus registry behind `GET /metrics/prometheus`. One instance per app, so tests that build
 * several apps in one process do not see each other's numbers.
 */
export class RequestMetrics {
  readonly registry = new Registry();
  private readonly startedAt = Date.now();
  private totalRequests = 0;
  private serverErrors = 0;
  private clientErrors = 0;
  private readonly recentDurations = new Float64Array(RESPONSE_TIME_WINDOW);
  private recentCount = 0;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly answerCounts = { complete: 0, failed: 0, interrupted: 0, keyword_only: 0 };
  private readonly answersTotal: Counter<'outcome' | 'retrieval'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'docent_' });
    this.httpDuration = new Histogram({
      name: 'docent_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.answersTotal = new Counter({
      name: 'docent_answers_total',
      help: 'Answers by how they ended (complete, failed, interrupted) and retrieval (hybrid, or keyword_only while the vector store is down)',
      labelNames: ['outcome', 'retrieval'],
      registers: [this.registry],
    });
  }

  observeAnswer(outcome: AnswerOutcome, keywordOnly: boolean): void {
    this.answerCounts[outcome] += 1;
    if (keywordOnly) this.answerCounts.keyword_only += 1;
    this.answersTotal.inc({ outcome, retrieval: keywordOnly ? 'keyword_only' : 'hybrid' });
  }

  observe({ method, route, statusCode, durationMs }: RequestObservation): void {
    this.totalRequests += 1;
    if (statusCode >= 500) this.serverErrors += 1;
    else if (statusCode >= 400) this.clientErrors += 1;
    this.recentDurations[this.recentCount % RESPONSE_TIME_WINDOW] = durationMs;
    this.recentCount += 1;
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, durationMs / 1000);
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }

  snapshot(): MetricsResponse {
    const durations = this.recentDurations.slice(0, Math.min(this.recentCount, RESPONSE_TIME_WINDOW)).sort();
    const sum = durations.reduce((total, value) => total + value, 0);
    return {
      total_requests: this.totalRequests,
      error_count: this.serverErrors,
      client_error_count: this.clientErrors,
      error_rate: this.totalRequests === 0 ? 0 : round(this.serverErrors / this.totalRequests, 4),
      response_time_ms: {
        avg: durations.length === 0 ? 0 : round(sum / durations.length, 3),
        p50: round(percentile(durations, 0.5), 3),
        p95: round(percentile(durations, 0.95), 3),
        p99: round(percentile(durations, 0.99), 3),
      },
      answers: { ...this.answerCounts },
      uptime_seconds: this.uptimeSeconds(),
    };
  }
}

/** Nearest-rank percentile of an ascending array; 0 for an empty one. */
function percentile(sortedAscending: Float64Array, fraction: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil(fraction * sortedAscending.length) - 1;
  return sortedAscending[Math.min(Math.max(rank, 0), sortedAscending.length - 1)] ?? 0;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
