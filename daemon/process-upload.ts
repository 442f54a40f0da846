import { existsSync, lstatSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  commitOutputs,
  describeFsError,
  DicomError,
  discardOutputs,
  internalErrorReason,
  isTemporary,
  planDeidentification,
  readDicomFile,
  syncDirectory,
  textAt,
  writeDeidentifiedTemporary,
  type DeidOptions,
  type DeidPlan,
  type DicomFile,
  type MappingRecord,
  type MappingStore,
  type PendingOutput,
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

/** How much one group takes before it is committed. */
export interface GroupLimits {
  readonly files: number;
  readonly bytes: number;
}

/** One upload written to its temporary file, not yet journaled or visible. */
interface PreparedUpload {
  readonly file: string;
  readonly output: string;
  readonly pending: PendingOutput;
  readonly bytes: number;
  readonly record: MappingRecord;
}

/**
 * Headers are read into this one buffer: a group prepares its files one after another, and each
 * file's output is written before the next is read.
 */
const headBuffer = Buffer.allocUnsafe(1 << 20);

/**
 * Anonymizes uploads in place as one group, crash-safely, with one flush of the disk for the
 * whole group instead of several per file. `take` hands out the next file, until the group is full
 * or there is none. The steps:
 * 1. each file is read, de-identified and written to a temporary file beside it, under a name that
 *    no file, journal entry or other group holds (`reserved`);
 * 2. the originals and their output names are journaled (one transaction, flushed);
 * 3. the outputs are flushed (one syncfs) and renamed into place;
 * 4. the mappings are recorded and the entries marked written (one transaction, flushed);
 * 5. only then are the originals removed (their folders flushed) and the entries finished.
 * After a crash at any step `recoverJournal` completes or undoes it, so no file is lost and none
 * is anonymized twice. Resolves to the outcome of every file taken.
 */
export async function processUploadGroup(
  take: () => string | undefined,
  context: UploadContext,
  reserved: Set<string>,
  limits: GroupLimits,
  /** Called once the group takes no more files: from here on it waits for the disk. */
  onPrepared: () => void = () => {},
): Promise<Map<string, UploadOutcome>> {
  const outcomes = new Map<string, UploadOutcome>();
  const prepared: PreparedUpload[] = [];
  // Originals already anonymized and recorded whose removal failed before: only removed now, so
  // that they are neither written nor recorded a second time.
  const recorded: InPlace[] = [];
  let bytes = 0;
  try {
    for (let file = take(); file !== undefined; file = prepared.length < limits.files && bytes < limits.bytes ? take() : undefined) {
      const entry = context.store.journalForOriginal(file);
      if (entry?.state === 'written' && existsSync(entry.outputPath)) {
        recorded.push({ file, output: entry.outputPath });
        continue;
      }
      const result = prepareUpload(file, context, reserved);
      if ('pending' in result) {
        prepared.push(result);
        bytes += result.bytes;
      } else {
        outcomes.set(file, result);
      }
      // One file at a time, synchronously: the event loop (polling, signals) runs between files.
      await new Promise((resolve) => setImmediate(resolve));
    }
    onPrepared();
    if (prepared.length > 0) await commitGroup(prepared, context, outcomes);
    if (recorded.length > 0) await removeRecordedOriginals(recorded, context, outcomes);
  } finally {
    for (const upload of prepared) reserved.delete(upload.output);
  }
  return outcomes;
}

function prepareUpload(file: string, context: UploadContext, reserved: Set<string>): PreparedUpload | UploadOutcome {
  const ignored = reasonToIgnore(file, context);
  if (ignored) return { kind: 'ignored', why: ignored };
  try {
    const parsed = readDicomFile(file, { reuse: headBuffer });
    if (isOwnOutput(file, parsed, context)) return { kind: 'ignored', why: OWN_OUTPUT };
    const plan = planDeidentification(parsed, context.options, context.keys);
    const output = chooseOutput(file, plan.sopInstanceUid ?? `anon-${context.keys.token(file)}`, context, reserved);
    const { pending, size } = writeDeidentifiedTemporary(parsed, plan, output);
    reserved.add(output);
    return { file, output, pending, bytes: size, record: mappingRecord(file, output, plan, context.batchId) };
  } catch (error) {
    return classify(error, file);
  }
}

async function commitGroup(group: readonly PreparedUpload[], context: UploadContext, outcomes: Map<string, UploadOutcome>): Promise<void> {
  const pending = group.map((upload) => upload.pending);
  const originals = group.map((upload) => upload.file);
  try {
    context.store.journalBegin(group.map((upload) => ({ originalPath: upload.file, outputPath: upload.output })));
  } catch (error) {
    discardOutputs(pending);
    throw error;
  }
  try {
    await commitOutputs(pending, 'file-system');
  } catch (error) {
    // None of the group is visible: the entries are dropped and the originals tried again.
    context.store.journalFinish(originals);
    for (const file of originals) outcomes.set(file, classify(error, file));
    return;
  }
  context.store.journalWritten(group.map((upload) => ({ originalPath: upload.file, record: upload.record })));
  await removeRecordedOriginals(group, context, outcomes);
}

/** An original whose anonymized file is in place and recorded. */
interface InPlace {
  readonly file: string;
  readonly output: string;
}

/**
 * Removes originals whose outputs are in place and recorded, and finishes their journal entries.
 * One that cannot be removed keeps its entry ('written'): a later attempt, or the next start,
 * only removes it.
 */
async function removeRecordedOriginals(uploads: readonly InPlace[], context: UploadContext, outcomes: Map<string, UploadOutcome>): Promise<void> {
  const problems = await removeOriginals(uploads.map((upload) => upload.file));
  context.store.journalFinish(uploads.filter((upload) => problems.get(upload.file) === undefined).map((upload) => upload.file));
  for (const upload of uploads) {
    const problem = problems.get(upload.file);
    outcomes.set(upload.file, problem === undefined ? { kind: 'anonymized', output: upload.output } : { kind: 'retry', reason: `${upload.file}: anonymized, but the original cannot be removed: ${describeFsError(problem)}` });
  }
}

/**
 * Removes originals and makes the removals durable, flushing each folder once. Resolves to each
 * file's problem, undefined when it is gone.
 */
async function removeOriginals(files: readonly string[]): Promise<Map<string, unknown>> {
  const problems = new Map<string, unknown>();
  for (const file of files) {
    problems.set(
      file,
      await unlink(file).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error),
      ),
    );
  }
  for (const directory of new Set(files.map((file) => path.dirname(file)))) await syncDirectory(directory);
  return problems;
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
    uidPairs: plan.uidPairs,
  };
}

/** Removes the original and makes the removal durable. */
export async function removeOriginal(file: string): Promise<void> {
  const problem = (await removeOriginals([file])).get(file);
  if (problem !== undefined) throw problem;
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

/** `<new SOP Instance UID>.dcm` beside the original; a name already taken by another file (or upload in flight) gets -2, -3, ... */
function chooseOutput(file: string, stem: string, context: UploadContext, reserved: ReadonlySet<string>): string {
  const directory = path.dirname(file);
  const safe = stem.replace(/[^0-9A-Za-z.-]/g, '_');
  for (let counter = 1; ; counter++) {
    const candidate = path.join(directory, counter === 1 ? `${safe}.dcm` : `${safe}-${counter}.dcm`);
    const journaled = context.store.journalForOutput(candidate);
    if (candidate === file || reserved.has(candidate)) continue;
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
