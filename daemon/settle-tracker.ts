import { closeSync, lstatSync, openSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FileLook } from './sources-watch.js';

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
  /** Its ctime proved it unchanged for the stable time when it was looked at: no second look is needed. */
  proven?: boolean;
}

/**
 * Decides when a file has stopped growing: uploads and scp copies arrive slowly, so a file is
 * handed on only after its size and modification time have not changed for `stableMs`. Holds only
 * paths and numbers, so a burst of many thousands of files costs little memory.
 *
 * A file first seen with a change time (ctime) already `stableMs` old has been unchanged that
 * long (the kernel sets ctime on every write, and no one can set it back): it is handed on at
 * once (a burst renamed into Sources waits for nothing). That is trusted only where the file system's clock agrees with ours
 * (`fileClockAgrees`): a network file system's server may run behind.
 */
export class SettleTracker {
  private readonly pending = new Map<string, Seen>();

  constructor(
    private readonly stableMs: number,
    private readonly now: () => number = Date.now,
    /** Whether a file's ctime may be taken as when it last changed. */
    public trustCtime = false,
  ) {}

  /** A file was added or changed: as `look` saw it, if it was looked at. */
  touch(path: string, look?: FileLook): void {
    const now = this.now();
    const seen = this.pending.get(path);
    if (look === undefined) {
      if (seen) seen.since = now;
      else this.pending.set(path, { size: -1, mtimeMs: -1, since: now });
      return;
    }
    const proven = this.trustCtime && look.ctimeMs <= now - this.stableMs - CLOCK_TOLERANCE_MS;
    // A change (seen before) starts the wait again, whatever its ctime says.
    if (seen) Object.assign(seen, { size: look.size, mtimeMs: look.mtimeMs, since: now, proven: false });
    else this.pending.set(path, { size: look.size, mtimeMs: look.mtimeMs, since: proven ? now - this.stableMs : now, proven });
  }

  forget(path: string): void {
    this.pending.delete(path);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Checks up to `limit` files quiet for `stableMs`; returns those that did not change since the last look. */
  settled(limit = 500): string[] {
    const ready: string[] = [];
    let checked = 0;
    const now = this.now();
    for (const [path, seen] of this.pending) {
      if (checked >= limit) break;
      if (seen.proven === true) {
        this.pending.delete(path);
        ready.push(path);
        continue;
      }
      if (now - seen.since < this.stableMs) continue;
      checked++;
      // One lstat, synchronous: cheaper than a round trip through the thread pool.
      let info;
      try {
        info = lstatSync(path, { throwIfNoEntry: false });
      } catch {
        info = undefined;
      }
      if (!info) {
        this.pending.delete(path); // vanished between event and look: normal, not an error
        continue;
      }
      if (info.size === seen.size && info.mtimeMs === seen.mtimeMs) {
        this.pending.delete(path);
        ready.push(path);
      } else {
        Object.assign(seen, { size: info.size, mtimeMs: info.mtimeMs, since: now });
      }
    }
    return ready;
  }
}

/** How far apart our clock and a file system's may be for its ctimes to be trusted. */
const CLOCK_TOLERANCE_MS = 100;

/**
 * Whether the clock of the file system holding `folder` agrees with ours: a file made there now
 * must carry a ctime of now. False when it does not, or the test file cannot be made.
 */
export function fileClockAgrees(folder: string): boolean {
  const probe = path.join(folder, `.dicom-tools-clock.${randomBytes(6).toString('hex')}`);
  try {
    const before = Date.now();
    closeSync(openSync(probe, 'wx', 0o600));
    const after = Date.now();
    const { ctimeMs } = lstatSync(probe);
    return ctimeMs >= before - CLOCK_TOLERANCE_MS && ctimeMs <= after + CLOCK_TOLERANCE_MS;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}
