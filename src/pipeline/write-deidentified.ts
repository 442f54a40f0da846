import { planFile } from '../dicom/plan-file.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { PendingOutput } from '../io/atomic-file.js';
import { writeTemporaryOutput } from '../io/atomic-output.js';
import type { DeidPlan } from '../deid/plan-deid.js';
import { withCleanPixels } from './clean-pixel-data.js';

/**
 * Writes `file` as `plan` de-identifies it (preamble zeroed, File Meta Information cleaned) to a
 * temporary file beside `outPath`, for the caller to commit; `size` is the output's size. The one
 * place that says how a de-identified output is written, for the batch and for the daemon.
 */
export function writeDeidentifiedTemporary(file: DicomFile, plan: DeidPlan, outPath: string): { readonly pending: PendingOutput; readonly size: number } {
  const { edits, metaEdits } = withCleanPixels(file, plan);
  const filePlan = planFile(file, edits, { zeroPreamble: true, metaEdits });
  return { pending: writeTemporaryOutput(file, filePlan.segments, outPath), size: filePlan.size };
}
