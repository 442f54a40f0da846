import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DicomError, DicomIoError } from '../dicom/errors.js';
import type { InflateLimits } from '../dicom/inflate-data-set.js';
import { FileIoError } from '../io/file-io-error.js';
import { commitOutputs, discardOutputs, withdrawOutputs, type PendingOutput } from '../io/atomic-output.js';
import type { MappingRecord } from '../store/mapping-record.js';
import { collectInputs, type CollectedInputs, type InputFile } from './collect-inputs.js';
import type { FileResult } from './file-result.js';
import type { DeidOptions } from '../deid/options.js';
import type { BatchOutcome } from './deidentify-task.js';
import { createWorkerPool } from './worker-pool.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import { filesInShard, type Shard } from './shard.js';
import { optionsWithSubjectIds, type SubjectIds } from '../deid/subject-ids.js';

export interface AnonymizeRequest {
  /** Files and folders; folders are walked recursively and files recognised by content. */
  readonly inputs: readonly string[];
  /** The files of `inputs`, when the caller collected them already (with the output folder left out); collected here without it. */
  readonly collected?: CollectedInputs | undefined;
  readonly outDir: string;
  readonly options: DeidOptions;
  readonly keys: Pseudonymizer;
  readonly batchId: string;
  /** Pre-assigned subject IDs for Patient ID and Name (and what to do with patients not listed); without them, keyed pseudonyms. */
  readonly subjectIds?: SubjectIds | undefined;
  /** How far a deflated input may inflate. @default DEFAULT_INFLATE_LIMITS */
  readonly inflateLimits?: InflateLimits | undefined;
  /** Receives mapping records in batches (one store transaction each); a promise it returns is awaited before the outputs count as done. */
  readonly record?: (records: readonly MappingRecord[]) => unknown;
  /** Called as each file finishes. */
  readonly onResult?: (result: FileResult, progress: { readonly done: number; readonly total: number }) => void;
  /** Stops taking new files; files in flight finish (their writes are atomic either way). */
  readonly signal?: AbortSignal;
  /** Only this part of the collected inputs (see shard.ts); all of them without it. */
  readonly shard?: Shard | undefined;
}

export interface AnonymizeSummary {
  readonly batchId: string;
  readonly results: readonly FileResult[];
  readonly anonymized: number;
  readonly failed: number;
  /** Skipped: not DICOM images, and our own earlier outputs (counted again in `alreadyAnonymized`). */
  readonly skipped: number;
  /** Inputs that carry our De-identification Method: outputs of an earlier run, skipped rather than anonymized twice. */
  readonly alreadyAnonymized: number;
  readonly cancelled: boolean;
  /** Inputs that do not exist or cannot be listed. */
  readonly missing: readonly string[];
  /** With a shard: which, how many files fell in it, and how many were collected in all. */
  readonly shard?: ShardCount;
}

export interface ShardCount extends Shard {
  readonly files: number;
  readonly collected: number;
}

/**
 * Anonymizes every DICOM file among `inputs` into `outDir`. Each output is named from its new SOP
 * Instance UID (never from patient data), written atomically, and recorded in the mapping with
 * the original's name and patient ID. A bad file is reported and skipped; inputs are never modified.
 */
export async function anonymizeFiles(request: AnonymizeRequest): Promise<AnonymizeSummary> {
  ensureOutDir(request.outDir);
  const collected = request.collected ?? collectInputs(request.inputs, [request.outDir]);
  const { missing } = collected;
  const files = request.shard ? filesInShard(collected.files, request.inputs, request.shard) : collected.files;
  const results: FileResult[] = new Array(files.length);
  const names = new OutputNames(request.outDir);
  let done = 0;
  const report = (index: number, result: FileResult) => {
    results[index] = result;
    done++;
    request.onResult?.(result, { done, total: files.length });
  };
  // Outputs are committed in groups: flushed together, then renamed into place, recorded and
  // reported, while the workers go on de-identifying the next files. One flush per group instead of one
  // per file is most of what makes a batch run near copy speed.
  let group: Uncommitted[] = [];
  let groupBytes = 0;
  let groupStarted = 0;
  let committed: Promise<void> = Promise.resolve();
  // Set when the mapping store fails: the batch stops, and no output it cannot record is kept.
  let failure: unknown;
  const stop = new AbortController();
  const commitGroup = async (batch: readonly Uncommitted[]) => {
    if (failure !== undefined) {
      discardOutputs(batch.map((item) => item.pending));
      return;
    }
    try {
      await commitOutputs(batch.map((item) => item.pending), 'file-system');
    } catch (error) {
      const reason = error instanceof DicomError || error instanceof FileIoError ? error.message : String(error);
      for (const item of batch) {
        names.release(item.pending.target);
        report(item.index, { input: item.result.input, status: 'failed', code: 'IO', reason: `${item.result.input}: ${reason}` });
      }
      return;
    }
    try {
      await request.record?.(batch.map((item) => item.record));
    } catch (error) {
      withdrawOutputs(batch.map((item) => item.pending));
      throw error;
    }
    for (const item of batch) report(item.index, { ...item.result, output: item.pending.target });
  };
  const commit = () => {
    const batch = group;
    group = [];
    groupBytes = 0;
    if (batch.length > 0) {
      committed = committed.then(() => commitGroup(batch)).catch((error: unknown) => {
        failure ??= error;
        stop.abort();
      });
    }
    return committed;
  };
  const onOutcome = (index: number, outcome: BatchOutcome) => {
    const input = files[index] as InputFile;
    if (outcome.kind === 'not-written') {
      report(index, { ...outcome.result, input: input.path });
      return;
    }
    const target = names.claim(outcome.stem);
    if (path.resolve(target) === path.resolve(input.path)) {
      names.release(target);
      discardOutputs([outcome.pending]);
      report(index, { input: input.path, status: 'failed', code: 'OVERWRITE', reason: `${input.path}: the output would overwrite the input; choose another --out folder` });
      return;
    }
    if (group.length === 0) groupStarted = Date.now();
    group.push({ index, pending: { ...outcome.pending, target }, result: outcome.result, record: { ...outcome.record, anonymizedFilename: path.basename(target) } });
    groupBytes += outcome.bytes;
    if (group.length >= COMMIT_FILES || groupBytes >= COMMIT_BYTES || Date.now() - groupStarted >= COMMIT_AFTER_MS) void commit();
  };
  const settings = { outDir: request.outDir, options: optionsWithSubjectIds(request.options, request.subjectIds), batchId: request.batchId, subjectIds: request.subjectIds, inflateLimits: request.inflateLimits };
  const pool = createWorkerPool(settings, request.keys, files.map((file) => file.path));
  const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
  try {
    await pool.run(files.map((file, index) => ({ index, input: file.path, named: file.named })), onOutcome, signal);
  } finally {
    await commit();
    await pool.close();
  }
  if (failure !== undefined) throw failure;
  const finished = results.filter((result): result is FileResult => result !== undefined);
  return {
    batchId: request.batchId,
    results: finished,
    anonymized: finished.filter((result) => result.status === 'anonymized').length,
    failed: finished.filter((result) => result.status === 'failed').length,
    skipped: finished.filter((result) => result.status === 'skipped').length,
    alreadyAnonymized: finished.filter((result) => result.code === 'OWN_OUTPUT').length,
    cancelled: finished.length < files.length,
    missing,
    ...(request.shard && { shard: { ...request.shard, files: files.length, collected: collected.files.length } }),
  };
}

/**
 * A group is committed at whichever comes first. Each commit flushes the file system once; groups
 * this size keep that to a few per second, and the time bound keeps progress and the mapping moving.
 */
const COMMIT_FILES = 4096;
const COMMIT_BYTES = 256 << 20;
const COMMIT_AFTER_MS = 500;

interface Uncommitted {
  readonly index: number;
  readonly pending: PendingOutput;
  readonly result: FileResult;
  readonly record: MappingRecord;
}

/** Creates the output folder, or says plainly why it cannot. */
export function ensureOutDir(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'I/O error';
    const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    throw new DicomIoError(`cannot create the output folder: ${reason}`, { file: outDir, cause: error });
  }
}

/** Output names from new SOP Instance UIDs: unique within the batch (a duplicate gets "-2", "-3", ...). */
class OutputNames {
  private readonly taken = new Set<string>();

  constructor(private readonly outDir: string) {}

  /** `stem` is safe as a file name (deidentifyFile made it so). */
  claim(stem: string): string {
    let name = `${stem}.dcm`;
    for (let counter = 2; this.taken.has(name); counter++) name = `${stem}-${counter}.dcm`;
    this.taken.add(name);
    return path.join(this.outDir, name);
  }

  release(output: string): void {
    this.taken.delete(path.basename(output));
  }
}
