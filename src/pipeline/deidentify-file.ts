import path from 'node:path';
import { InvalidValueError } from '../dicom/errors.js';
import { FileIoError } from '../io/file-io-error.js';
import { DicomError, OverLimitDicomError, TruncatedDicomError, UnwritableDicomError, readDicomFile, whyNotWhole, type InflateLimits } from '../dicom/index.js';
import type { PendingOutput } from '../io/atomic-output.js';
import type { MappingRecord } from '../store/mapping-record.js';
import type { FileResult } from './file-result.js';
import { internalErrorReason } from './internal-error.js';
import { mappingRecordFor } from './mapping-record-for.js';
import type { DeidOptions } from '../deid/options.js';
import { isOurOutputFile } from './our-output.js';
import { planDeidentification, type DeidPlan } from '../deid/plan-deid.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import { UnlistedPatientError, type SubjectIds } from '../deid/subject-ids.js';
import { writeDeidentifiedTemporary } from './write-deidentified.js';

/** An output written to a temporary file beside `pending.target`, for the caller to commit and record. */
export interface WrittenOutput {
  readonly kind: 'written';
  /** The output's name without `.dcm`: the new SOP Instance UID, safe as a file name. */
  readonly stem: string;
  readonly pending: PendingOutput;
  readonly bytes: number;
  readonly result: FileResult;
  readonly record: MappingRecord;
}

/**
 * An input that is already one of our outputs (left alone), or, `confirmed: false`, one that carries
 * our De-identification Method and whose record the caller said it would look up itself.
 */
export interface OwnOutput {
  readonly kind: 'own-output';
  readonly confirmed: boolean;
}

/** An input that was not written: failed or skipped, with its reason. */
export interface NotWritten {
  readonly kind: 'not-written';
  readonly result: FileResult;
}

/** What de-identifying one input gave. */
export type DeidentifyOutcome = WrittenOutput | OwnOutput | NotWritten;

export interface DeidentifyJob {
  readonly options: DeidOptions;
  readonly batchId: string;
  /** Named by the user: an input that is not DICOM fails; found in a folder, it is skipped. */
  readonly named: boolean;
  /** Where the output of `stem` goes; its temporary file is written beside it. */
  readonly outputFor: (stem: string) => string;
  /**
   * Whether the input is recorded as one of our outputs: if it also carries our De-identification
   * Method it is left alone (an own-output outcome). 'look-up' for a caller whose lookup is slow
   * (a store on a server): only an input that carries our Method comes back, unconfirmed, for the
   * caller to look up and, if it is not recorded, to hand in again saying so. Without it, every
   * input is de-identified.
   */
  readonly recordedAsOutput?: (input: string) => boolean | 'look-up';
  /** Pre-assigned subject IDs for Patient ID and Name; without them, keyed pseudonyms. */
  readonly subjectIds?: SubjectIds | undefined;
  /** How far a deflated input may inflate. @default DEFAULT_INFLATE_LIMITS */
  readonly inflateLimits?: InflateLimits | undefined;
  /**
   * Refuse (TRUNCATED) a file that cannot be whole (whyNotWhole): for a caller that takes files as
   * they arrive and may see one still being written. A batch takes files as they are.
   */
  readonly wholeOnly?: boolean;
}

/**
 * The head of each file (all of a small one) is read into this one buffer: files are de-identified
 * one at a time per thread, and nothing of a file's bytes is kept once its output is written.
 */
const headBuffer = Buffer.allocUnsafe(1 << 20);

/** Characters kept in an output's name; others become "_". */
const UNSAFE_IN_NAME = /[^0-9A-Za-z.-]/g;

/** The longest UID (PS3.5 Table 6.2-1, UI): a kept UID beyond it is not one, and may not fit in a file name. */
const MAX_UID_LENGTH = 64;

/**
 * Reads `input`, de-identifies it and writes the output to a temporary file beside
 * `job.outputFor(stem)`, where the stem is the new SOP Instance UID; the caller commits it (under
 * that name or one it settles) and records the mapping. Never throws: a problem becomes a failed
 * or skipped result. Synchronous: each thread de-identifies one file after another.
 */
export function deidentifyFile(input: string, job: DeidentifyJob & { readonly recordedAsOutput?: undefined }, keys: Pseudonymizer): WrittenOutput | NotWritten;
export function deidentifyFile(input: string, job: DeidentifyJob, keys: Pseudonymizer): DeidentifyOutcome;
export function deidentifyFile(input: string, job: DeidentifyJob, keys: Pseudonymizer): DeidentifyOutcome {
  try {
    const file = readDicomFile(input, { reuse: headBuffer, inflateLimits: job.inflateLimits });
    const recorded = job.recordedAsOutput?.(input) ?? false;
    if (recorded !== false && isOurOutputFile(file)) return { kind: 'own-output', confirmed: recorded === true };
    const notWhole = job.wholeOnly === true ? whyNotWhole(file) : undefined;
    if (notWhole !== undefined) throw new TruncatedDicomError(notWhole);
    const plan = planDeidentification(file, job.options, keys, job.subjectIds);
    const stem = outputStem(plan, input, keys);
    const output = job.outputFor(stem);
    const { pending, size } = writeDeidentifiedTemporary(file, plan, output);
    const result: FileResult = {
      input,
      status: 'anonymized',
      anonymizedPatientId: plan.anonymizedPatientId,
      tagsAnonymized: plan.tagsAnonymized.length,
      uidsRegenerated: plan.uidsRegenerated.length,
      warnings: plan.warnings,
    };
    return { kind: 'written', stem, pending, bytes: size, result, record: mappingRecordFor(input, output, plan, job.batchId) };
  } catch (error) {
    // Refused by the subject-ID list: it fails, whether named or found in a folder, and is never passed through.
    if (error instanceof UnlistedPatientError) return { kind: 'not-written', result: { input, status: 'failed', code: error.code, reason: `${input}: ${error.message}` } };
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
