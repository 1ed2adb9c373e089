/**
 * Clients that hold connections without finishing a request (slowloris), or open very many from
 * one address, are cut off instead of holding the server's sockets indefinitely.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

let testApp: TestApp;
let port: number;
beforeAll(async () => {
  testApp = await startTestApp('pglite', { REQUEST_TIMEOUT_SECONDS: '1', MAX_CONNECTIONS_PER_ADDRESS: '5' });
  port = Number(new URL(await testApp.app.listen({ port: 0, host: '127.0.0.1' })).port);
});
afterAll(() => testApp?.close());

function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let data = '';
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => data, closed }));
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.on('close', () => done(performance.now() - started)));
    socket.once('error', reject);
  });
}

describe('slow and greedy clients', () => {
  it('answers 408 and closes a connection whose body trickles in slower than the request timeout', async () => {
    const { socket, received, closed } = await open();
    socket.write('POST /api/v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    const after = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 15_000))]);
    clearInterval(trickle);
    socket.destroy();
    expect(after).toBeLessThan(10_000);
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  }, 20_000);

  it('refuses connections from one address beyond its cap, and serves the ones it holds', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => open()));
    const extra = await open();
    const extraClosedAfter = await Promise.race([extra.closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 5_000))]);
    expect(extraClosedAfter).toBeLessThan(5_000);
    expect(extra.received()).toBe('');
    const first = held[0];
    first?.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await first?.closed;
    expect(first?.received()).toMatch(/^HTTP\/1\.1 200/);
    for (const { socket } of held) socket.destroy();
  });
});
