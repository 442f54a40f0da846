import path from 'node:path';
import { deidentifyFile, type NotWritten, type WrittenOutput } from './deidentify-file.js';
import type { InflateLimits } from '../dicom/inflate-data-set.js';
import type { DeidOptions } from './options.js';
import type { Pseudonymizer } from './pseudonyms.js';
import type { SubjectIds } from './subject-ids.js';

/** One input of a batch; `index` is its place in the batch. */
export interface DeidentifyTask {
  readonly index: number;
  readonly input: string;
  readonly named: boolean;
}

/** What every file of a batch shares (sent to each worker thread). */
export interface BatchSettings {
  readonly outDir: string;
  readonly options: DeidOptions;
  readonly batchId: string;
  readonly subjectIds?: SubjectIds | undefined;
  readonly inflateLimits?: InflateLimits | undefined;
}

/** What a batch gets for one input: a batch de-identifies our own outputs again like any other file. */
export type BatchOutcome = WrittenOutput | NotWritten;

/** What a worker sends back: outcomes of part of a chunk, `last` on the chunk's final message. */
export interface WorkerReply {
  readonly outcomes: readonly { readonly index: number; readonly outcome: BatchOutcome }[];
  readonly last: boolean;
}

/** De-identifies one input of a batch into the output folder, under its stem; the batch settles the final name. */
export function deidentifyTask(task: DeidentifyTask, settings: BatchSettings, keys: Pseudonymizer): BatchOutcome {
  const job = {
    options: settings.options,
    batchId: settings.batchId,
    subjectIds: settings.subjectIds,
    inflateLimits: settings.inflateLimits,
    named: task.named,
    outputFor: (stem: string) => path.join(settings.outDir, `${stem}.dcm`),
  };
  return deidentifyFile(task.input, job, keys);
}
