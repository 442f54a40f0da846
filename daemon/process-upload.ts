import { existsSync, lstatSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  commitOutputs,
  deidentifyFile,
  describeFsError,
  DicomError,
  discardOutputs,
  internalErrorReason,
  isTemporary,
  MappingStoreError,
  mayBeOutputName,
  syncDirectory,
  type DeidOptions,
  type FileResult,
  type InflateLimits,
  type MappingRecord,
  type PendingOutput,
  type Pseudonymizer,
  type SubjectIds,
  type UploadStore,
} from '../src/index.js';
import { identityOf, isJournaledOriginal } from './file-identity.js';
import type { JournalMirror } from './journal-mirror.js';

export interface UploadContext {
  readonly options: DeidOptions;
  readonly keys: Pseudonymizer;
  /** The mapping store: SQLite, or a PostgreSQL server other daemons share. */
  readonly store: UploadStore;
  /** This daemon's journal entries, held in memory and written through to the store. */
  readonly journal: JournalMirror;
  readonly batchId: string;
  /** Pre-assigned subject IDs (DICOM_PATIENT_IDS); an unlisted patient's file fails and is quarantined unless they say otherwise. */
  readonly subjectIds?: SubjectIds | undefined;
  /** How far a deflated upload may inflate (DICOM_INFLATE_MAX_MB, DICOM_INFLATE_MAX_RATIO). */
  readonly inflateLimits?: InflateLimits | undefined;
}

/**
 * What happened to one file in Sources:
 * - anonymized: its anonymized file is in Sources, the mapping recorded, the original removed;
 * - own-output: one of our outputs, left alone (and no longer watched);
 * - ignored: not ours to touch (a temporary or hidden file, a symbolic link, gone);
 * - not-dicom: left alone;
 * - retry: a passing problem (permission, I/O): try again later;
 * - failed: cannot be anonymized: quarantine it.
 */
export type UploadOutcome =
  | { readonly kind: 'anonymized'; readonly output: string }
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

/**
 * Anonymizes uploads in place as one group, crash-safely, with one flush of the disk for the
 * whole group instead of several per file. `take` hands out the next file, until the group is full
 * or there is none. The steps:
 * 1. each file is read, de-identified and written to a temporary file beside it, under a name that
 *    no file, journal entry or other group holds (`reserved`);
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
  let bytes = 0;
  try {
    try {
      for (let file = take(); file !== undefined; file = written.length < limits.files && bytes < limits.bytes ? take() : undefined) {
        const entry = context.journal.forOriginal(file);
        // Its output is in place and recorded: only the original is left to remove, unless a new
        // upload has taken its name meanwhile.
        if (entry?.state === 'written' && existsSync(entry.outputPath) && isJournaledOriginal(entry)) {
          recorded.push({ file, output: entry.outputPath });
          continue;
        }
        const result = await deidentifyUpload(file, context, reserved);
        if ('pending' in result) {
          written.push(result);
          bytes += result.bytes;
        } else {
          outcomes.set(file, result);
        }
        // One file at a time, synchronously: the event loop (polling, signals) runs between files.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      discardOutputs(written.map((upload) => upload.pending));
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

async function deidentifyUpload(file: string, context: UploadContext, reserved: Set<string>): Promise<WrittenUpload | UploadOutcome> {
  const looked = outcomeWithoutReading(file, context);
  if ('kind' in looked) return looked;
  const { identity } = looked;
  const name = path.basename(file);
  const deidentify = (recordedAsOutput: () => boolean | 'look-up') =>
    deidentifyFile(
      file,
      { options: context.options, batchId: context.batchId, subjectIds: context.subjectIds, inflateLimits: context.inflateLimits, named: false, outputFor: (stem) => chooseOutput(file, stem, context, reserved), recordedAsOutput },
      context.keys,
    );
  // Our outputs carry our De-identification Method and are in the mapping under their name; only a
  // file that carries it, under a name we could have given, costs a lookup in the store.
  let outcome = deidentify(() => (mayBeOutputName(name) ? 'look-up' : false));
  if (outcome.kind === 'own-output' && !outcome.confirmed && !(await context.store.isRecordedOutput(name))) outcome = deidentify(() => false);
  switch (outcome.kind) {
    case 'own-output':
      return { kind: 'own-output' };
    case 'not-written':
      return outcomeOfFailure(outcome.result);
    case 'written':
      reserved.add(outcome.pending.target);
      return { file, identity, output: outcome.pending.target, pending: outcome.pending, bytes: outcome.bytes, record: outcome.record };
  }
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
  await context.journal.written(group.map((upload) => ({ originalPath: upload.file, record: upload.record })));
  await removeRecordedOriginals(group, context, outcomes);
}

/** An original whose anonymized file is in place and recorded. */
interface InPlace {
  readonly file: string;
  readonly output: string;
}

/**
 * Removes originals whose outputs are in place and recorded, and finishes their journal entries.
 * One that cannot be removed keeps its entry ('written'): a later attempt, or the next start,
 * only removes it.
 */
async function removeRecordedOriginals(uploads: readonly InPlace[], context: UploadContext, outcomes: Map<string, UploadOutcome>): Promise<void> {
  const problems = await removeOriginals(uploads.map((upload) => upload.file));
  for (const upload of uploads) {
    const problem = problems.get(upload.file);
    outcomes.set(upload.file, problem === undefined ? { kind: 'anonymized', output: upload.output } : { kind: 'retry', reason: `${upload.file}: anonymized, but the original cannot be removed: ${describeFsError(problem)}` });
  }
  // Done, whatever the store says now: an entry it fails to finish is finished by recovery.
  await context.journal.finish(uploads.filter((upload) => problems.get(upload.file) === undefined).map((upload) => upload.file));
}

/**
 * Removes originals and makes the removals durable, flushing each folder once. Resolves to each
 * file's problem, undefined when it is gone.
 */
async function removeOriginals(files: readonly string[]): Promise<Map<string, unknown>> {
  const problems = new Map<string, unknown>();
  for (const file of files) {
    problems.set(
      file,
      await unlink(file).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error),
      ),
    );
  }
  for (const directory of new Set(files.map((file) => path.dirname(file)))) await syncDirectory(directory);
  return problems;
}

/** Removes the original and makes the removal durable. */
export async function removeOriginal(file: string): Promise<void> {
  const problem = (await removeOriginals([file])).get(file);
  if (problem !== undefined) throw problem;
}

/** Why `file` is not to be read at all, if it is not; else which file it is (fileIdentity), from the same lstat. */
function outcomeWithoutReading(file: string, context: UploadContext): UploadOutcome | { readonly identity: string } {
  const ignored = (why: string): UploadOutcome => ({ kind: 'ignored', why });
  const name = path.basename(file);
  if (isTemporary(name) || name.startsWith('.')) return ignored('a hidden or temporary file (an upload in progress?)');
  const stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
  if (!stat) return ignored('gone before it could be processed');
  if (stat.isSymbolicLink()) return ignored('a symbolic link (not followed)');
  if (!stat.isFile()) return ignored('not a regular file');
  if (context.journal.forOutput(file)) return { kind: 'own-output' };
  return { identity: identityOf(stat) };
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

/** What to do with a file that could not be anonymized: leave it (not DICOM), try again (I/O), or quarantine it. */
function outcomeOfFailure(result: FileResult): UploadOutcome {
  if (result.code === 'NOT_DICOM') return { kind: 'not-dicom' };
  const reason = result.reason ?? `${result.input}: not anonymized`;
  return result.code === 'IO' ? { kind: 'retry', reason } : { kind: 'failed', reason };
}

function classify(error: unknown, file: string): UploadOutcome {
  if (!(error instanceof DicomError)) return { kind: 'failed', reason: internalErrorReason(file, error) };
  return outcomeOfFailure({ input: file, status: 'failed', code: error.code, reason: error.inFile(file).message });
}
