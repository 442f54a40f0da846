/**
 * One processed file as the mapping store keeps it: the link between an original file and its
 * anonymized copy. Holds patient data (original filename and Patient ID), so it may go only into
 * the mapping store and the mapping CSV, never into logs, messages or output file names.
 */
export interface MappingRecord {
  /** The batch from `MappingStore.startBatch()`. */
  batchId: string;
  /** When the file was written, ISO 8601 in UTC (`new Date().toISOString()`). */
  processedAt: string;
  originalFilename: string;
  anonymizedFilename: string;
  originalPatientId: string;
  anonymizedPatientId: string;
  /** Number of data elements removed, emptied or replaced. */
  tagsAnonymized: number;
  /** Number of UIDs replaced. */
  uidsRegenerated: number;
}

/** The program that started a batch. */
export type BatchSource = 'cli' | 'daemon' | 'tui';

export const BATCH_SOURCES: readonly BatchSource[] = ['cli', 'daemon', 'tui'];

/** A batch as `MappingStore.batches()` lists it. */
export interface BatchSummary {
  id: string;
  /** ISO 8601 in UTC. */
  startedAt: string;
  source: BatchSource;
  /** Files recorded in this batch so far. */
  fileCount: number;
}
