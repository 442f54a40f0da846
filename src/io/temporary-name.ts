import { randomBytes } from 'node:crypto';
import path from 'node:path';

// The one shape of our writers' temporary files, ".<name>.<12 hex digits>.tmp" beside the target:
// hidden, and recognised wherever inputs are listed, so a leftover is never taken for an input.

/** Unique per process by a counter, across processes (and worker threads) by a random prefix. */
const uniquePrefix = randomBytes(3).toString('hex');
let counter = 0;

/** A fresh temporary path beside `target`, in the shape isTemporary() recognises. */
export function temporaryPathFor(target: string): string {
  const unique = `${uniquePrefix}${(counter++ % 0xffffff).toString(16).padStart(6, '0')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${unique}.tmp`);
}

/**
 * Whether a file name is one of our temporary files. Also those left by older versions, whose 12
 * hex digits were random: the shape must not change, or their leftovers would be taken as inputs.
 */
export function isTemporary(name: string): boolean {
  return /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);
}
