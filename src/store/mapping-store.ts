import type { BatchSummary, IdPair, MappingRecord, RecordedFile } from './mapping-record.js';
import type { RecordsFilter, StartBatchOptions } from './record-checks.js';

/**
 * The mapping store as the CLI and the TUI use it, whichever database holds it: the embedded
 * SQLite file (the default) or a PostgreSQL server (`DICOM_MAPPING_URL`). Both behave alike: the
 * same batches, records, pairs and order; every failure is a MappingStoreError naming the store
 * (`location`) and the problem, never a recorded value or a password.
 */
export interface MappingStore {
  /** Where the store is, for messages: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Starts a batch and resolves with its new id (`b-` + UTC time + random hex; no patient data). */
  startBatch(batch: StartBatchOptions): Promise<string>;
  /** Records processed files and the UID pairs of their batches in one transaction: all of them, or none. */
  record(records: readonly MappingRecord[]): Promise<void>;
  /** The recorded files, oldest first; all of them, or those of one batch. */
  records(filter?: RecordsFilter): Promise<RecordedFile[]>;
  /** The distinct original-to-new UID pairs, in the order first recorded; of all batches, or of one. */
  uidPairs(filter?: RecordsFilter): Promise<IdPair[]>;
  /** The distinct original-to-pseudonymous Patient ID pairs, in the order first recorded; of all batches, or of one. */
  patientPairs(filter?: RecordsFilter): Promise<IdPair[]>;
  /** Every batch, oldest first, with the number of files recorded in it. */
  batches(): Promise<BatchSummary[]>;
  /** Files processed on the local calendar day of `now`. */
  countToday(now?: Date): Promise<number>;
  /** Records of files whose anonymized file name is `name`. */
  recordsForAnonymizedName(name: string): Promise<RecordedFile[]>;
  /** Closes the store; further calls are no-ops. */
  close(): Promise<void>;
}
