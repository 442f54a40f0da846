import path from 'node:path';
import type { MappingRecord } from '../store/mapping-record.js';
import type { DeidPlan } from '../deid/plan-deid.js';
import { pixelStepRecord } from '../deid/pixel-step.js';

/** The mapping record of `original` de-identified by `plan` into `output`, processed now. */
export function mappingRecordFor(original: string, output: string, plan: DeidPlan, batchId: string): MappingRecord {
  return {
    batchId,
    processedAt: new Date().toISOString(),
    originalFilename: original,
    anonymizedFilename: path.basename(output),
    originalPatientId: plan.originalPatientId,
    anonymizedPatientId: plan.anonymizedPatientId,
    tagsAnonymized: plan.tagsAnonymized,
    uidsRegenerated: plan.uidsRegenerated,
    uidPairs: plan.uidPairs,
    ...(plan.pixels.kind === 'untouched' ? {} : { pixelCleaning: pixelStepRecord(plan.pixels) }),
  };
}
