import { PassThrough } from 'node:stream';
import { chatStreamEventSchemas, type ChatStreamEvent } from '@docent/protocol';
import type { FastifyReply } from 'fastify';

/**
 * A Server-Sent Events response sent through `reply.send(stream)`, so Fastify's hooks (CORS, request
 * id, logging, metrics) apply as for any reply. Comments every `heartbeatMs` keep proxies from
 * closing a quiet stream; `signal` aborts when the reader disconnects before the stream ended.
 */
export class EventStream {
  private readonly body = new PassThrough();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly disconnect = new AbortController();
  private ended = false;

  constructor(reply: FastifyReply, heartbeatMs: number) {
    reply.raw.on('close', () => {
      if (!this.ended) this.disconnect.abort();
      this.stopHeartbeat();
    });
    this.heartbeat = setInterval(() => this.body.write(': keep-alive\n\n'), heartbeatMs);
    void reply
      .code(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      // nginx and similar proxies buffer responses unless told not to.
      .header('x-accel-buffering', 'no')
      .send(this.body);
    // Sends the headers now: the reader sees the stream open before the first event is ready.
    this.body.write(': stream open\n\n');
  }

  get signal(): AbortSignal {
    return this.disconnect.signal;
  }

  /** Writes one event, validated against the wire contract first. */
  send(event: ChatStreamEvent): void {
    if (this.ended || this.signal.aborted) return;
    const data = chatStreamEventSchemas[event.event].parse(event.data);
    this.body.write(`event: ${event.event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopHeartbeat();
    this.body.end();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
  }
}
