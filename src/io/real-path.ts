import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The path with every symbolic link resolved, also for a path that does not exist yet: the
 * nearest existing folder above it is resolved and the rest appended. Two names of one place
 * (a link, `..`, a relative path) give the same answer.
 */
export function realPathOf(target: string): string {
  const absolute = path.resolve(target);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPathOf(parent), path.basename(absolute));
  }
}

/** Whether `inner` is `outer` or lies under it (both already absolute and resolved). */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : `${outer}${path.sep}`);
}
