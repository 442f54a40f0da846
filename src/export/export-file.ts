import type { FileHandle } from 'node:fs/promises';
import { writeFileAtomically } from '../io/atomic-file.js';
import { describeFsError, writeAll } from '../io/durable-files.js';
import { ExportError } from './export-error.js';

/** How an export meets a file already at its path. */
export interface ExportWriteOptions {
  /** Replace an existing `outPath` (the default); false: fail if one appeared since it was checked. */
  readonly replace?: boolean;
}

/**
 * Writes an export to `outPath` atomically (see writeFileAtomically): `write` fills a temporary
 * file in the same folder, created with exactly `mode` from the start, which then replaces
 * `outPath`, or with `replace: false` takes its place only if nothing is there by then. On any
 * failure the temporary file is removed and `outPath` is untouched.
 *
 * @throws ExportError what `write` threw, or why the file system refused.
 */
export async function writeExportFile(outPath: string, mode: number, write: (handle: FileHandle) => Promise<void>, options: ExportWriteOptions = {}): Promise<void> {
  try {
    await writeFileAtomically(outPath, { mode, exactMode: true, ...(options.replace === false ? { replace: false } : {}) }, write);
  } catch (error) {
    if (error instanceof ExportError) throw error;
    throw new ExportError(outPath, `cannot write: ${describeFsError(error)}`, { cause: error });
  }
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
