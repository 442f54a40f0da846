import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, readFileSync, rmSync, type Stats } from 'node:fs';
import path from 'node:path';
import { describeFsError, holdExclusiveLock, MappingStoreError } from '../src/index.js';

/** Hidden (the daemon never takes hidden files), in Sources itself: one daemon per Sources folder. */
export const LOCK_FILENAME = '.dicom-tools-watch.lock';

export class InstanceLockError extends Error {
  override readonly name = 'InstanceLockError';
}

/**
 * Takes the Sources folder for this process: two daemons on one folder would race for the same
 * uploads. The lock is a kernel lock on the lock file (fcntl, through SQLite), released when the
 * daemon dies however it dies, so a pid left in a file (reused by another process since) never
 * keeps a daemon from starting. Returns the release, which removes the file before unlocking it.
 */
export function acquireInstanceLock(sourcesDir: string): () => void {
  const lock = path.join(sourcesDir, LOCK_FILENAME);
  // A daemon that released the lock removes the file: one that locked the removed file retries on the new one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const opened = emptyLockFile(lock);
    let release: (() => void) | undefined;
    try {
      release = holdExclusiveLock(lock);
    } catch (error) {
      if (!(error instanceof MappingStoreError)) throw error;
      throw new InstanceLockError(error.message);
    }
    if (release === undefined) {
      const holder = lockHolder(opened);
      throw new InstanceLockError(`another watch daemon${holder === undefined ? '' : ` (pid ${holder})`} is already watching ${sourcesDir}; stop it first (lock: ${lock})`);
    }
    if (sameFile(lstatSync(lock, { throwIfNoEntry: false }), opened)) {
      const locked = release;
      return () => {
        // Only our file: after Sources was removed and made again, the name may be another daemon's.
        if (sameFile(lstatSync(lock, { throwIfNoEntry: false }), opened)) rmSync(lock, { force: true });
        locked();
      };
    }
    release();
  }
  throw new InstanceLockError(`cannot take the lock ${lock}: it keeps being replaced`);
}

/**
 * Opens (or creates, 0600) the lock file, never through a symbolic link, and empties it: an older
 * dicom-tools wrote its pid there, which the lock neither needs nor may read as a database.
 * Closed before locking: closing any descriptor of a file drops the process's fcntl locks on it.
 */
function emptyLockFile(lock: string): Stats {
  let fd: number;
  try {
    fd = openSync(lock, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    throw new InstanceLockError(`cannot open the lock ${lock}: ${describeFsError(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InstanceLockError(`the lock ${lock} is not a regular file; remove it`);
    if (stat.size > 0) ftruncateSync(fd, 0);
    return stat;
  } finally {
    closeSync(fd);
  }
}

function sameFile(a: Stats | undefined, b: Stats): boolean {
  return a !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/** The pid holding a lock on the file, from Linux's /proc/locks (`1: POSIX ADVISORY WRITE <pid> <maj>:<min>:<inode> …`), if it says. */
function lockHolder(lock: Stats): number | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  // Linux's dev_t: the minor number in bits 0-7 and 20-31, the major in bits 8-19.
  const major = Math.floor(lock.dev / 0x100) & 0xfff;
  const minor = (lock.dev & 0xff) | (Math.floor(lock.dev / 0x1000) & 0xfff00);
  const device = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
  for (const line of table.split('\n')) {
    const match = /^\d+:\s+POSIX\s+\S+\s+WRITE\s+(\d+)\s+([0-9a-f]+:[0-9a-f]+):(\d+)\s/.exec(line);
    if (match !== null && match[2] === device && Number(match[3]) === lock.ino) return Number(match[1]);
  }
  return undefined;
}
