import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DicomError, DicomIoError, readDicomFile, writeDicomFile, type DicomErrorCode } from '../dicom/index.js';
import type { MappingRecord } from '../store/mapping-record.js';
import { collectInputs } from './collect-inputs.js';
import type { DeidOptions } from './options.js';
import { planDeidentification } from './plan-deid.js';
import type { Pseudonymizer } from './pseudonyms.js';

export interface AnonymizeRequest {
  /** Files and folders; folders are walked recursively and files recognised by content. */
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly options: DeidOptions;
  readonly keys: Pseudonymizer;
  readonly batchId: string;
  /** Receives mapping records in batches (one store transaction each). */
  readonly record?: (records: readonly MappingRecord[]) => void;
  /** Called as each file finishes. */
  readonly onResult?: (result: FileResult, progress: { readonly done: number; readonly total: number }) => void;
  /** Files in flight at once. */
  readonly concurrency?: number;
  /** Stops taking new files; files in flight finish (their writes are atomic either way). */
  readonly signal?: AbortSignal;
}

export type FileStatus = 'anonymized' | 'failed' | 'skipped';

/** What happened to one input. Carries no patient data except the pseudonym. */
export interface FileResult {
  readonly input: string;
  readonly status: FileStatus;
  readonly output?: string;
  readonly code?: DicomErrorCode | 'OVERWRITE' | 'BUG';
  /** The problem, naming the file, never a value. */
  readonly reason?: string;
  readonly anonymizedPatientId?: string;
  readonly tagsAnonymized?: number;
  readonly uidsRegenerated?: number;
  readonly warnings?: readonly string[];
}

export interface AnonymizeSummary {
  readonly batchId: string;
  readonly results: readonly FileResult[];
  readonly anonymized: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cancelled: boolean;
  /** Inputs that do not exist or cannot be listed. */
  readonly missing: readonly string[];
}

const RECORD_BATCH = 200;

/**
 * Anonymizes every DICOM file among `inputs` into `outDir`. Each output is named from its new SOP
 * Instance UID (never from patient data), written atomically, and recorded in the mapping with
 * the original's name and patient ID. A bad file is reported and skipped; inputs are never modified.
 */
export async function anonymizeFiles(request: AnonymizeRequest): Promise<AnonymizeSummary> {
  prepareOutDir(request.outDir);
  const { files, missing } = collectInputs(request.inputs, [request.outDir]);
  const results: FileResult[] = new Array(files.length);
  const names = new OutputNames(request.outDir);
  let pending: MappingRecord[] = [];
  const flush = () => {
    if (pending.length > 0) request.record?.(pending);
    pending = [];
  };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length && !request.signal?.aborted) {
      const index = next++;
      const input = files[index];
      if (!input) break;
      const { result, record } = await anonymizeOne(input.path, input.named, request, names);
      results[index] = result;
      if (record) pending.push(record);
      if (pending.length >= RECORD_BATCH) flush();
      done++;
      request.onResult?.(result, { done, total: files.length });
    }
  };
  const concurrency = Math.max(1, request.concurrency ?? 4);
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, files.length)) }, worker));
  } finally {
    flush();
  }
  const finished = results.filter((result): result is FileResult => result !== undefined);
  return {
    batchId: request.batchId,
    results: finished,
    anonymized: finished.filter((result) => result.status === 'anonymized').length,
    failed: finished.filter((result) => result.status === 'failed').length,
    skipped: finished.filter((result) => result.status === 'skipped').length,
    cancelled: finished.length < files.length,
    missing,
  };
}

async function anonymizeOne(input: string, named: boolean, request: AnonymizeRequest, names: OutputNames): Promise<{ result: FileResult; record?: MappingRecord }> {
  let output: string | undefined;
  try {
    const file = readDicomFile(input);
    const plan = planDeidentification(file, request.options, request.keys);
    output = names.claim(plan.sopInstanceUid ?? `anon-${request.keys.token(path.resolve(input))}`);
    if (path.resolve(output) === path.resolve(input)) {
      return { result: { input, status: 'failed', code: 'OVERWRITE', reason: `${input}: the output would overwrite the input; choose another --out folder` } };
    }
    await writeDicomFile(file, plan.edits, output, { zeroPreamble: true, metaEdits: plan.metaEdits });
    const record: MappingRecord = {
      batchId: request.batchId,
      processedAt: new Date().toISOString(),
      originalFilename: input,
      anonymizedFilename: path.basename(output),
      originalPatientId: plan.originalPatientId,
      anonymizedPatientId: plan.anonymizedPatientId,
      tagsAnonymized: plan.tagsAnonymized,
      uidsRegenerated: plan.uidsRegenerated,
    };
    return {
      result: {
        input,
        status: 'anonymized',
        output,
        anonymizedPatientId: plan.anonymizedPatientId,
        tagsAnonymized: plan.tagsAnonymized,
        uidsRegenerated: plan.uidsRegenerated,
        warnings: plan.warnings,
      },
      record,
    };
  } catch (error) {
    if (output) names.release(output);
    if (error instanceof DicomError) {
      const skipped = error.code === 'NOT_DICOM' && !named;
      return { result: { input, status: skipped ? 'skipped' : 'failed', code: error.code, reason: error.inFile(input).message } };
    }
    // Not a problem with the file: a bug of ours. Reported loudly, without values, and the batch goes on.
    const message = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : 'unknown error';
    return { result: { input, status: 'failed', code: 'BUG', reason: `${input}: internal error (please report): ${message}` } };
  }
}

/** Creates the output folder, or says plainly why it cannot. */
export function prepareOutDir(outDir: string): void {
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

  claim(stem: string): string {
    const safe = stem.replace(/[^0-9A-Za-z.-]/g, '_');
    let name = `${safe}.dcm`;
    for (let counter = 2; this.taken.has(name); counter++) name = `${safe}-${counter}.dcm`;
    this.taken.add(name);
    return path.join(this.outDir, name);
  }

  release(output: string): void {
    this.taken.delete(path.basename(output));
  }
}
