import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, syncDirectory, writeAll } from '../io/durable-files.js';
import { ExportError } from './export-error.js';

/** How an export meets a file already at its path. */
export interface ExportWriteOptions {
  /** Replace an existing `outPath` (the default); false: fail if one appeared since it was checked. */
  readonly replace?: boolean;
}

/**
 * Writes `outPath` atomically: `write` fills a temporary file in the same folder, created with
 * `mode` from the start; it is flushed to disk and renamed over `outPath` (replacing an existing
 * file), or, with `replace: false`, linked to it, which fails if anything is there by then. On any
 * failure the temporary file is removed and `outPath` is untouched.
 */
export async function writeFileAtomically(outPath: string, mode: number, write: (handle: FileHandle) => Promise<void>, options: ExportWriteOptions = {}): Promise<void> {
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
    if (options.replace === false) await placeWithoutReplacing(temporary, outPath);
    else await rename(temporary, outPath);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    if (error instanceof ExportError) throw error;
    throw new ExportError(outPath, `cannot write: ${describeFsError(error)}`, { cause: error });
  }
  await syncDirectory(directory);
}

/**
 * Gives `temporary` the name `outPath` unless something is there: the check before the run cannot
 * see a file made during it, and link() never replaces one. A file system without hard links
 * (FAT, some network shares) gets the same check just before a rename.
 */
async function placeWithoutReplacing(temporary: string, outPath: string): Promise<void> {
  try {
    await link(temporary, outPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    if ((await lstat(outPath).catch(() => undefined)) !== undefined) throw Object.assign(new Error('already exists'), { code: 'EEXIST' });
    await rename(temporary, outPath);
    return;
  }
  await unlink(temporary);
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
