import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, syncDirectory, writeAll } from '../io/durable-files.js';
import { DicomIoError } from './errors.js';
import type { LoadedRegions } from './loaded-regions.js';
import type { Segment } from './write-data-set.js';

/** Bytes copied from the source per read when a range is not in memory (pixel data). */
const COPY_CHUNK = 4 << 20;

/** Copy buffers are reused: a batch allocates one per file in flight, not one per file. */
const copyBuffers: Buffer[] = [];
const takeCopyBuffer = () => copyBuffers.pop() ?? Buffer.allocUnsafe(COPY_CHUNK);
const giveCopyBuffer = (buffer: Buffer) => {
  if (copyBuffers.length < 16) copyBuffers.push(buffer);
};

/** Temporary names: unique per process by a counter, across processes by a random prefix. */
const temporaryPrefix = randomBytes(3).toString('hex');
let temporaryCounter = 0;
const temporaryName = () => `${temporaryPrefix}${(temporaryCounter++ % 0xffffff).toString(16).padStart(6, '0')}`;

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
  await commitOutputs([await writeSegmentsToTemporary(source, segments, outPath)]);
}

/**
 * The first half of an atomic write, for batches: the output goes to a hidden temporary file beside
 * `outPath`, not yet flushed. commitOutputs() later flushes many at once and only then renames
 * them into place, so no output ever becomes visible before its bytes are on disk.
 */
export async function writeSegmentsToTemporary(source: OutputSource, segments: readonly Segment[], outPath: string): Promise<PendingOutput> {
  const directory = path.dirname(outPath);
  const temporary = path.join(directory, `.${path.basename(outPath)}.${temporaryName()}.tmp`);
  let output: FileHandle | undefined;
  let input: FileHandle | undefined;
  let buffer: Buffer | undefined;
  try {
    output = await open(temporary, 'wx', 0o644);
    const handle = output;
    // Everything in memory (new bytes, the header, small files whole) goes out in one writev call;
    // only ranges on disk (large Pixel Data) are copied in chunks.
    let gathered: Uint8Array[] = [];
    const flush = async () => {
      if (gathered.length > 0) await writevAll(handle, gathered);
      gathered = [];
    };
    for (const segment of segments) {
      const bytes = segment.kind === 'bytes' ? segment.bytes : source.fileBytes.slice(segment.start, segment.end);
      if (bytes) {
        gathered.push(bytes);
        continue;
      }
      if (segment.kind !== 'copy') continue;
      await flush();
      if (!input) {
        input = await open(source.path, 'r');
        if ((await input.stat()).size !== source.size) throw new DicomIoError('the source file changed while it was being processed', { file: source.path });
      }
      buffer ??= takeCopyBuffer();
      for (let position = segment.start; position < segment.end; ) {
        const want = Math.min(COPY_CHUNK, segment.end - position);
        const { bytesRead } = await input.read(buffer, 0, want, position);
        if (bytesRead === 0) throw new DicomIoError('the source file shrank while it was being copied', { file: source.path, offset: position });
        await writeAll(handle, buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
    }
    await flush();
    await output.close();
    output = undefined;
    return { temporary, target: outPath };
  } catch (error) {
    await output?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error instanceof DicomIoError ? error : writeError(error, outPath);
  } finally {
    if (buffer) giveCopyBuffer(buffer);
    await input?.close().catch(() => undefined);
  }
}

/** Flushes at once, so the file system can merge the flushes of a whole group. */
const FLUSH_CONCURRENCY = 16;

/**
 * Makes pending outputs durable and visible: flushes every temporary file, renames each over its
 * target, and flushes the folders. On failure every output of the group not yet renamed is removed.
 */
export async function commitOutputs(pending: readonly PendingOutput[]): Promise<void> {
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(FLUSH_CONCURRENCY, pending.length) }, async () => {
        while (next < pending.length) {
          const item = pending[next++];
          if (!item) break;
          const handle = await open(item.temporary, 'r+');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        }
      }),
    );
    for (const item of pending) await rename(item.temporary, item.target);
  } catch (error) {
    await Promise.all(pending.map((item) => unlink(item.temporary).catch(() => undefined)));
    throw error instanceof DicomIoError ? error : writeError(error, pending[0]?.target ?? '');
  }
  for (const directory of new Set(pending.map((item) => path.dirname(item.target)))) await syncDirectory(directory);
}

/** Discards pending outputs (a cancelled batch). */
export async function discardOutputs(pending: readonly PendingOutput[]): Promise<void> {
  await Promise.all(pending.map((item) => unlink(item.temporary).catch(() => undefined)));
}

/** writev, continued after a short write. */
async function writevAll(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let pending = chunks.filter((chunk) => chunk.length > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending.slice(0, 1024));
    let left = bytesWritten;
    let index = 0;
    while (index < pending.length && left >= (pending[index]?.length ?? 0)) left -= pending[index++]?.length ?? 0;
    const rest = pending.slice(index);
    if (left > 0 && rest[0]) rest[0] = rest[0].subarray(left);
    pending = rest;
  }
}

function writeError(error: unknown, outPath: string): DicomIoError {
  return new DicomIoError(`cannot write output: ${describeFsError(error)}`, { file: outPath, cause: error });
}
