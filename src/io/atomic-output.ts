import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, renameSync, rmSync, writevSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { FileIoError } from './file-io-error.js';
import type { LoadedRegions } from './loaded-regions.js';
import type { Segment } from './segments.js';
import { describeFsError, syncDirectory } from './durable-files.js';
import { EarlyWriteback } from './early-writeback.js';
import { flushFileSystem } from './flush-file-system.js';
import { temporaryPathFor } from './temporary-name.js';

/** Bytes copied from the source per read when a range is not in memory (pixel data). */
const COPY_CHUNK = 4 << 20;

/** While a large range is copied, what is written goes to disk every this many bytes (see EarlyWriteback). */
const WRITEBACK_EVERY = 64 << 20;

/** Copy buffers are reused: a batch allocates one per file in flight, not one per file. */
const copyBuffers: Buffer[] = [];
const takeCopyBuffer = () => copyBuffers.pop() ?? Buffer.allocUnsafe(COPY_CHUNK);
const giveCopyBuffer = (buffer: Buffer) => {
  if (copyBuffers.length < 16) copyBuffers.push(buffer);
};

export interface OutputSource {
  readonly path: string;
  readonly size: number;
  readonly fileBytes: LoadedRegions;
}

/** An output written to its temporary file but not yet made durable and visible. */
export interface PendingOutput {
  readonly temporary: string;
  /** Where commitOutputs() puts it; the caller may still change it (to avoid a name clash). */
  target: string;
}

/**
 * Writes `segments` to `outPath` atomically: into a temporary file in the same folder, flushed to
 * disk, then renamed over the target. A failure (disk full, permission, source changed) removes
 * the temporary file and leaves no partial output. Copies come from memory when the reader kept
 * those bytes, else from the source file in large chunks, so memory stays bounded.
 */
export async function writeSegmentsAtomically(source: OutputSource, segments: readonly Segment[], outPath: string): Promise<void> {
  await commitOutputs([writeTemporaryOutput(source, segments, outPath)]);
}

/**
 * The first half of an atomic write, for batches: the output goes to a hidden temporary file beside
 * `outPath`, not yet flushed. commitOutputs() later flushes many at once and only then renames
 * them into place, so no output ever becomes visible before its bytes are on disk.
 *
 * Synchronous on purpose: batches call it in worker threads, where a file's few system calls in a
 * row cost far less than a round trip through the thread pool for each.
 */
export function writeTemporaryOutput(source: OutputSource, segments: readonly Segment[], outPath: string): PendingOutput {
  const temporary = temporaryPathFor(outPath);
  let output: number | undefined;
  let input: number | undefined;
  let buffer: Buffer | undefined;
  let writeback: EarlyWriteback | undefined;
  try {
    output = openSync(temporary, 'wx', 0o644);
    const fd = output;
    // Everything in memory (new bytes, the header, small files whole) goes out in one writev call;
    // only ranges on disk (large Pixel Data) are copied in chunks.
    let gathered: Uint8Array[] = [];
    const flush = () => {
      writevAll(fd, gathered);
      gathered = [];
    };
    for (const segment of segments) {
      const bytes = segment.kind === 'bytes' ? segment.bytes : source.fileBytes.slice(segment.start, segment.end);
      if (bytes) {
        gathered.push(bytes);
        continue;
      }
      if (segment.kind !== 'copy') continue;
      flush();
      if (input === undefined) {
        input = openSync(source.path, 'r');
        if (fstatSync(input).size !== source.size) throw new FileIoError('the source file changed while it was being processed', { file: source.path });
      }
      buffer ??= takeCopyBuffer();
      for (let position = segment.start; position < segment.end; ) {
        const bytesRead = readSync(input, buffer, 0, Math.min(COPY_CHUNK, segment.end - position), position);
        if (bytesRead === 0) throw new FileIoError('the source file shrank while it was being copied', { file: source.path, offset: position });
        writevAll(fd, [buffer.subarray(0, bytesRead)]);
        (writeback ??= new EarlyWriteback(temporary, WRITEBACK_EVERY)).wrote(bytesRead);
        position += bytesRead;
      }
    }
    flush();
    // A file that went to disk while it was written is flushed here, on this descriptor, so that a
    // write-back error of the early flushes fails this file rather than going unseen.
    if (writeback?.started) fdatasyncSync(output);
    closeSync(output);
    output = undefined;
    return { temporary, target: outPath };
  } catch (error) {
    if (output !== undefined) closeQuietly(output);
    rmSync(temporary, { force: true });
    throw error instanceof FileIoError ? error : writeError(error, outPath);
  } finally {
    writeback?.finish();
    if (buffer) giveCopyBuffer(buffer);
    if (input !== undefined) closeQuietly(input);
  }
}

/** How a group of outputs is made durable before it is renamed into place. */
export type Durability = 'file-system' | 'each-file';

/** Flushes at once, so the file system can merge the flushes of a group (when each file is flushed). */
const FLUSH_CONCURRENCY = 16;

/**
 * Makes pending outputs durable and visible: flushes them, renames each over its target, and
 * flushes the folders. One flush of the whole file system (syncfs) is much cheaper than one per
 * file when there are many; where that is not available each file is flushed. On failure every
 * output of the group is removed.
 */
export async function commitOutputs(pending: readonly PendingOutput[], durability: Durability = 'each-file'): Promise<void> {
  if (pending.length === 0) return;
  const directories = [...new Set(pending.map((item) => path.dirname(item.target)))];
  let renamed = 0;
  try {
    let flushed = false;
    if (durability === 'file-system') flushed = (await Promise.all(directories.map(flushFileSystem))).every(Boolean);
    if (!flushed) await flushEachFile(pending);
    for (const item of pending) {
      renameSync(item.temporary, item.target);
      renamed++;
    }
  } catch (error) {
    // The whole group fails: none of it stays, renamed or not, so what is visible was reported done.
    withdrawOutputs(pending.slice(0, renamed));
    discardOutputs(pending.slice(renamed));
    throw error instanceof FileIoError ? error : writeError(error, pending[0]?.target ?? '');
  }
  for (const directory of directories) await syncDirectory(directory);
}

async function flushEachFile(pending: readonly PendingOutput[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(FLUSH_CONCURRENCY, pending.length) }, async () => {
      while (next < pending.length) {
        const item = pending[next++];
        if (!item) break;
        const handle = await open(item.temporary, 'r+');
        try {
          await handle.datasync();
        } finally {
          await handle.close();
        }
      }
    }),
  );
}

/** Discards pending outputs (their temporary files). */
export function discardOutputs(pending: readonly PendingOutput[]): void {
  for (const item of pending) rmSync(item.temporary, { force: true });
}

/** Removes committed outputs again: a group whose commit or recording failed leaves nothing behind. */
export function withdrawOutputs(committed: readonly PendingOutput[]): void {
  for (const item of committed) rmSync(item.target, { force: true });
}

/** writev, continued after a short write. */
function writevAll(fd: number, chunks: readonly Uint8Array[]): void {
  let pending = chunks.filter((chunk) => chunk.length > 0);
  while (pending.length > 0) {
    const bytesWritten = writevSync(fd, pending.slice(0, 1024));
    let left = bytesWritten;
    let index = 0;
    while (index < pending.length && left >= (pending[index]?.length ?? 0)) left -= pending[index++]?.length ?? 0;
    const rest = pending.slice(index);
    if (left > 0 && rest[0]) rest[0] = rest[0].subarray(left);
    pending = rest;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing; the original error is the one to report.
  }
}

function writeError(error: unknown, outPath: string): FileIoError {
  return new FileIoError(`cannot write output: ${describeFsError(error)}`, { file: outPath, cause: error });
}
