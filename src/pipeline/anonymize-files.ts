import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DicomIoError } from '../dicom/errors.js';
import { discardOutputs } from '../io/atomic-file.js';
import { collectInputs, type CollectedInputs, type InputFile } from '../io/collect-inputs.js';
import type { MappingRecord } from '../store/mapping-record.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import { deidentifyRead, placedAt, readBuffer, readInput, type WrittenOutput } from './deidentify-file.js';
import type { BatchOutcome } from './deidentify-task.js';
import type { FileResult } from './file-result.js';
import { GroupCommits } from './group-commits.js';
import { OutputNames } from './output-names.js';
import type { RunOptions } from './run-options.js';
import { filesInShard, type Shard } from './shard.js';
import { createWorkerPool } from './worker-pool.js';
import { loadedPixelCodecs, preparePixelCodecs } from './pixel-codecs.js';
import type { Rectangle } from '../pixels/blank-spans.js';
import { DicomToolsError } from '../errors/dicom-tools-error.js';
import { DicomError } from '../dicom/errors.js';

export interface AnonymizeRequest {
  /** Files and folders; folders are walked recursively and files recognised by content. */
  readonly inputs: readonly string[];
  /** The files of `inputs`, when the caller collected them already (with the output folder left out); collected here without it. */
  readonly collected?: CollectedInputs | undefined;
  readonly outDir: string;
  /** The options, subject IDs and inflate limits of the run (runOptions), as its batch recorded them. */
  readonly run: RunOptions;
  readonly keys: Pseudonymizer;
  readonly batchId: string;
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
  // Files this thread de-identifies itself (a small batch) need the codecs too; workers load their own.
  await preparePixelCodecs(request.run.options);
  const collected = request.collected ?? collectInputs(request.inputs, [request.outDir]);
  const files = request.shard ? filesInShard(collected.files, request.inputs, request.shard) : collected.files;
  const results: FileResult[] = new Array(files.length);
  let done = 0;
  const report = (index: number, result: FileResult) => {
    results[index] = result;
    done++;
    request.onResult?.(result, { done, total: files.length });
  };
  const names = new OutputNames(request.outDir);
  const commits = new GroupCommits({ names, report, record: request.record });
  const needOcr: number[] = [];
  const onOutcome = (index: number, outcome: BatchOutcome) => {
    const input = (files[index] as InputFile).path;
    // Planned before its text was read: held back, read by OCR below, then de-identified.
    if (outcome.kind === 'not-written' && outcome.result.code === 'NEEDS_OCR') needOcr.push(index);
    else if (outcome.kind === 'not-written') report(index, { ...outcome.result, input });
    else placeOutput(index, input, outcome, names, commits, report);
  };
  const pool = createWorkerPool({ outDir: request.outDir, run: request.run, batchId: request.batchId }, request.keys, files.map((file) => file.path));
  const signal = request.signal ? AbortSignal.any([request.signal, commits.signal]) : commits.signal;
  try {
    await pool.run(files.map((file, index) => ({ index, input: file.path, named: file.named })), onOutcome, signal);
    if (needOcr.length > 0) await readByOcr(needOcr.map((index) => ({ index, file: files[index] as InputFile })), request, onOutcome, signal);
  } finally {
    await commits.flush();
    await pool.close();
  }
  commits.throwIfFailed();
  return summaryOf(request, results, files.length, collected);
}

/**
 * The at-risk images only OCR can clean (--ocr), one after another in this thread: each is read,
 * its text recognised by the OCR workers, and de-identified with the boxes found.
 */
async function readByOcr(held: readonly { readonly index: number; readonly file: InputFile }[], request: AnonymizeRequest, onOutcome: (index: number, outcome: BatchOutcome) => void, signal: AbortSignal): Promise<void> {
  // Loaded only by a run that has such images: OCR's modules stay out of every other start-up.
  const { OcrReader } = await import('./ocr-boxes.js');
  const reader = new OcrReader(loadedPixelCodecs() ?? new Map());
  try {
    for (const { index, file } of held) {
      if (signal.aborted) return;
      const job = { run: request.run, batchId: request.batchId, named: file.named, outDir: request.outDir, readBuffer: readBuffer() };
      const read = readInput(file.path, job);
      if (read.kind === 'not-written') {
        onOutcome(index, read);
        continue;
      }
      let boxes: Rectangle[];
      try {
        boxes = await reader.boxesOf(read.file);
      } catch (error) {
        const detail = error instanceof DicomError ? error.problem : error instanceof DicomToolsError ? error.message : 'OCR failed';
        onOutcome(index, { kind: 'not-written', result: { input: file.path, status: 'failed', code: 'BURNED_IN', reason: `${file.path}: its text could not be read by OCR: ${detail}` } });
        continue;
      }
      onOutcome(index, deidentifyRead(file.path, read.file, { ...job, ocrBoxes: boxes }, request.keys));
    }
  } finally {
    await reader.close();
  }
}

/** Names an output in the batch (placedAt) and hands it to the group, unless it would overwrite its input. */
function placeOutput(index: number, input: string, written: WrittenOutput, names: OutputNames, commits: GroupCommits, report: (index: number, result: FileResult) => void): void {
  const target = names.claim(written.stem);
  if (path.resolve(target) === path.resolve(input)) {
    names.release(target);
    discardOutputs([written.pending]);
    report(index, { input, status: 'failed', code: 'OVERWRITE', reason: `${input}: the output would overwrite the input; choose another --out folder` });
    return;
  }
  commits.add(index, placedAt(written, target));
}

function summaryOf(request: AnonymizeRequest, results: readonly (FileResult | undefined)[], total: number, collected: CollectedInputs): AnonymizeSummary {
  const finished = results.filter((result): result is FileResult => result !== undefined);
  const count = (test: (result: FileResult) => boolean) => finished.filter(test).length;
  return {
    batchId: request.batchId,
    results: finished,
    anonymized: count((result) => result.status === 'anonymized'),
    failed: count((result) => result.status === 'failed'),
    skipped: count((result) => result.status === 'skipped'),
    alreadyAnonymized: count((result) => result.code === 'OWN_OUTPUT'),
    cancelled: finished.length < total,
    missing: collected.missing,
    ...(request.shard && { shard: { ...request.shard, files: total, collected: collected.files.length } }),
  };
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
