import { lstatSync, type BigIntStats } from 'node:fs';
import type { JournalEntry } from '../src/index.js';

/**
 * Which file stands at `file` now: inode, size and modification time (ns). An upload that replaces
 * another under the same name differs in at least one. Undefined when nothing is there.
 */
export function fileIdentity(file: string): string | undefined {
  const stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
  return stat === undefined ? undefined : identityOf(stat);
}

/** fileIdentity of a file already looked at. */
export function identityOf(stat: BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
}

/**
 * Whether the file at an entry's original path is still the one it journaled, so that finishing
 * its work (removing it) is right. Entries of an older dicom-tools carry no identity: taken as the same.
 */
export function isJournaledOriginal(entry: JournalEntry): boolean {
  return entry.originalIdentity === undefined || fileIdentity(entry.originalPath) === entry.originalIdentity;
}
