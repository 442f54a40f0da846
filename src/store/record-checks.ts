import { randomBytes } from 'node:crypto';
import { BATCH_SOURCES, type BatchSource, type MappingRecord, type RecordedFile } from './mapping-record.js';
import { MappingStoreError } from './mapping-store-error.js';

// What both stores (SQLite and PostgreSQL) check and convert the same way, so they behave alike.

export interface StartBatchOptions {
  source: BatchSource;
  /** The de-identification options, stored as JSON. Must hold no patient data. */
  options: unknown;
  /** The profile name or edition the batch was run with. */
  profile: string;
}

export interface RecordsFilter {
  /** Only the files of this batch. */
  batchId?: string | undefined;
}

/** Separates the keywords of a stored list; keywords and "(gggg,eeee)" labels never contain it. */
export const LIST_SEPARATOR = ';';

/** The longest pixelCleaning kept: a list's label (200 at most) with its entry and that entry's label. */
export const PIXEL_CLEANING_MAX_LENGTH = 300;

/** C0 and C1 control characters and DEL: a pixelCleaning is one line of plain words for a CSV cell. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** `YYYY-MM-DDTHH:MM:SS[.fraction]Z`: sorts as text in time order, which `countToday()` relies on. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** A new batch's id and start time, and its options as JSON; throws naming the store (`location`) for a batch it cannot store. */
export function newBatch(location: string, batch: StartBatchOptions): { id: string; startedAt: string; options: string } {
  if (!BATCH_SOURCES.includes(batch.source)) throw new MappingStoreError(location, `cannot start a batch: unknown source ${JSON.stringify(batch.source)} (use ${BATCH_SOURCES.join(', ')})`);
  let options: string | undefined;
  try {
    options = JSON.stringify(batch.options);
  } catch (error) {
    throw new MappingStoreError(location, 'cannot start a batch: its options cannot be stored as JSON', { cause: error });
  }
  const startedAt = new Date().toISOString();
  const id = `b-${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(6).toString('hex')}`;
  return { id, startedAt, options: options ?? 'null' };
}

/** Throws naming the store and the record's index for the first record the store cannot keep. */
export function checkRecords(location: string, records: readonly MappingRecord[]): void {
  records.forEach((record, index) => {
    const problem = recordProblem(record);
    if (problem !== undefined) throw new MappingStoreError(location, `cannot record files: record ${index} ${problem}`);
  });
}

/** Why a record cannot be stored, if it cannot (never quoting its values: they are patient data). */
export function recordProblem(record: MappingRecord): string | undefined {
  if (typeof record.processedAt !== 'string' || !ISO_UTC.test(record.processedAt)) return 'has a processedAt that is not an ISO 8601 UTC time (like 2024-05-01T12:00:00.000Z)';
  if (!isKeywordList(record.tagsAnonymized)) return `has a tagsAnonymized that is not a list of keywords (strings without "${LIST_SEPARATOR}")`;
  if (!isKeywordList(record.uidsRegenerated)) return `has a uidsRegenerated that is not a list of keywords (strings without "${LIST_SEPARATOR}")`;
  if (!Array.isArray(record.uidPairs) || !record.uidPairs.every((pair) => typeof pair?.original === 'string' && typeof pair.anonymized === 'string')) {
    return 'has uidPairs that are not a list of { original, anonymized } strings';
  }
  if (record.pixelCleaning !== undefined && !isPixelCleaning(record.pixelCleaning)) {
    return `has a pixelCleaning that is not a text of 1 to ${PIXEL_CLEANING_MAX_LENGTH} characters without control characters`;
  }
  return undefined;
}

/** A description of pixel treatment the store keeps as it is (NULL, not '', means an image not at risk). */
function isPixelCleaning(text: unknown): boolean {
  return typeof text === 'string' && text !== '' && text.length <= PIXEL_CLEANING_MAX_LENGTH && !CONTROL_CHARACTER.test(text);
}

/** A list the store can keep as ';'-separated text and give back unchanged. */
function isKeywordList(list: unknown): boolean {
  return Array.isArray(list) && list.every((keyword) => typeof keyword === 'string' && keyword !== '' && !keyword.includes(LIST_SEPARATOR));
}

/** A files row as read: the lists as stored (NULL for files recorded before schema version 3). */
export interface FileRow extends Omit<RecordedFile, 'tagsAnonymized' | 'uidsRegenerated' | 'uploadId' | 'pixelCleaning'> {
  tagsAnonymized: string | null;
  uidsRegenerated: string | null;
  /** NULL for a file not recorded by the watch daemon, or before schema version 5 (PostgreSQL 4). */
  uploadId: string | null;
  /** NULL for an image not at risk, or recorded before schema version 6 (PostgreSQL 5). */
  pixelCleaning: string | null;
}

export function recordedFile(row: FileRow): RecordedFile {
  const { uploadId, pixelCleaning, ...rest } = row;
  return {
    ...rest,
    tagsAnonymized: listOf(row.tagsAnonymized),
    uidsRegenerated: listOf(row.uidsRegenerated),
    ...(pixelCleaning === null ? {} : { pixelCleaning }),
    ...(uploadId === null ? {} : { uploadId }),
  };
}

function listOf(stored: string | null): readonly string[] | undefined {
  if (stored === null) return undefined;
  return stored === '' ? [] : stored.split(LIST_SEPARATOR);
}

/** The UTC bounds of the local calendar day of `now`, as ISO text (processed_at sorts as text in time order). */
export function localDay(now: Date): { from: string; to: string } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { from: start.toISOString(), to: end.toISOString() };
}
