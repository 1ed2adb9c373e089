/** File-tree helpers for the image replay: fast copies and deletes, sizes, and a free port. */
import { execFile } from 'node:child_process';
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * `cp -a`: keeps symlinks as they are (npm's workspace links are relative and must stay so) and is
 * several times faster than fs.cp on a node_modules tree.
 */
export async function copyTree(source: string, destination: string): Promise<void> {
  await execFileAsync('cp', ['-a', '--', source, destination], { maxBuffer: 16 * 1024 * 1024 });
}

/**
 * Deletes a tree with many unlinks in flight. On these machines' disks a sequential `rm -rf` of a
 * node_modules tree takes close to a minute; concurrent unlinks take a few seconds.
 */
export async function removeTree(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isDirectory()) {
    await unlink(path);
    return;
  }
  const entries = await readdir(path);
  await Promise.all(entries.map((entry) => removeTree(join(path, entry))));
  await rmdir(path);
}

export interface TreeSize {
  files: number;
  /** Space used on disk, as `du` counts it. */
  bytes: number;
}

/** `du` in JavaScript: the blocks every file and folder occupies (hard links counted once). */
export async function treeSize(path: string, seen = new Set<string>()): Promise<TreeSize> {
  const stats = await lstat(path);
  const key = `${stats.dev}:${stats.ino}`;
  if (seen.has(key)) return { files: 0, bytes: 0 };
  seen.add(key);
  const own = { files: stats.isDirectory() ? 0 : 1, bytes: stats.blocks * 512 };
  if (!stats.isDirectory()) return own;
  const children = await Promise.all((await readdir(path)).map((entry) => treeSize(join(path, entry), seen)));
  return children.reduce((total, child) => ({ files: total.files + child.files, bytes: total.bytes + child.bytes }), own);
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
