/**
 * One processed file as it is recorded: the link between an original file and its anonymized
 * copy. Holds patient data (original filename and Patient ID, original UIDs), so it may go only
 * into the mapping store and the mapping exports, never into logs, messages or output file names.
 */
export interface MappingRecord {
  /** The batch from `SqliteMappingStore.startBatch()`. */
  batchId: string;
  /** When the file was written, ISO 8601 in UTC (`new Date().toISOString()`). */
  processedAt: string;
  originalFilename: string;
  anonymizedFilename: string;
  originalPatientId: string;
  anonymizedPatientId: string;
  /** The attributes removed, emptied or replaced at any depth: keywords ((gggg,eeee) without one), in tag order, each once. */
  tagsAnonymized: readonly string[];
  /** The UID attributes whose values were replaced: keywords, in tag order, each once. */
  uidsRegenerated: readonly string[];
  /**
   * Each distinct original UID the file's de-identification replaced, with its replacement. The
   * store keeps them per batch, not per file (`SqliteMappingStore.uidPairs()`), so a `RecordedFile`
   * read back has none.
   */
  uidPairs: readonly IdPair[];
  /**
   * How an at-risk image's pixels were treated: the region list and entry or the method that
   * blanked its burned-in text, or 'accepted as it is' (--burned-in accept); absent for an image
   * that was not at risk. Names lists and entries, never a value of the file.
   */
  pixelCleaning?: string;
  /** The watch daemon's id of the upload (`u-3f9a1c02`), which its log names it by; absent for the CLI and the TUI. */
  uploadId?: string;
}

/**
 * A file as the store gives it back. The two lists are undefined for a file recorded before the
 * store kept them (schema version 2 and older kept only their counts).
 */
export interface RecordedFile extends Omit<MappingRecord, 'tagsAnonymized' | 'uidsRegenerated' | 'uidPairs'> {
  tagsAnonymized: readonly string[] | undefined;
  uidsRegenerated: readonly string[] | undefined;
}

/** An original identifier (UID or Patient ID) and the one that replaced it. Patient data. */
export interface IdPair {
  readonly original: string;
  readonly anonymized: string;
}

/** The program that started a batch. */
export type BatchSource = 'cli' | 'daemon' | 'tui';

export const BATCH_SOURCES: readonly BatchSource[] = ['cli', 'daemon', 'tui'];

/** A batch as `SqliteMappingStore.batches()` lists it. */
export interface BatchSummary {
  id: string;
  /** ISO 8601 in UTC. */
  startedAt: string;
  source: BatchSource;
  /** Files recorded in this batch so far. */
  fileCount: number;
  /** The profile it was run with, e.g. "PS3.15 2024b research". */
  profile: string;
}
