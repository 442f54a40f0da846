import type { MappingRecord } from './mapping-record.js';
import type { StartBatchOptions } from './record-checks.js';

/** An original whose anonymized version is about to be written to `outputPath`. */
export interface JournalStart {
  readonly originalPath: string;
  readonly outputPath: string;
  /**
   * Which file was read (inode, size and modification time, see fileIdentity): a file that later
   * stands under the same path but differs is a new upload, never taken for this one.
   */
  readonly originalIdentity?: string | undefined;
}

/** An original whose anonymized version is in place, with its mapping. */
export interface JournalWritten {
  readonly originalPath: string;
  readonly record: MappingRecord;
}

/**
 * One file the watch daemon is working on: 'writing' until its output exists and its mapping is
 * recorded (one transaction), then 'written' until the original is removed.
 */
export interface JournalEntry {
  readonly originalPath: string;
  readonly outputPath: string;
  readonly state: 'writing' | 'written';
  /** See JournalStart; absent for entries journaled by an older dicom-tools. */
  readonly originalIdentity?: string | undefined;
}

/** A row as read: SQL's NULL identity becomes an absent one. */
export function journalEntryOf(row: { readonly originalPath: string; readonly outputPath: string; readonly state: 'writing' | 'written'; readonly originalIdentity: string | null }): JournalEntry {
  const { originalIdentity, ...entry } = row;
  return originalIdentity === null ? entry : { ...entry, originalIdentity };
}

/**
 * The mapping store as the watch daemon uses it: the mapping records, and the journal of this
 * daemon's uploads in flight (its node and Sources folder only), in the same database so that an
 * upload's record and its journal state are committed together. The embedded SQLite file or a
 * PostgreSQL server shared by several daemons; both behave alike. Every failure is a
 * MappingStoreError naming the store, never a value or a password; `unreachable` on it means
 * "wait and try again".
 */
export interface UploadStore {
  /** The store for messages, without a password. */
  readonly location: string;
  /** The store for people: `SQLite <file>` or `PostgreSQL <URL without password>`, as `status` names it. */
  readonly description: string;
  /** Starts a batch and resolves with its id. */
  startBatch(batch: StartBatchOptions): Promise<string>;
  /** Files processed on the local calendar day of `now`, on every node. */
  countToday(now?: Date): Promise<number>;
  /** Whether a file of this name is recorded as an anonymized output (by any node). */
  isRecordedOutput(name: string): Promise<boolean>;
  /** This daemon's journal entries, oldest first. */
  journalEntries(): Promise<JournalEntry[]>;
  /** Journals uploads about to be written (one transaction, durable when this resolves). */
  beginUploads(entries: readonly JournalStart[]): Promise<void>;
  /**
   * Records the uploads' mappings and marks their entries written, in one durable transaction.
   * Entries already written are left alone and not recorded again, so that a retry after a lost
   * answer records nothing twice.
   */
  recordUploads(entries: readonly JournalWritten[]): Promise<void>;
  /** Forgets entries whose originals are gone or whose work was abandoned. */
  finishUploads(originalPaths: readonly string[]): Promise<void>;
  /**
   * Throws a MappingStoreError when the store is no longer the one opened: an SQLite file removed or
   * replaced meanwhile. Immediate, no round trip (a PostgreSQL server that stopped answering fails
   * the next query instead).
   */
  checkStillOpen(): void;
  /**
   * Resolves when the store answers and is still the one opened; rejects with a MappingStoreError
   * while it is not.
   */
  probe(): Promise<void>;
  /** Closes the store; further calls are no-ops. */
  close(): Promise<void>;
}

/** Which daemon's journal: entries are this node's, and only those of its Sources folder are its own. */
export interface UploadStoreScope {
  /** `DICOM_NODE_NAME`, by default the host name: unique per server sharing one store. */
  readonly node: string;
  /** The absolute Sources folder: two daemons of one node never see each other's entries. */
  readonly sourcesDir: string;
}

/** Whether `file` lies inside `folder` (both absolute). */
export function isInside(folder: string, file: string): boolean {
  const prefix = folder.endsWith('/') ? folder : `${folder}/`;
  return file.startsWith(prefix);
}
