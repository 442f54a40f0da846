import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, syncDirectory, writeAll } from '../io/durable-files.js';
import { ExportError } from './export-error.js';

/**
 * Writes `outPath` atomically: `write` fills a temporary file in the same folder, created with
 * `mode` from the start; it is flushed to disk and renamed over `outPath` (replacing an existing
 * file). On any failure the temporary file is removed and `outPath` is untouched.
 */
export async function writeFileAtomically(outPath: string, mode: number, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const directory = path.dirname(outPath);
  const temporary = path.join(directory, `.${path.basename(outPath)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', mode);
    // The umask may have narrowed the mode; set it exactly before anything is written.
    if (((await handle.stat()).mode & 0o777) !== mode) await handle.chmod(mode);
    await write(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, outPath);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    if (error instanceof ExportError) throw error;
    throw new ExportError(outPath, `cannot write: ${describeFsError(error)}`, { cause: error });
  }
  await syncDirectory(directory);
}

/** A pipeline destination that writes into `handle` in chunks of about 1 MiB. */
export function sinkInto(handle: FileHandle): (source: AsyncIterable<string | Uint8Array>) => Promise<void> {
  return async (source) => {
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= 1 << 20) {
        await writeAll(handle, Buffer.concat(pending));
        pending.length = 0;
        pendingBytes = 0;
      }
    }
    if (pendingBytes > 0) await writeAll(handle, Buffer.concat(pending));
  };
}
