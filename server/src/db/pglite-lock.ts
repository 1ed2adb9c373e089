import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      `The data directory is in use by another Docent process (pid ${holderPid}). ` +
        `Stop it first, or point DATA_DIR at another directory. Lock file: ${lockFile}`,
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * An exclusive, process-wide lock on the embedded database's directory: two PGlite instances on
 * one directory corrupt it silently. The lock file holds the owner's pid; a lock whose owner is
 * gone (a crash, a killed container) is taken over, so a restart never needs manual cleanup.
 * A library like proper-lockfile would instead wait for an mtime to go stale after a crash.
 */
export function acquireDataDirLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const descriptor = openSync(lockFile, 'wx', 0o600);
      writeSync(descriptor, String(process.pid));
      closeSync(descriptor);
      return () => releaseIfOurs(lockFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holderPid = readHolderPid(lockFile);
      if (holderPid !== undefined && holderPid !== process.pid && isProcessAlive(holderPid)) {
        throw new DataDirLockedError(lockFile, holderPid);
      }
      unlinkQuietly(lockFile);
    }
  }
  throw new Error(`Could not create the lock file ${lockFile}`);
}

function releaseIfOurs(lockFile: string): void {
  if (readHolderPid(lockFile) === process.pid) unlinkQuietly(lockFile);
}

function readHolderPid(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the directory.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}
