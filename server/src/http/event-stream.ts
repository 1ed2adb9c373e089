import { PassThrough } from 'node:stream';
import { chatStreamEventSchemas, type ChatStreamEvent } from '@docent/protocol';
import type { FastifyReply } from 'fastify';

/**
 * A Server-Sent Events response sent through `reply.send(stream)`, so Fastify's hooks (CORS, request
 * id, logging, metrics) apply as for any reply. Comments every `heartbeatMs` keep proxies from
 * closing a quiet stream; `signal` aborts when the reader disconnects before the stream ended.
 * Subclasses decide how an event is framed (Docent's named events, ChatKit's bare `data:` lines).
 */
export class ServerSentEvents {
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

  /** False once the stream ended or the reader went away: nothing more can be written. */
  get open(): boolean {
    return !this.ended && !this.signal.aborted;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopHeartbeat();
    this.body.end();
  }

  /** Writes one complete SSE frame (ending in a blank line). */
  protected write(frame: string): void {
    if (this.open) this.body.write(frame);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
  }
}

/** Docent's own answer stream: `event: <name>` + `data: <json>`, each validated against the wire contract. */
export class EventStream extends ServerSentEvents {
  /** Writes one event, validated against the wire contract first. */
  send(event: ChatStreamEvent): void {
    if (!this.open) return;
    const data = chatStreamEventSchemas[event.event].parse(event.data);
    this.write(`event: ${event.event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
