import path from 'node:path';
import { DicomError, InvalidValueError, OverLimitDicomError, TruncatedDicomError, UnwritableDicomError } from '../dicom/errors.js';
import { FileIoError } from '../io/file-io-error.js';
import { readDicomFile, type DicomFile } from '../dicom/read-file.js';
import { whyNotWhole } from '../dicom/whole-file.js';
import type { PendingOutput } from '../io/atomic-file.js';
import type { MappingRecord } from '../store/mapping-record.js';
import type { FileResult } from './file-result.js';
import { internalErrorReason } from './internal-error.js';
import { mappingRecordFor } from './mapping-record-for.js';
import { isOurOutputFile } from './our-output.js';
import { planDeidentification, type DeidPlan } from '../deid/plan-deid.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import { UnlistedPatientError } from '../deid/subject-ids.js';
import { OcrNeededError, BurnedInPixelsError } from '../pixels/burned-in-risk.js';
import type { Rectangle } from '../pixels/blank-spans.js';
import type { RunOptions } from './run-options.js';
import { writeDeidentifiedTemporary } from './write-deidentified.js';

/**
 * An output written to a temporary file in the job's output folder, for the caller to name
 * (`placedAt`), commit and record. Until named it is meant for `<stem>.dcm`.
 */
export interface WrittenOutput {
  readonly kind: 'written';
  /** The output's name without `.dcm`: the new SOP Instance UID, safe as a file name. */
  readonly stem: string;
  readonly pending: PendingOutput;
  readonly bytes: number;
  readonly result: FileResult;
  readonly record: MappingRecord;
}

/** An input that is already one of our outputs, left alone. */
export interface OwnOutput {
  readonly kind: 'own-output';
}

/** An input that was not written: failed or skipped, with its reason. */
export interface NotWritten {
  readonly kind: 'not-written';
  readonly result: FileResult;
}

/** An input read whole, not yet de-identified; `ours`: it carries our De-identification Method. */
export interface ReadInput {
  readonly kind: 'read';
  readonly file: DicomFile;
  readonly ours: boolean;
}

/** What de-identifying one input gave. */
export type DeidentifyOutcome = WrittenOutput | OwnOutput | NotWritten;

export interface DeidentifyJob {
  /** The run's options, subject IDs and inflate limits (runOptions). */
  readonly run: RunOptions;
  readonly batchId: string;
  /** Named by the user: an input that is not DICOM fails; found in a folder, it is skipped. */
  readonly named: boolean;
  /** The folder the output goes in: its temporary file is written there. */
  readonly outDir: string;
  /**
   * Refuse (TRUNCATED) a file that cannot be whole (whyNotWhole): for a caller that takes files as
   * they arrive and may see one still being written. A batch takes files as they are.
   */
  readonly wholeOnly?: boolean;
  /**
   * The buffer a file's head is read into (`readBuffer()`). Without it, one per thread, which only a
   * caller that de-identifies what it read with no await in between may use.
   */
  readonly readBuffer?: Buffer;
  /** The upload's id for its mapping row (the daemon names uploads by it). */
  readonly uploadIdOf?: (input: string) => string;
  /** The boxes OCR found in this file (--ocr), for an at-risk image nothing else says the text of. */
  readonly ocrBoxes?: readonly Rectangle[];
}

/** Bytes of a file's head read into one buffer (all of a small file). */
const HEAD_BYTES = 1 << 20;

/**
 * The head of each file is read into this one buffer: files are de-identified one at a time per
 * thread, and nothing of a file's bytes is kept once its output is written.
 */
const headBuffer = Buffer.allocUnsafe(HEAD_BYTES);

/** A buffer of its own for a caller that awaits between reading a file and de-identifying it. */
export function readBuffer(): Buffer {
  return Buffer.allocUnsafe(HEAD_BYTES);
}

/** Characters kept in an output's name; others become "_". */
const UNSAFE_IN_NAME = /[^0-9A-Za-z.-]/g;

/** The longest UID (PS3.5 Table 6.2-1, UI): a kept UID beyond it is not one, and may not fit in a file name. */
const MAX_UID_LENGTH = 64;

/**
 * Reads `input` and, unless it is one of our outputs (it carries our De-identification Method:
 * `ownOutputs: 'skip'`), de-identifies it into a temporary file (deidentifyRead). Never throws: a
 * problem becomes a failed or skipped result. Synchronous: each thread de-identifies one file
 * after another.
 */
export function deidentifyFile(input: string, job: DeidentifyJob, keys: Pseudonymizer): DeidentifyOutcome {
  const read = readInput(input, job);
  if (read.kind === 'not-written') return read;
  if (read.ours) return { kind: 'own-output' };
  return deidentifyRead(input, read.file, job, keys);
}

/** Reads `input` for de-identification. Never throws: a problem becomes a failed or skipped result. */
export function readInput(input: string, job: DeidentifyJob): ReadInput | NotWritten {
  try {
    const file = readDicomFile(input, { reuse: job.readBuffer ?? headBuffer, inflateLimits: job.run.inflateLimits });
    return { kind: 'read', file, ours: isOurOutputFile(file) };
  } catch (error) {
    return notWritten(input, error, job);
  }
}

/**
 * De-identifies `file` (read from `input` by readInput) into a temporary file in `job.outDir`,
 * meant for `<stem>.dcm`, where the stem is the new SOP Instance UID; the caller names it
 * (`placedAt`), commits and records it. Never throws: a problem becomes a failed result.
 */
export function deidentifyRead(input: string, file: DicomFile, job: DeidentifyJob, keys: Pseudonymizer): WrittenOutput | NotWritten {
  try {
    const notWhole = job.wholeOnly === true ? whyNotWhole(file) : undefined;
    if (notWhole !== undefined) throw new TruncatedDicomError(notWhole);
    const plan = planFor(file, job, keys);
    const stem = outputStem(plan, input, keys);
    const output = path.join(job.outDir, `${stem}.dcm`);
    const { pending, size } = writeDeidentifiedTemporary(file, plan, output);
    const result: FileResult = {
      input,
      status: 'anonymized',
      anonymizedPatientId: plan.anonymizedPatientId,
      tagsAnonymized: plan.tagsAnonymized.length,
      uidsRegenerated: plan.uidsRegenerated.length,
      warnings: plan.warnings,
    };
    return { kind: 'written', stem, pending, bytes: size, result, record: recordFor(input, output, plan, job) };
  } catch (error) {
    return notWritten(input, error, job);
  }
}

/**
 * `written` to be committed as `target`, a name the caller settled in the same folder (a clash
 * with another file gets "-2", ...): the one way an output's final name is set, in the record too.
 */
export function placedAt(written: WrittenOutput, target: string): WrittenOutput {
  return { ...written, pending: { ...written.pending, target }, record: { ...written.record, anonymizedFilename: path.basename(target) } };
}

/**
 * The mapping record of `input` whose output is already at `output` (the daemon's recovery after a
 * crash between the rename and the record): read and planned exactly as deidentifyRead does.
 *
 * @throws DicomError when the original can no longer be read.
 */
export function recordOfPlacedOutput(input: string, output: string, job: DeidentifyJob, keys: Pseudonymizer): MappingRecord {
  const file = readDicomFile(input, { reuse: job.readBuffer ?? headBuffer, inflateLimits: job.run.inflateLimits });
  return recordFor(input, output, planFor(file, job, keys), job);
}

function planFor(file: DicomFile, job: DeidentifyJob, keys: Pseudonymizer): DeidPlan {
  return planDeidentification(file, job.run.options, keys, job.run.subjectIds, job.ocrBoxes);
}

function recordFor(input: string, output: string, plan: DeidPlan, job: DeidentifyJob): MappingRecord {
  const record = mappingRecordFor(input, output, plan, job.batchId);
  return job.uploadIdOf ? { ...record, uploadId: job.uploadIdOf(input) } : record;
}

function notWritten(input: string, error: unknown, job: DeidentifyJob): NotWritten {
  // Refused by the subject-ID list, or as it may carry burned-in text: it fails, whether named or found in a folder, and is never passed through.
  if (error instanceof UnlistedPatientError || error instanceof BurnedInPixelsError || error instanceof OcrNeededError) return { kind: 'not-written', result: { input, status: 'failed', code: error.code, reason: `${input}: ${error.message}` } };
  if (error instanceof FileIoError) return { kind: 'not-written', result: { input, status: 'failed', code: 'IO', reason: error.message } };
  if (error instanceof DicomError) {
    // Found in a folder, a file that is not DICOM, or a DICOMDIR (a CD's index, which holds patient
    // names and cannot be edited), is skipped with its reason; named by the user, it fails.
    // A file refused because its output could not be read by others is an image that failed.
    const skipped = (error.code === 'NOT_DICOM' || (error.code === 'UNSUPPORTED' && !(error instanceof UnwritableDicomError || error instanceof OverLimitDicomError))) && !job.named;
    return { kind: 'not-written', result: { input, status: skipped ? 'skipped' : 'failed', code: error.code, reason: error.inFile(input).message } };
  }
  return { kind: 'not-written', result: { input, status: 'failed', code: 'BUG', reason: internalErrorReason(input, error) } };
}

/**
 * Whether a file name could be one `deidentifyFile` gives (`<UID>.dcm`, `<UID>-2.dcm`,
 * `anon-<token>.dcm`): only such a file can be one of our outputs, so only its name is worth
 * looking up in the mapping.
 */
export function mayBeOutputName(name: string): boolean {
  return /^(?:[0-9][0-9._]*(?:-[0-9]+)?|anon-[0-9A-Za-z._-]+)\.dcm$/.test(name);
}

/**
 * The new SOP Instance UID, or without one a pseudonym of the input's path; never patient data.
 *
 * @throws InvalidValueError for a kept SOP Instance UID longer than a UID may be.
 */
function outputStem(plan: DeidPlan, input: string, keys: Pseudonymizer): string {
  const uid = plan.sopInstanceUid;
  if (uid !== undefined && uid.length > MAX_UID_LENGTH) {
    throw new InvalidValueError(`the SOP Instance UID is ${uid.length} characters long, more than a UID may have (${MAX_UID_LENGTH}); it is kept (UIDs are not regenerated), so the output cannot be named by it`, {
      tag: 0x00080018,
    });
  }
  return (plan.sopInstanceUid ?? `anon-${keys.token(path.resolve(input))}`).replace(UNSAFE_IN_NAME, '_');
}
