/**
 * The servers the browser tests run against:
 * - Docent itself on E2E_DOCENT_PORT (production mode, embedded database in a temporary directory,
 *   the bundled course ingested before it listens), which also serves the demo course site;
 * - a separate "course site" on E2E_SITE_PORT serving `e2e/fixtures/*.html`, which embeds the
 *   widget from Docent the way a real course site does (another origin, listed in CORS_ORIGINS);
 * - a mailbox (e2e/mailbox.ts): an SMTP server Docent sends account emails to, whose mail the tests
 *   read at `http://127.0.0.1:E2E_MAIL_PORT/mail?to=<address>`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCourse } from '@docent/ingest';
import { buildApp } from '../server/src/app.js';
import { loadConfig } from '../server/src/config.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES } from '../server/src/knowledge/bundled-course.js';
import { serveMailbox } from './mailbox.js';
import { E2E_DOCENT_PORT, E2E_MAIL_PORT, E2E_SITE_PORT, E2E_SLOW_CHAT_PORT } from './ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'docent-e2e-'));
const siteOrigin = `http://localhost:${E2E_SITE_PORT}`;
const docentOrigin = `http://localhost:${E2E_DOCENT_PORT}`;
const mailbox = await serveMailbox(E2E_MAIL_PORT);
const config = loadConfig({
  // Development mode: production would mark the visitor cookie Secure, which a browser drops over plain http.
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  CORS_ORIGINS: `${siteOrigin},${docentOrigin}`,
  PORT: String(E2E_DOCENT_PORT),
  // Links in emails must lead to the host name the widget talks to, or the browser would keep the
  // session cookie for another host.
  PUBLIC_URL: docentOrigin,
  SMTP_URL: mailbox.smtpUrl,
  MAIL_FROM: 'Docent <docent@example.test>',
  // Every browser test asks and signs in from the same address.
  RATE_LIMIT_CHAT_PER_MINUTE: '100000',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
});
const app = await buildApp(config);
await ingestCourse({ docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES, reset: false, dryRun: false }, app.knowledge);
await app.listen({ port: E2E_DOCENT_PORT, host: '127.0.0.1' });

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const site = createServer((request, response) => {
  const name = (request.url ?? '/').split('?')[0]?.replace(/^\/+/, '') || 'course-page.html';
  if (!/^[\w-]+\.html$/.test(name)) {
    response.writeHead(404).end('not found');
    return;
  }
  try {
    // `?chat=slow` points the page's widget at the stand-in below instead of Docent; `&links=1` or
    // `&code=1` on the page's address (sent along as page_url) picks its canned answer.
    const chatServer = new URL(request.url ?? '/', siteOrigin).searchParams.get('chat') === 'slow' ? `http://localhost:${E2E_SLOW_CHAT_PORT}` : docentOrigin;
    const page = readFileSync(join(fixtures, name), 'utf8').replaceAll('{{DOCENT}}', docentOrigin).replaceAll('{{CHAT_SERVER}}', chatServer);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } catch {
    response.writeHead(404).end('not found');
  }
});
site.listen(E2E_SITE_PORT, '127.0.0.1');

// A stand-in for Docent's chat endpoint that answers slowly, so a test can stop an answer midway
// (the real server's handling of a reader who leaves is covered by the server tests).
let slowAnswersStopped = 0;
const slow = createServer((request, response) => {
  const cors = { 'access-control-allow-origin': siteOrigin, 'access-control-allow-credentials': 'true', 'access-control-allow-headers': 'content-type, x-request-id, accept' };
  if (request.url === '/stopped') {
    // How many slow answers were cut off by their reader: the test's proof that Stop really stops.
    response.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ stopped: slowAnswersStopped }));
    return;
  }
  if (request.method === 'OPTIONS') {
    response.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST, GET' }).end();
    return;
  }
  if (request.url === '/api/v1/me') {
    // The widget asks who the reader is when it loads: nobody, here.
    response.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ account: null }));
    return;
  }
  if (request.url !== '/api/v1/chat') {
    response.writeHead(404, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'Not here.', request_id: 'slow-stand-in' } }));
    return;
  }
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    if (body.includes('links=1')) answerWithLinks(response, cors);
    else if (body.includes('code=1')) answerWithCode(response, cors);
    else answerSlowly(response, cors);
  });
});

/** Starts a chat answer's event stream; returns how to send one event. */
function eventStream(response: ServerResponse, cors: Record<string, string>): (event: string, data: unknown) => void {
  response.writeHead(200, { ...cors, 'content-type': 'text/event-stream' });
  return (event, data) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** An answer whose Markdown links lead to the course, to a cited source's host, and elsewhere. */
function answerWithLinks(response: ServerResponse, cors: Record<string, string>): void {
  const send = eventStream(response, cors);
  send('thread', { thread_id: '00000000-0000-4000-8000-00000000000c', message_id: '00000000-0000-4000-8000-00000000000d' });
  send('sources', {
    sources: [
      { id: 1, kind: 'course', title: 'Describing joints', chapter: 'URDF', url: '/docs/ros2/urdf-robot-description#describing-joints', snippet: '' },
      { id: 2, kind: 'course', title: 'ROS 2 tutorials', chapter: 'ROS 2', url: 'https://docs.ros.org/en/humble/Tutorials.html', snippet: '' },
    ],
  });
  send('delta', { text: 'See [the joints section](/docs/ros2/urdf-robot-description#describing-joints) [1], [the ROS tutorials](https://docs.ros.org/en/humble/Tutorials/Beginner.html) [2] and [claim your prize](https://evil.example.net/claim).' });
  send('done', { message_id: '00000000-0000-4000-8000-00000000000d', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, cited: [1, 2] });
  response.end();
}

/** An answer with a code block in each language the course uses (e2e/fixtures/code-answer.md). */
function answerWithCode(response: ServerResponse, cors: Record<string, string>): void {
  const send = eventStream(response, cors);
  send('thread', { thread_id: '00000000-0000-4000-8000-00000000000e', message_id: '00000000-0000-4000-8000-00000000000f' });
  send('sources', { sources: [] });
  send('delta', { text: readFileSync(join(fixtures, 'code-answer.md'), 'utf8') });
  send('done', { message_id: '00000000-0000-4000-8000-00000000000f', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, cited: [] });
  response.end();
}

function answerSlowly(response: ServerResponse, cors: Record<string, string>): void {
  const send = eventStream(response, cors);
  send('thread', { thread_id: '00000000-0000-4000-8000-00000000000a', message_id: '00000000-0000-4000-8000-00000000000b' });
  send('sources', { sources: [{ id: 1, kind: 'course', title: 'Describing joints', chapter: 'URDF', url: '/docs/ros2/urdf-robot-description#describing-joints', snippet: '' }] });
  let piece = 0;
  const timer = setInterval(() => send('delta', { text: `Piece ${(piece += 1)} of a long answer [1]. ` }), 200);
  response.on('close', () => {
    clearInterval(timer);
    slowAnswersStopped += 1;
  });
}
slow.listen(E2E_SLOW_CHAT_PORT, '127.0.0.1');
console.log(`e2e servers ready: Docent ${docentOrigin}, course site ${siteOrigin}`);

const stop = () => {
  site.close();
  slow.close();
  mailbox.close();
  void app.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
