import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../src/index.js';

/** Hidden (the daemon never takes hidden files), in Sources itself: one daemon per Sources folder. */
export const LOCK_FILENAME = '.dicom-tools-watch.lock';

export class InstanceLockError extends Error {
  override readonly name = 'InstanceLockError';
}

/**
 * Takes the Sources folder for this process. Two daemons on one folder would race for the same
 * uploads; a lock left by a daemon that died (its pid no longer runs) is taken over.
 */
export function acquireInstanceLock(sourcesDir: string): () => void {
  const lock = path.join(sourcesDir, LOCK_FILENAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new InstanceLockError(`another watch daemon (pid ${holder}) is already watching ${sourcesDir}; stop it first (lock: ${lock})`);
      }
      rmSync(lock, { force: true }); // stale: its daemon is gone
    }
  }
  throw new InstanceLockError(`cannot take the lock ${lock}`);
}
