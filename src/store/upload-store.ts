import type { JournalEntry, JournalStart, JournalWritten } from './upload-journal.js';
import type { StartBatchOptions } from './record-checks.js';

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
