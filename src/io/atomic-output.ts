import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writevSync } from 'node:fs';
import { commitOutputs, writeTemporaryFileSync, type PendingOutput } from './atomic-file.js';
import { describeFsError } from './durable-files.js';
import { EarlyWriteback } from './early-writeback.js';
import { FileIoError } from './file-io-error.js';
import type { LoadedRegions } from './loaded-regions.js';
import type { Segment } from './segments.js';

// The DICOM writer: an output's segments into a temporary file of atomic-file.ts.

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
  let input: number | undefined;
  let buffer: Buffer | undefined;
  let writeback: EarlyWriteback | undefined;
  try {
    return writeTemporaryFileSync(outPath, { mode: 0o644 }, (fd, temporary) => {
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
      if (writeback?.started) fdatasyncSync(fd);
    });
  } catch (error) {
    throw error instanceof FileIoError ? error : new FileIoError(`cannot write output: ${describeFsError(error)}`, { file: outPath, cause: error });
  } finally {
    writeback?.finish();
    if (buffer) giveCopyBuffer(buffer);
    if (input !== undefined) closeQuietly(input);
  }
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
