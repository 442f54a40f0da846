import { deidentifyFile, deidentifyRead, readInput, type DeidentifyJob, type NotWritten, type WrittenOutput } from './deidentify-file.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import { fileIdentity } from '../io/file-identity.js';
import type { RunOptions } from './run-options.js';

/** One input of a batch; `index` is its place in the batch. */
export interface DeidentifyTask {
  readonly index: number;
  readonly input: string;
  readonly named: boolean;
  /** Its own output folder (the daemon writes beside each upload), else the batch's. */
  readonly outDir?: string;
  /** The upload's id for its mapping row (the daemon's). */
  readonly uploadId?: string;
}

/** What every file of a batch shares (sent to each worker thread). */
export interface BatchSettings {
  readonly outDir: string;
  readonly run: RunOptions;
  readonly batchId: string;
  /** Refuse a file that cannot be whole yet (the daemon: an upload may still be written). */
  readonly wholeOnly?: boolean;
  /**
   * 'skip' (the batch): a file carrying our De-identification Method is skipped unread further.
   * 'mark' (the daemon): it is de-identified and marked `ours`, for the caller to look up whether
   * it is an output of ours in the mapping (only then left alone).
   */
  readonly ownOutputs?: 'skip' | 'mark';
}

/**
 * What a batch gets for one input: one of our own outputs comes back skipped, never de-identified
 * again; with `ownOutputs: 'mark'`, written and marked `ours`, and with the identity of the file
 * at the input's path after it was read (`identityAfter`, see fileIdentity).
 */
export type BatchOutcome = (WrittenOutput & { readonly ours?: true; readonly identityAfter?: string | undefined }) | NotWritten;

/** What a worker sends back: outcomes of part of a chunk, `last` on the chunk's final message. */
export interface WorkerReply {
  readonly outcomes: readonly { readonly index: number; readonly outcome: BatchOutcome }[];
  readonly last: boolean;
}

/** De-identifies one input of a batch into the output folder, under its stem; the batch settles the final name. */
export function deidentifyTask(task: DeidentifyTask, settings: BatchSettings, keys: Pseudonymizer): BatchOutcome {
  const job: DeidentifyJob = {
    run: settings.run,
    batchId: settings.batchId,
    named: task.named,
    outDir: task.outDir ?? settings.outDir,
    ...(settings.wholeOnly === true && { wholeOnly: true }),
    ...(task.uploadId !== undefined && { uploadIdOf: () => task.uploadId as string }),
  };
  if (settings.ownOutputs === 'mark') {
    const read = readInput(task.input, job);
    if (read.kind === 'not-written') return read;
    const written = deidentifyRead(task.input, read.file, job, keys);
    if (written.kind !== 'written') return written;
    // Which file is at the input's path once its output is written: the caller compares it with
    // the one it looked at before, to tell an upload still written to (or replaced) while it was read.
    return { ...written, identityAfter: fileIdentity(task.input), ...(read.ours && { ours: true as const }) };
  }
  const outcome = deidentifyFile(task.input, job, keys);
  // A file carrying our De-identification Method is an earlier output (a second run over a folder that holds them).
  if (outcome.kind !== 'own-output') return outcome;
  return { kind: 'not-written', result: { input: task.input, status: 'skipped', code: 'OWN_OUTPUT', reason: `${task.input}: already anonymized by dicom-tools (it carries our De-identification Method); skipped` } };
}
