import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import {
  commitOutputs,
  createUploadPool,
  deidentifyRead,
  describeFsError,
  DicomError,
  FileIoError,
  discardOutputs,
  internalErrorReason,
  isTemporary,
  MappingStoreError,
  mayBeOutputName,
  placedAt,
  readBuffer,
  readInput,
  syncDirectory,
  threadsForFiles,
  type BatchOutcome,
  type DeidentifyJob,
  type DeidentifyTask,
  type FileResult,
  type OcrReader,
  type MappingRecord,
  type PendingOutput,
  type Pseudonymizer,
  type RunOptions,
  type UploadStore,
  type WorkerPool,
} from '../src/index.js';
import { fileIdentity, identityOf, isJournaledOriginal } from './file-identity.js';
import type { JournalMirror } from './journal-mirror.js';
import { removeIfSame, type Removal } from './remove-if-same.js';
import type { UploadNames } from './upload-names.js';

export interface UploadContext {
  /** The options, subject IDs (DICOM_PATIENT_IDS) and inflate limits of every upload, as the daemon's batch recorded them. */
  readonly run: RunOptions;
  readonly keys: Pseudonymizer;
  /** The mapping store: SQLite, or a PostgreSQL server other daemons share. */
  readonly store: UploadStore;
  /** This daemon's journal entries, held in memory and written through to the store. */
  readonly journal: JournalMirror;
  readonly batchId: string;
  /** How the log names uploads; each mapping row keeps the upload's id. */
  readonly names: UploadNames;
  /** Reads the text of images only OCR can clean (DICOM_OCR=true with clean-pixel-data). */
  readonly ocr?: OcrReader | undefined;
  /** De-identifies uploads (createUploadPool): worker threads, kept for the daemon's life. */
  readonly pool: WorkerPool;
}

/**
 * What happened to one file in Sources:
 * - anonymized: its anonymized file is in Sources, the mapping recorded, the original removed
 *   (`replaced`: a new upload took its name meanwhile and is there, still to be taken);
 * - own-output: one of our outputs, left alone (and no longer watched);
 * - ignored: not ours to touch (a temporary or hidden file, a symbolic link, gone);
 * - not-dicom: left alone;
 * - retry: a passing problem (permission, I/O, a file that cannot be whole yet): try again later;
 * - failed: cannot be anonymized: quarantine it.
 */
export type UploadOutcome =
  | { readonly kind: 'anonymized'; readonly output: string; readonly outputIdentity: string | undefined; readonly replaced?: true }
  | { readonly kind: 'own-output' }
  | { readonly kind: 'ignored'; readonly why: string }
  | { readonly kind: 'not-dicom' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** What became of a group's files. */
export interface GroupResult {
  readonly outcomes: Map<string, UploadOutcome>;
  /**
   * The mapping store failed: the files without an outcome are unfinished (each original still in
   * Sources, its journal entry saying how far it got) and are to be taken again once the store
   * answers, after the journal is recovered.
   */
  readonly storeError?: MappingStoreError | undefined;
}

/** How much one group takes before it is committed. */
export interface GroupLimits {
  readonly files: number;
  readonly bytes: number;
}

/** One upload written to its temporary file, not yet journaled or visible. */
interface WrittenUpload {
  readonly file: string;
  /** The original as it was read (fileIdentity). */
  readonly identity: string;
  readonly output: string;
  readonly pending: PendingOutput;
  readonly bytes: number;
  readonly record: MappingRecord;
}

/** A file of the group to de-identify: it was looked at (not read) just before. */
interface UploadTask {
  readonly file: string;
  /** The original as it was looked at (fileIdentity). */
  readonly identity: string;
  readonly size: number;
}

/**
 * Anonymizes uploads in place as one group, crash-safely, with one flush of the disk for the
 * whole group instead of several per file. `take` hands out the next file, until the group is full
 * or there is none. The steps:
 * 1. the files are read, de-identified and written to temporary files beside them by the worker
 *    threads (`context.pool`), as the batch does; each output gets a name that no file, journal
 *    entry or other group holds (`reserved`);
 * 2. the originals and their output names are journaled (one transaction, durable);
 * 3. the outputs are flushed (one syncfs) and renamed into place;
 * 4. the mappings are recorded and the entries marked written (one transaction, durable);
 * 5. only then are the originals removed (their folders flushed) and the entries finished.
 * After a crash at any step `recoverJournal` completes or undoes it, so no file is lost and none
 * is anonymized twice; a store that fails at any step stops the group there, as a crash would
 * (the result's storeError). Resolves to the outcome of every file finished.
 */
export async function processUploadGroup(
  take: () => string | undefined,
  context: UploadContext,
  reserved: Set<string>,
  limits: GroupLimits,
  /** Called once the group takes no more files: from here on it waits for the disk. */
  onAllTaken: () => void = () => {},
): Promise<GroupResult> {
  const outcomes = new Map<string, UploadOutcome>();
  const written: WrittenUpload[] = [];
  // Originals already anonymized and recorded whose removal failed before: only removed now, so
  // that they are neither written nor recorded a second time.
  const recorded: InPlace[] = [];
  const tasks: UploadTask[] = [];
  // Outputs written by the workers and not yet handed on: discarded if the group fails meanwhile.
  let unclaimed: readonly (BatchOutcome | undefined)[] = [];
  let bytes = 0;
  try {
    try {
      for (let file = take(); file !== undefined; file = tasks.length < limits.files && bytes < limits.bytes ? take() : undefined) {
        const entry = context.journal.forOriginal(file);
        // Its output is in place and recorded: only the original is left to remove, unless a new
        // upload has taken its name meanwhile.
        if (entry?.state === 'written' && existsSync(entry.outputPath) && isJournaledOriginal(entry)) {
          recorded.push({ file, output: entry.outputPath, identity: entry.originalIdentity });
          continue;
        }
        const looked = outcomeWithoutReading(file, context);
        if ('kind' in looked) outcomes.set(file, looked);
        else {
          tasks.push({ file, ...looked });
          bytes += looked.size;
        }
      }
      const deidentified = await deidentifyInPool(tasks, context);
      // Groups run side by side: one read buffer per group, for what is read again here (OCR).
      const buffer = tasks.length > 0 ? readBuffer() : undefined;
      for (const [index, task] of tasks.entries()) {
        unclaimed = deidentified.slice(index);
        const result = await afterDeidentify(task, deidentified[index], context, reserved, buffer);
        if ('pending' in result) written.push(result);
        else outcomes.set(task.file, result);
      }
      unclaimed = [];
    } catch (error) {
      const notHandedOn = unclaimed.flatMap((outcome) => (outcome?.kind === 'written' ? [outcome.pending] : []));
      discardOutputs([...written.map((upload) => upload.pending), ...notHandedOn]);
      throw error;
    }
    onAllTaken();
    if (written.length > 0) await commitGroup(written, context, outcomes);
    if (recorded.length > 0) await removeRecordedOriginals(recorded, context, outcomes);
    return { outcomes };
  } catch (error) {
    if (error instanceof MappingStoreError) return { outcomes, storeError: error };
    throw error;
  } finally {
    for (const upload of written) reserved.delete(upload.output);
  }
}

/** De-identifies the group's files in the worker threads, as many as their size calls for; the outcomes in the tasks' order. */
async function deidentifyInPool(tasks: readonly UploadTask[], context: UploadContext): Promise<(BatchOutcome | undefined)[]> {
  const outcomes: (BatchOutcome | undefined)[] = new Array(tasks.length);
  if (tasks.length === 0) return outcomes;
  const bytes = tasks.reduce((sum, task) => sum + task.size, 0);
  const work: DeidentifyTask[] = tasks.map(({ file }, index) => ({ index, input: file, named: false, outDir: path.dirname(file), uploadId: context.names.id(file) }));
  await context.pool.run(work, (index, outcome) => (outcomes[index] = outcome), undefined, threadsForFiles(bytes / tasks.length, tasks.length));
  return outcomes;
}

/**
 * What a de-identified upload comes to: named and reserved, ready to commit; or left alone as one
 * of our outputs (it carries our De-identification Method and is in the mapping under its name);
 * or, when only OCR can clean it, read again and planned with the boxes OCR found.
 */
async function afterDeidentify(task: UploadTask, deidentified: BatchOutcome | undefined, context: UploadContext, reserved: Set<string>, buffer: Buffer | undefined): Promise<WrittenUpload | UploadOutcome> {
  const { file, identity } = task;
  let outcome: BatchOutcome = deidentified ?? { kind: 'not-written', result: { input: file, status: 'failed', code: 'BUG', reason: `${file}: not processed` } };
  if (outcome.kind === 'written' && outcome.ours === true && mayBeOutputName(path.basename(file)) && (await context.store.isRecordedOutput(path.basename(file)))) {
    discardOutputs([outcome.pending]);
    return { kind: 'own-output' };
  }
  if (outcome.kind === 'not-written' && outcome.result.code === 'NEEDS_OCR' && context.ocr) outcome = await withOcr(file, uploadJob(context, path.dirname(file), buffer), context.ocr, context);
  // Still being written (or replaced) while it was read: what was read may be a part. It waits.
  if (((outcome.kind === 'written' ? outcome.identityAfter : undefined) ?? fileIdentity(file)) !== identity) {
    if (outcome.kind === 'written') discardOutputs([outcome.pending]);
    return { kind: 'retry', reason: `${file}: changed while it was read (still being written?)` };
  }
  if (outcome.kind === 'not-written') return outcomeOfFailure(outcome.result);
  const placed = placedAt(outcome, chooseOutput(file, outcome.stem, context, reserved));
  reserved.add(placed.pending.target);
  return { file, identity, output: placed.pending.target, pending: placed.pending, bytes: placed.bytes, record: placed.record };
}

/** Only OCR can clean it: read again, its text read (the group waits), then planned with the boxes found. */
async function withOcr(file: string, job: DeidentifyJob, ocr: OcrReader, context: UploadContext): Promise<BatchOutcome> {
  const read = readInput(file, job);
  if (read.kind === 'not-written') return read;
  try {
    return deidentifyRead(file, read.file, { ...job, ocrBoxes: await ocr.boxesOf(read.file) }, context.keys);
  } catch (error) {
    const detail = error instanceof Error && 'code' in error ? error.message : 'OCR failed';
    return { kind: 'not-written', result: { input: file, status: 'failed', code: 'BURNED_IN', reason: `${file}: its text could not be read by OCR: ${detail}` } };
  }
}

/**
 * How the daemon de-identifies an upload: beside it, whole files only, each mapping row with the
 * upload's id; with the group's own read buffer, as the group awaits the store between reading a
 * file and de-identifying it. Recovery records an interrupted upload with the same job.
 */
export function uploadJob(context: UploadContext, outDir: string, readBuffer?: Buffer): DeidentifyJob {
  return { run: context.run, batchId: context.batchId, named: false, outDir, wholeOnly: true, uploadIdOf: (input) => context.names.id(input), ...(readBuffer && { readBuffer }) };
}

/** The daemon's worker threads for uploads: whole files only, each task beside its upload, our outputs marked. */
export function uploadPool(run: RunOptions, batchId: string, keys: Pseudonymizer): WorkerPool {
  return createUploadPool({ outDir: '', run, batchId, wholeOnly: true, ownOutputs: 'mark' }, keys);
}

async function commitGroup(group: readonly WrittenUpload[], context: UploadContext, outcomes: Map<string, UploadOutcome>): Promise<void> {
  const pending = group.map((upload) => upload.pending);
  const originals = group.map((upload) => upload.file);
  try {
    await context.journal.begin(group.map((upload) => ({ originalPath: upload.file, outputPath: upload.output, originalIdentity: upload.identity })));
  } catch (error) {
    discardOutputs(pending);
    throw error;
  }
  try {
    await commitOutputs(pending, 'file-system');
  } catch (error) {
    // None of the group is visible: the originals are tried again and the entries dropped (should
    // the store fail to, recovery drops them: their outputs do not exist).
    for (const file of originals) outcomes.set(file, classify(error, file));
    await context.journal.finish(originals);
    return;
  }
  // Which files our outputs are, taken now: a file copied over one later is a new upload.
  const placed = group.map((upload) => ({ ...upload, outputIdentity: fileIdentity(upload.output) }));
  await context.journal.written(group.map((upload) => ({ originalPath: upload.file, record: upload.record })));
  await removeRecordedOriginals(placed, context, outcomes);
}

/** An original whose anonymized file is in place and recorded. */
interface InPlace {
  readonly file: string;
  readonly output: string;
  /** The original as it was read (fileIdentity); absent for entries of an older dicom-tools. */
  readonly identity: string | undefined;
  /** The output as it was put in place (fileIdentity), when known. */
  readonly outputIdentity?: string | undefined;
}

/**
 * Removes originals whose outputs are in place and recorded, and finishes their journal entries.
 * One that cannot be removed keeps its entry ('written'): a later attempt, or the next start,
 * only removes it.
 */
async function removeRecordedOriginals(uploads: readonly InPlace[], context: UploadContext, outcomes: Map<string, UploadOutcome>): Promise<void> {
  const removals = await removeOriginals(uploads);
  for (const upload of uploads) {
    const removal = removals.get(upload.file);
    const anonymized = { kind: 'anonymized', output: upload.output, outputIdentity: upload.outputIdentity } as const;
    if (removal === 'removed') outcomes.set(upload.file, anonymized);
    else if (removal === 'replaced') outcomes.set(upload.file, { ...anonymized, replaced: true });
    else outcomes.set(upload.file, { kind: 'retry', reason: `${upload.file}: anonymized, but the original cannot be removed: ${describeFsError(removal?.problem)}` });
  }
  // Done, whatever the store says now: an entry it fails to finish is finished by recovery.
  await context.journal.finish(uploads.filter((upload) => typeof removals.get(upload.file) === 'string').map((upload) => upload.file));
}

/**
 * Removes originals that are still the files read (removeIfSame) and makes the removals durable,
 * flushing each folder once. Resolves to what became of each, or its problem.
 */
async function removeOriginals(uploads: readonly InPlace[]): Promise<Map<string, Removal | { readonly problem: unknown }>> {
  const removals = new Map<string, Removal | { readonly problem: unknown }>();
  // Started one after another (each renames and compares at once), finished side by side.
  await Promise.all(uploads.map(async ({ file, identity }) => removals.set(file, await removeIfSame(file, identity).catch((problem: unknown) => ({ problem })))));
  for (const directory of new Set(uploads.map((upload) => path.dirname(upload.file)))) await syncDirectory(directory);
  return removals;
}

/** Removes the original if it is still the file journaled (removeIfSame), and makes the removal durable. */
export async function removeOriginal(file: string, identity: string | undefined): Promise<Removal> {
  const removal = (await removeOriginals([{ file, output: '', identity }])).get(file);
  if (typeof removal !== 'string') throw removal?.problem;
  return removal;
}

/** Why `file` is not to be read at all, if it is not; else which file it is (fileIdentity) and its size, from the same lstat. */
function outcomeWithoutReading(file: string, context: UploadContext): UploadOutcome | { readonly identity: string; readonly size: number } {
  const ignored = (why: string): UploadOutcome => ({ kind: 'ignored', why });
  const name = path.basename(file);
  if (isTemporary(name) || name.startsWith('.')) return ignored('a hidden or temporary file (an upload in progress?)');
  const stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
  if (!stat) return ignored('gone before it could be processed');
  if (stat.isSymbolicLink()) return ignored('a symbolic link (not followed)');
  if (!stat.isFile()) return ignored('not a regular file');
  if (context.journal.forOutput(file)) return { kind: 'own-output' };
  return { identity: identityOf(stat), size: Number(stat.size) };
}

/**
 * `<stem>.dcm` beside the original (the stem is safe as a file name); a name already taken by
 * another file (or upload in flight) gets -2, -3, ...
 */
function chooseOutput(file: string, stem: string, context: UploadContext, reserved: ReadonlySet<string>): string {
  const directory = path.dirname(file);
  for (let counter = 1; ; counter++) {
    const candidate = path.join(directory, counter === 1 ? `${stem}.dcm` : `${stem}-${counter}.dcm`);
    const journaled = context.journal.forOutput(candidate);
    if (candidate === file || reserved.has(candidate)) continue;
    if (journaled ? journaled.originalPath === file : !existsSync(candidate)) return candidate;
  }
}

/**
 * What to do with a file that could not be anonymized: leave it (not DICOM), try again (I/O, or a
 * file that cannot be whole yet: a copy that paused), or quarantine it.
 */
function outcomeOfFailure(result: FileResult): UploadOutcome {
  if (result.code === 'NOT_DICOM') return { kind: 'not-dicom' };
  const reason = result.reason ?? `${result.input}: not anonymized`;
  return result.code === 'IO' || result.code === 'TRUNCATED' ? { kind: 'retry', reason } : { kind: 'failed', reason };
}

function classify(error: unknown, file: string): UploadOutcome {
  if (error instanceof FileIoError) return outcomeOfFailure({ input: file, status: 'failed', code: 'IO', reason: error.message });
  if (!(error instanceof DicomError)) return { kind: 'failed', reason: internalErrorReason(file, error) };
  return outcomeOfFailure({ input: file, status: 'failed', code: error.code, reason: error.inFile(file).message });
}
