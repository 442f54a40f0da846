import { deidentifyFile, type NotWritten, type WrittenOutput } from './deidentify-file.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import type { RunOptions } from './run-options.js';

/** One input of a batch; `index` is its place in the batch. */
export interface DeidentifyTask {
  readonly index: number;
  readonly input: string;
  readonly named: boolean;
}

/** What every file of a batch shares (sent to each worker thread). */
export interface BatchSettings {
  readonly outDir: string;
  readonly run: RunOptions;
  readonly batchId: string;
}

/** What a batch gets for one input: one of our own outputs comes back skipped, never de-identified again. */
export type BatchOutcome = WrittenOutput | NotWritten;

/** What a worker sends back: outcomes of part of a chunk, `last` on the chunk's final message. */
export interface WorkerReply {
  readonly outcomes: readonly { readonly index: number; readonly outcome: BatchOutcome }[];
  readonly last: boolean;
}

/** De-identifies one input of a batch into the output folder, under its stem; the batch settles the final name. */
export function deidentifyTask(task: DeidentifyTask, settings: BatchSettings, keys: Pseudonymizer): BatchOutcome {
  const outcome = deidentifyFile(task.input, { run: settings.run, batchId: settings.batchId, named: task.named, outDir: settings.outDir }, keys);
  // A file carrying our De-identification Method is an earlier output (a second run over a folder that holds them).
  if (outcome.kind !== 'own-output') return outcome;
  return { kind: 'not-written', result: { input: task.input, status: 'skipped', code: 'OWN_OUTPUT', reason: `${task.input}: already anonymized by dicom-tools (it carries our De-identification Method); skipped` } };
}
