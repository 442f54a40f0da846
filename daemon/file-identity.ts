import { fileIdentity, type JournalEntry } from '../src/index.js';

export { fileIdentity, identityOf } from '../src/index.js';

/**
 * Whether the file at an entry's original path is still the one it journaled, so that finishing
 * its work (removing it) is right. Entries of an older dicom-tools carry no identity: taken as the same.
 */
export function isJournaledOriginal(entry: JournalEntry): boolean {
  return entry.originalIdentity === undefined || fileIdentity(entry.originalPath) === entry.originalIdentity;
}
