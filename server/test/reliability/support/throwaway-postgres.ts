/**
 * A PostgreSQL server of the drill's own: `initdb` into a temporary directory and `postgres` on a
 * random port, with this machine's server binaries (`pg_config --bindir`), so the drill can kill
 * it without touching the database the rest of the suite uses. As root, the server runs as the
 * `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../helpers/chat.js';

const BIN_DIR = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();

export interface ThrowawayPostgres {
  url: string;
  /** Starts the server and resolves when it accepts connections (with the time it did, `performance.now()`). */
  start(): Promise<number>;
  /** SIGKILL to the postmaster and every backend at once: a crash, not a shutdown. */
  crash(): Promise<void>;
  /** Stops the server (if running) and deletes its files. */
  remove(): Promise<void>;
}

function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function createThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const user = serverUser();
  const root = mkdtempSync(join(tmpdir(), 'docent-drill-pg-'));
  if (user.uid !== undefined && user.gid !== undefined) chownSync(root, user.uid, user.gid);
  const dataDir = join(root, 'data');
  execFileSync(join(BIN_DIR, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...user, stdio: 'ignore' });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const acceptsConnections = async (): Promise<boolean> => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const start = async (): Promise<number> => {
    const args = ['-D', dataDir, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1'];
    // Its own process group, so a crash can take the backends down with the postmaster.
    const child = spawn(join(BIN_DIR, 'postgres'), args, { ...user, detached: true, stdio: 'ignore' });
    server = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode} while starting`);
      if (await acceptsConnections()) return performance.now();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the throwaway postgres did not accept connections within 30 s');
  };

  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (server?.pid === undefined || server.exitCode !== null || server.signalCode !== null) return;
    process.kill(-server.pid, name);
    await exited;
  };

  return {
    url,
    start,
    crash: () => signal('SIGKILL'),
    remove: async () => {
      await signal('SIGINT');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
