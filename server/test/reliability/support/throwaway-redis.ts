/** A Redis server of the drill's own on a random port (this machine's `redis-server`), to kill and restart. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../helpers/chat.js';

export interface ThrowawayRedis {
  url: string;
  /** Starts the server (empty: it keeps nothing on disk) and resolves when it answers PING. */
  start(): Promise<number>;
  /** SIGKILL: the store vanishes mid-request. */
  crash(): Promise<void>;
}

export async function createThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  const answersPing = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  return {
    url,
    start: async () => {
      server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        if (await answersPing()) return performance.now();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the throwaway redis did not answer within 10 s');
    },
    crash: async () => {
      if (!server || server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    },
  };
}
