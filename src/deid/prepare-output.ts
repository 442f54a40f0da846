import path from 'node:path';
import { DicomError, UnwritableDicomError, readDicomFile, type PendingOutput } from '../dicom/index.js';
import type { MappingRecord } from '../store/mapping-record.js';
import type { FileResult } from './file-result.js';
import type { DeidOptions } from './options.js';
import { planDeidentification } from './plan-deid.js';
import { writeDeidentifiedTemporary } from './write-deidentified.js';
import { internalErrorReason } from './internal-error.js';
import type { Pseudonymizer } from './pseudonyms.js';

/** What preparing one input gave: a written, not yet committed output, or a final result. */
export type PrepareOutcome =
  | { readonly kind: 'written'; readonly stem: string; readonly pending: PendingOutput; readonly bytes: number; readonly result: FileResult; readonly record: MappingRecord }
  | { readonly kind: 'done'; readonly result: FileResult };

export interface PrepareSettings {
  readonly outDir: string;
  readonly options: DeidOptions;
  readonly batchId: string;
}

/**
 * The head of each file (all of a small one) is read into this one buffer: files are prepared one
 * at a time per thread, and nothing of a file's bytes is kept once its output is written.
 */
const headBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * Reads, de-identifies and writes one input to a temporary file beside `<stem>.dcm` in the output
 * folder, where the stem is the new SOP Instance UID. The caller settles the final name (unique in
 * the batch) and commits. Never throws: a problem becomes a failed or skipped result. Synchronous:
 * it runs in worker threads, one file after another.
 */
export function prepareOutput(input: string, named: boolean, settings: PrepareSettings, keys: Pseudonymizer): PrepareOutcome {
  try {
    const file = readDicomFile(input, { reuse: headBuffer });
    const plan = planDeidentification(file, settings.options, keys);
    const stem = (plan.sopInstanceUid ?? `anon-${keys.token(path.resolve(input))}`).replace(/[^0-9A-Za-z.-]/g, '_');
    const { pending, size } = writeDeidentifiedTemporary(file, plan, path.join(settings.outDir, `${stem}.dcm`));
    const record: MappingRecord = {
      batchId: settings.batchId,
      processedAt: new Date().toISOString(),
      originalFilename: input,
      anonymizedFilename: `${stem}.dcm`,
      originalPatientId: plan.originalPatientId,
      anonymizedPatientId: plan.anonymizedPatientId,
      tagsAnonymized: plan.tagsAnonymized,
      uidsRegenerated: plan.uidsRegenerated,
      uidPairs: plan.uidPairs,
    };
    const result: FileResult = {
      input,
      status: 'anonymized',
      anonymizedPatientId: plan.anonymizedPatientId,
      tagsAnonymized: plan.tagsAnonymized.length,
      uidsRegenerated: plan.uidsRegenerated.length,
      warnings: plan.warnings,
    };
    return { kind: 'written', stem, pending, bytes: size, result, record };
  } catch (error) {
    if (error instanceof DicomError) {
      // Found in a folder, a file that is not DICOM, or a DICOMDIR (a CD's index, which holds patient
      // names and cannot be edited), is skipped with its reason; named on the command line, it fails.
      // A file refused because its output could not be read by others is an image that failed.
      const skipped = (error.code === 'NOT_DICOM' || (error.code === 'UNSUPPORTED' && !(error instanceof UnwritableDicomError))) && !named;
      return { kind: 'done', result: { input, status: skipped ? 'skipped' : 'failed', code: error.code, reason: error.inFile(input).message } };
    }
    return { kind: 'done', result: { input, status: 'failed', code: 'BUG', reason: internalErrorReason(input, error) } };
  }
}
