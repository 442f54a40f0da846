import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DicomIoError } from './errors.js';
import type { LoadedRegions } from './loaded-regions.js';
import type { Segment } from './write-data-set.js';

/** Bytes copied from the source per read when a range is not in memory (pixel data). */
const COPY_CHUNK = 4 << 20;

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
  const directory = path.dirname(outPath);
  const temporary = path.join(directory, `.${path.basename(outPath)}.${randomBytes(6).toString('hex')}.tmp`);
  let output: FileHandle | undefined;
  let input: FileHandle | undefined;
  try {
    output = await open(temporary, 'wx', 0o644);
    let buffer: Buffer | undefined;
    for (const segment of segments) {
      if (segment.kind === 'bytes') {
        await writeAll(output, segment.bytes);
        continue;
      }
      const inMemory = source.fileBytes.slice(segment.start, segment.end);
      if (inMemory) {
        await writeAll(output, inMemory);
        continue;
      }
      if (!input) {
        input = await open(source.path, 'r');
        if ((await input.stat()).size !== source.size) throw new DicomIoError('the source file changed while it was being processed', { file: source.path });
      }
      buffer ??= Buffer.allocUnsafe(COPY_CHUNK);
      for (let position = segment.start; position < segment.end; ) {
        const want = Math.min(COPY_CHUNK, segment.end - position);
        const { bytesRead } = await input.read(buffer, 0, want, position);
        if (bytesRead === 0) throw new DicomIoError('the source file shrank while it was being copied', { file: source.path, offset: position });
        await writeAll(output, buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
    }
    await output.sync();
    await output.close();
    output = undefined;
    await rename(temporary, outPath);
    await syncDirectory(directory);
  } catch (error) {
    await output?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error instanceof DicomIoError ? error : writeError(error, outPath);
  } finally {
    await input?.close().catch(() => undefined);
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

/** Makes the rename itself durable; not every file system allows it, which is harmless. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // fsync on a directory is unsupported on some file systems; the data itself is synced.
  }
}

function writeError(error: unknown, outPath: string): DicomIoError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    ENOSPC: 'disk full',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'output folder does not exist',
    EISDIR: 'output path is a folder',
  };
  return new DicomIoError(`cannot write output: ${reasons[code ?? ''] ?? code ?? 'I/O error'}`, { file: outPath, cause: error });
}
