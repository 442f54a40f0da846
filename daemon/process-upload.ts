import { existsSync, lstatSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  DicomError,
  internalErrorReason,
  isTemporary,
  planDeidentification,
  readDicomFile,
  textAt,
  writeDicomFile,
  type DeidOptions,
  type DeidPlan,
  type DicomFile,
  type MappingRecord,
  type MappingStore,
  type Pseudonymizer,
} from '../src/index.js';

export interface UploadContext {
  readonly options: DeidOptions;
  readonly keys: Pseudonymizer;
  readonly store: MappingStore;
  readonly batchId: string;
}

/**
 * What happened to one file in Sources:
 * - anonymized: its anonymized file is in Sources, the mapping recorded, the original removed;
 * - ignored: not ours to touch (our own output, a temporary or hidden file, a symbolic link, gone);
 * - not-dicom: left alone;
 * - retry: a passing problem (permission, I/O): try again later;
 * - failed: cannot be anonymized: quarantine it.
 */
export type UploadOutcome =
  | { readonly kind: 'anonymized'; readonly output: string }
  | { readonly kind: 'ignored'; readonly why: string }
  | { readonly kind: 'not-dicom' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

const MARKER = 'DICOM Tools';
/** The reason given for our own outputs, so the daemon can stop watching them. */
export const OWN_OUTPUT = 'our own output';

/**
 * Anonymizes one uploaded file in place, crash-safely: the output name is fixed and journaled
 * before the output is written (temporary file, fsync, rename); the mapping is recorded and the
 * journal marked in one transaction; only then is the original removed. After a crash at any step
 * `recoverJournal` completes or undoes the step, so no file is lost and none is anonymized twice.
 */
export async function processUpload(file: string, context: UploadContext): Promise<UploadOutcome> {
  const ignored = reasonToIgnore(file, context);
  if (ignored) return { kind: 'ignored', why: ignored };
  let parsed: DicomFile;
  try {
    parsed = readDicomFile(file);
  } catch (error) {
    return classify(error, file);
  }
  if (isOwnOutput(file, parsed, context)) return { kind: 'ignored', why: OWN_OUTPUT };
  let plan: DeidPlan;
  try {
    plan = planDeidentification(parsed, context.options, context.keys);
  } catch (error) {
    return classify(error, file);
  }
  const output = chooseOutput(file, plan.sopInstanceUid ?? `anon-${context.keys.token(file)}`, context);
  context.store.journalBegin(file, output);
  try {
    await writeDicomFile(parsed, plan.edits, output, { zeroPreamble: true, metaEdits: plan.metaEdits });
  } catch (error) {
    context.store.journalFinish(file);
    return classify(error, file);
  }
  context.store.journalWritten(file, mappingRecord(file, output, plan, context.batchId));
  await removeOriginal(file);
  context.store.journalFinish(file);
  return { kind: 'anonymized', output };
}

/** The mapping record of one upload (also rebuilt by recovery from the original). */
export function mappingRecord(original: string, output: string, plan: DeidPlan, batchId: string): MappingRecord {
  return {
    batchId,
    processedAt: new Date().toISOString(),
    originalFilename: original,
    anonymizedFilename: path.basename(output),
    originalPatientId: plan.originalPatientId,
    anonymizedPatientId: plan.anonymizedPatientId,
    tagsAnonymized: plan.tagsAnonymized,
    uidsRegenerated: plan.uidsRegenerated,
  };
}

/** Removes the original and makes the removal durable. */
export async function removeOriginal(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const directory = await open(path.dirname(file), 'r').catch(() => undefined);
  await directory?.sync().catch(() => undefined);
  await directory?.close();
}

function reasonToIgnore(file: string, context: UploadContext): string | undefined {
  const name = path.basename(file);
  if (isTemporary(name) || name.startsWith('.')) return 'a hidden or temporary file (an upload in progress?)';
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return 'gone before it could be processed';
  if (stat.isSymbolicLink()) return 'a symbolic link (not followed)';
  if (!stat.isFile()) return 'not a regular file';
  if (context.store.journalForOutput(file)) return OWN_OUTPUT;
  return undefined;
}

/** Our outputs are in the mapping under their name and carry our De-identification Method. */
function isOwnOutput(file: string, parsed: DicomFile, context: UploadContext): boolean {
  if (context.store.recordsForAnonymizedName(path.basename(file)).length === 0) return false;
  return textAt(parsed, [], 0x00120063)[0] === MARKER;
}

/** `<new SOP Instance UID>.dcm` beside the original; a name already taken by another file gets -2, -3, ... */
function chooseOutput(file: string, stem: string, context: UploadContext): string {
  const directory = path.dirname(file);
  const safe = stem.replace(/[^0-9A-Za-z.-]/g, '_');
  for (let counter = 1; ; counter++) {
    const candidate = path.join(directory, counter === 1 ? `${safe}.dcm` : `${safe}-${counter}.dcm`);
    const journaled = context.store.journalForOutput(candidate);
    if (candidate === file) continue;
    if (journaled ? journaled.originalPath === file : !existsSync(candidate)) return candidate;
  }
}

function classify(error: unknown, file: string): UploadOutcome {
  if (!(error instanceof DicomError)) return { kind: 'failed', reason: internalErrorReason(file, error) };
  const message = error.inFile(file).message;
  if (error.code === 'NOT_DICOM') return { kind: 'not-dicom' };
  if (error.code === 'IO') return { kind: 'retry', reason: message };
  return { kind: 'failed', reason: message };
}
