import { chatStreamEventSchemas, healthResponseSchema, metricsResponseSchema, type ChatStreamEvent, type ChatStreamEventName } from '@docent/protocol';
import type { CheckResult } from './doctor.js';

export interface SmokeOptions {
  baseUrl: string;
  /** A site in CORS_ORIGINS; without it the allowed-origin preflight is not tried. */
  allowedOrigin: string | undefined;
  /** The chat limit per minute to expect; 0 skips the check (it spends this address's allowance). */
  rateLimit: number;
  question: string;
}

const TIMEOUT_MS = 30_000;
const FOREIGN_ORIGIN = 'https://smoke-test.invalid';
/** What must never appear in metrics: credentials in URLs, tokens, keys, JWTs. */
const SECRET_LOOKING = [/[a-z]+:\/\/[^\s:/@"]+:[^\s@/"]+@/i, /\bdct_[A-Za-z0-9_-]{8,}/, /\bsk-[A-Za-z0-9_-]{16,}/, /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, /"[^"]*(password|secret|api[_-]?key|token)[^"]*"\s*:\s*"/i];

/**
 * Post-deploy smoke test from anywhere: what a reader and a monitor see of a running Docent. The
 * rate-limit check comes last because it spends this address's allowance.
 */
export async function runSmoke(options: SmokeOptions): Promise<CheckResult[]> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const checks: (() => Promise<CheckResult>)[] = [
    () => health(base),
    () => metrics(base),
    () => vectorStore(base),
    ...(options.allowedOrigin ? [() => preflight(base, options.allowedOrigin ?? '', true)] : []),
    () => preflight(base, FOREIGN_ORIGIN, false),
    () => citedAnswer(base, options.question),
    // The question above already counted once against the limit.
    ...(options.rateLimit > 0 ? [() => rateLimit(base, options.rateLimit, 1)] : []),
  ];
  const results: CheckResult[] = [];
  for (const check of checks) {
    results.push(await check().catch((error: unknown) => ({ ok: false, message: `${check.name || 'check'} failed: ${(error as Error).message}` })));
  }
  return results;
}

async function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
}

async function health(base: string): Promise<CheckResult> {
  const response = await get(`${base}/health`).catch((error: unknown) => error as Error);
  if (response instanceof Error) return { ok: false, message: `/health unreachable: ${response.message}` };
  const body = healthResponseSchema.safeParse(await response.json().catch(() => null));
  if (response.status !== 200 || !body.success || body.data.database !== 'connected') {
    return { ok: false, message: `/health answered ${response.status}${body.success ? ` (${body.data.status}, database ${body.data.database})` : ''}` };
  }
  return { ok: true, message: `/health ok, database connected, up ${Math.round(body.data.uptime_seconds)} s` };
}

async function metrics(base: string): Promise<CheckResult> {
  const response = await get(`${base}/metrics`);
  const text = await response.text();
  const parsed = metricsResponseSchema.safeParse(JSON.parse(text || 'null'));
  if (response.status !== 200 || !parsed.success) return { ok: false, message: `/metrics answered ${response.status} without the metrics fields` };
  const leak = SECRET_LOOKING.find((pattern) => pattern.test(text));
  if (leak) return { ok: false, message: `/metrics contains something that looks like a secret (${leak.source})` };
  return { ok: true, message: `/metrics reachable (${parsed.data.total_requests} requests, error rate ${parsed.data.error_rate}), no secrets in it` };
}

async function vectorStore(base: string): Promise<CheckResult> {
  const response = await get(`${base}/api/v1/qdrant/status`);
  const body = (await response.json().catch(() => ({}))) as { status?: string; collection?: string; store?: string };
  if (response.status !== 200 || body.status !== 'connected') return { ok: false, message: `/api/v1/qdrant/status: ${body.status ?? response.status}` };
  return { ok: true, message: `vector store connected (${body.store ?? 'store'}, collection ${body.collection ?? '?'})` };
}

async function preflight(base: string, origin: string, shouldPass: boolean): Promise<CheckResult> {
  const response = await get(`${base}/api/v1/chat`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  const allowed = response.headers.get('access-control-allow-origin') === origin;
  if (allowed === shouldPass) return { ok: true, message: `CORS preflight from ${origin} ${shouldPass ? 'allowed' : 'refused'}` };
  return { ok: false, message: `CORS preflight from ${origin} was ${allowed ? 'allowed' : 'refused'} (expected ${shouldPass ? 'allowed: is it in CORS_ORIGINS?' : 'refused: CORS_ORIGINS is too open'})` };
}

async function citedAnswer(base: string, question: string): Promise<CheckResult> {
  const started = performance.now();
  const response = await get(`${base}/api/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message: question }),
  });
  if (response.status !== 200) return { ok: false, message: `a question was answered ${response.status}: ${(await response.text()).slice(0, 200)}` };
  const events = parseEvents(await response.text());
  const answer = events.flatMap((event) => (event.event === 'delta' ? [event.data.text] : [])).join('');
  const sources = events.find((event) => event.event === 'sources');
  const done = events.find((event) => event.event === 'done');
  const failure = events.find((event) => event.event === 'error');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failure) return { ok: false, message: `the answer failed: ${failure.data.code} (request ${failure.data.request_id})` };
  if (!done || done.data.cited.length === 0 || !sources || sources.data.sources.length === 0) {
    return { ok: false, message: `"${question}" got no cited answer (${answer.slice(0, 120) || 'empty'}); is the course ingested?` };
  }
  return { ok: true, message: `"${question}" answered in ${seconds} s, streamed, citing ${done.data.cited.length} of ${sources.data.sources.length} sources` };
}

async function rateLimit(base: string, limit: number, alreadySpent: number): Promise<CheckResult> {
  // Empty questions are refused (400) without work, but count against the limit.
  for (let request = alreadySpent + 1; request <= limit + 1; request += 1) {
    const response = await get(`${base}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '' }) });
    await response.body?.cancel();
    if (response.status === 429) {
      return request === limit + 1
        ? { ok: true, message: `chat rate limit answered 429 after ${limit} requests (Retry-After ${response.headers.get('retry-after') ?? '?'} s)` }
        : { ok: false, message: `chat rate limit answered 429 after ${request - 1} request${request === 2 ? '' : 's'}, expected ${limit} (earlier requests from this address count too)` };
    }
  }
  return { ok: false, message: `chat rate limit: ${limit + 1} requests within a minute were all let through` };
}

function parseEvents(text: string): ChatStreamEvent[] {
  return text.split('\n\n').flatMap((block) => {
    const name = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (!name || !data || !(name in chatStreamEventSchemas)) return [];
    const parsed = chatStreamEventSchemas[name as ChatStreamEventName].safeParse(JSON.parse(data));
    return parsed.success ? [{ event: name, data: parsed.data } as ChatStreamEvent] : [];
  });
}
