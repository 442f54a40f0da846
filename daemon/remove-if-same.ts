import { createHash, randomBytes } from 'node:crypto';
import { linkSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { identityOf } from './file-identity.js';

/** What removing an original did: removed it, or found a new upload in its place and left that there. */
export type Removal = 'removed' | 'replaced';

/**
 * Removes an anonymized original only if the file at its path is still the one that was read
 * (`identity`, see fileIdentity). The check is made at the moment of removal: the file is renamed
 * aside (atomic: what was at the path is now at the aside name, and only there), compared, then
 * removed, or put back when an upload was renamed over the original meanwhile. Without an identity
 * (a journal entry of an older dicom-tools) the file is removed as before.
 * The rename and the comparison are synchronous (a round trip through the thread pool for each
 * cost ten times as much); the unlink, which frees the file's blocks and is the slow part, runs in
 * the thread pool, so that the removals of a group go on side by side while the main thread works.
 */
export async function removeIfSame(file: string, identity: string | undefined): Promise<Removal> {
  const aside = identity === undefined ? file : asideName(file);
  try {
    if (identity !== undefined) renameSync(file, aside);
    const same = identity === undefined || setAsideIs(aside, identity);
    if (same === undefined) return 'removed';
    if (!same) {
      putBack(aside, file);
      return 'replaced';
    }
    await unlink(aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'removed';
    throw error;
  }
  return 'removed';
}

/** Whether the file set aside is the one journaled; undefined when nothing is there. */
function setAsideIs(aside: string, identity: string): boolean | undefined {
  const stat = lstatSync(aside, { bigint: true, throwIfNoEntry: false });
  return stat === undefined ? undefined : identityOf(stat) === identity;
}

/**
 * Ends a removal that a crash interrupted after the rename aside: the file set aside is removed if it
 * is the journaled original and `removable` (its output recorded), else put back. Undefined when
 * nothing was set aside.
 */
export function settleAside(file: string, identity: string | undefined, removable: boolean): Removal | undefined {
  const aside = asideName(file);
  const stat = lstatSync(aside, { bigint: true, throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  if (removable && (identity === undefined || identityOf(stat) === identity)) {
    unlinkSync(aside);
    return 'removed';
  }
  putBack(aside, file);
  return 'replaced';
}

/**
 * Hidden (the daemon takes no hidden file as an upload) and one per original name, so that recovery
 * finds it from the journal; hashed, so that a long name stays a valid one.
 */
export function asideName(file: string): string {
  const hash = createHash('sha256').update(path.basename(file)).digest('hex').slice(0, 16);
  return path.join(path.dirname(file), `.dicom-tools-removing.${hash}`);
}

/**
 * Moves a new upload back to its name without replacing a file that arrived there meanwhile (a
 * hard link fails if the name exists); then it keeps its name with a random suffix.
 */
function putBack(aside: string, file: string): void {
  for (let target = file; ; target = `${file}.${randomBytes(4).toString('hex')}`) {
    try {
      linkSync(aside, target);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // A file system without hard links: a plain rename, which a third upload could only race.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return renameSync(aside, target);
      throw error;
    }
  }
  unlinkSync(aside);
}
