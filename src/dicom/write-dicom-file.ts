import type { DataSetEdits } from './edits.js';
import type { DicomFile } from './read-file.js';
import { planFile, type FilePlan, type FilePlanOptions } from './plan-file.js';
import { writeSegmentsAtomically } from '../io/atomic-output.js';

/** Plans and writes `file` with `edits` applied to `outPath`, atomically; returns the plan that was written. */
export async function writeDicomFile(file: DicomFile, edits: DataSetEdits, outPath: string, options: FilePlanOptions = {}): Promise<FilePlan> {
  const plan = planFile(file, edits, options);
  await writeSegmentsAtomically(file, plan.segments, outPath);
  return plan;
}
