import { stat } from 'node:fs/promises';

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
}

/**
 * Decides when a file has stopped growing: uploads and scp copies arrive slowly, so a file is
 * handed on only after its size and modification time have not changed for `stableMs`. Holds only
 * paths and numbers, so a burst of many thousands of files costs little memory.
 */
export class SettleTracker {
  private readonly pending = new Map<string, Seen>();

  constructor(
    private readonly stableMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A file was added or changed. */
  touch(path: string): void {
    const seen = this.pending.get(path);
    if (seen) seen.since = this.now();
    else this.pending.set(path, { size: -1, mtimeMs: -1, since: this.now() });
  }

  forget(path: string): void {
    this.pending.delete(path);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Checks up to `limit` files quiet for `stableMs`; returns those that did not change since the last look. */
  async settled(limit = 500): Promise<string[]> {
    const ready: string[] = [];
    let checked = 0;
    for (const [path, seen] of this.pending) {
      if (checked >= limit) break;
      if (this.now() - seen.since < this.stableMs) continue;
      checked++;
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        this.pending.delete(path); // vanished between event and look: normal, not an error
        continue;
      }
      if (info.size === seen.size && info.mtimeMs === seen.mtimeMs) {
        this.pending.delete(path);
        ready.push(path);
      } else {
        Object.assign(seen, { size: info.size, mtimeMs: info.mtimeMs, since: this.now() });
      }
    }
    return ready;
  }
}
