import { closeSync, fchmodSync, fstatSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, syncDirectory, syncDirectorySync } from './durable-files.js';
import { FileIoError } from './file-io-error.js';
import { flushFileSystem } from './flush-file-system.js';
import { temporaryPathFor } from './temporary-name.js';

// The one way our files are written atomically (DICOM outputs, exports, the secret key, the daemon's
// status): into a temporary file beside the target (temporary-name.ts), created exclusively, filled,
// flushed, then renamed over the target or linked to it without replacing anything. A failure
// removes the temporary file; nothing half written is ever seen under the target's name.

/** A file written to its temporary file but not yet made durable and visible. */
export interface PendingOutput {
  readonly temporary: string;
  /** Where it is placed; the caller may still change it (to avoid a name clash). */
  target: string;
  /** False: placing it fails rather than replace a file that is at `target` by then (an export with a checked target). */
  readonly replace?: boolean;
}

/** How a temporary file is made. */
export interface TemporaryFileOptions {
  /** Its permission bits; the umask narrows them, as for any new file, unless `exactMode`. */
  readonly mode: number;
  /** Sets `mode` exactly, whatever the umask, before anything is written. */
  readonly exactMode?: boolean;
  /** Flushes the file (fsync) before it is closed; without it, commitOutputs() flushes it, or nothing does. */
  readonly flush?: boolean;
  /** See PendingOutput. */
  readonly replace?: boolean;
}

/**
 * Creates a temporary file beside `target` and lets `fill` write it through its descriptor (and
 * its path, for a second descriptor). Synchronous on purpose: batches call it in worker threads,
 * where a file's few system calls in a row cost far less than a round trip through the thread pool
 * for each. On failure the temporary file is removed and the error thrown as it came.
 */
export function writeTemporaryFileSync(target: string, options: TemporaryFileOptions, fill: (fd: number, temporary: string) => void): PendingOutput {
  const temporary = temporaryPathFor(target);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', options.mode);
    if (options.exactMode && (fstatSync(fd).mode & 0o777) !== options.mode) fchmodSync(fd, options.mode);
    fill(fd, temporary);
    if (options.flush) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    return pendingOutput(temporary, target, options);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    removeQuietly(temporary);
    throw error;
  }
}

/** writeTemporaryFileSync() for a `fill` that writes through a FileHandle, at its own pace. */
export async function writeTemporaryFile(target: string, options: TemporaryFileOptions, fill: (handle: FileHandle) => Promise<void>): Promise<PendingOutput> {
  const temporary = temporaryPathFor(target);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', options.mode);
    if (options.exactMode && ((await handle.stat()).mode & 0o777) !== options.mode) await handle.chmod(options.mode);
    await fill(handle);
    if (options.flush) await handle.sync();
    await handle.close();
    handle = undefined;
    return pendingOutput(temporary, target, options);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    removeQuietly(temporary);
    throw error;
  }
}

function pendingOutput(temporary: string, target: string, options: TemporaryFileOptions): PendingOutput {
  return { temporary, target, ...(options.replace === false ? { replace: false } : {}) };
}

/**
 * Writes `target` atomically: `fill` writes a temporary file, which is flushed and renamed over
 * `target` (replacing a file there), or, with `replace: false`, linked to it, which fails if
 * anything is there by then. On any failure the temporary file is removed, `target` is untouched,
 * and the error is thrown as it came (a file system error, or whatever `fill` threw).
 */
export async function writeFileAtomically(target: string, options: TemporaryFileOptions, fill: (handle: FileHandle) => Promise<void>): Promise<void> {
  const pending = await writeTemporaryFile(target, { ...options, flush: true }, fill);
  try {
    place(pending);
  } catch (error) {
    removeQuietly(pending.temporary);
    throw error;
  }
  await syncDirectory(path.dirname(target));
}

/**
 * writeFileAtomically() for a small `content` written at once, synchronously, replacing `target`.
 * Not `durable`: neither the file nor its folder is flushed (a record rewritten every few seconds);
 * readers still never see half of it.
 */
export function writeSmallFileAtomically(target: string, content: string, options: { readonly mode: number; readonly durable: boolean }): void {
  const pending = writeTemporaryFileSync(target, { mode: options.mode, flush: options.durable }, (fd) => writeAllSync(fd, Buffer.from(content, 'utf8')));
  try {
    place(pending);
  } catch (error) {
    removeQuietly(pending.temporary);
    throw error;
  }
  if (options.durable) syncDirectorySync(path.dirname(target));
}

/**
 * Creates `target` with `content` unless a file is there: true when this call created it, false
 * when one was there already. It appears whole (a flushed temporary file, linked), and of several
 * processes creating it at once exactly one succeeds. A file system without hard links (FAT, some
 * network shares) gets an exclusive create in place instead, which still lets only one succeed.
 * Other errors are thrown as they came.
 */
export function createFileOnce(target: string, content: string, mode: number): boolean {
  const directory = path.dirname(target);
  const pending = writeTemporaryFileSync(target, { mode, flush: true }, (fd) => writeAllSync(fd, Buffer.from(content, 'utf8')));
  try {
    linkSync(pending.temporary, target);
    syncDirectorySync(directory);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (!isNoHardLinks(code)) throw error;
  } finally {
    removeQuietly(pending.temporary);
  }
  try {
    writeFileSync(target, content, { flag: 'wx', mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  syncDirectorySync(directory);
  return true;
}

/** How a group of outputs is made durable before it is renamed into place. */
export type Durability = 'file-system' | 'each-file';

/** Flushes at once, so the file system can merge the flushes of a group (when each file is flushed). */
const FLUSH_CONCURRENCY = 16;

/**
 * Makes pending outputs durable and visible: flushes them, places each at its target (renamed over
 * it, or linked there, see `replace`), and flushes the folders. One flush of the whole file system
 * (syncfs) is much cheaper than one per file when there are many; where that is not available each
 * file is flushed. On failure every output of the group is removed.
 */
export async function commitOutputs(pending: readonly PendingOutput[], durability: Durability = 'each-file'): Promise<void> {
  if (pending.length === 0) return;
  const directories = [...new Set(pending.map((item) => path.dirname(item.target)))];
  let placed = 0;
  try {
    let flushed = false;
    if (durability === 'file-system') flushed = (await Promise.all(directories.map(flushFileSystem))).every(Boolean);
    if (!flushed) await flushEachFile(pending);
    for (const item of pending) {
      place(item);
      placed++;
    }
  } catch (error) {
    // The whole group fails: none of it stays, placed or not, so what is visible was reported done.
    withdrawOutputs(pending.slice(0, placed));
    discardOutputs(pending.slice(placed));
    throw error instanceof FileIoError ? error : new FileIoError(`cannot write output: ${describeFsError(error)}`, { file: pending[0]?.target ?? '', cause: error });
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

/** Gives the temporary file its target's name: renamed over it, or with `replace: false`, see placeWithoutReplacing. */
function place(item: PendingOutput): void {
  if (item.replace === false) placeWithoutReplacing(item.temporary, item.target);
  else renameSync(item.temporary, item.target);
}

/**
 * Gives `temporary` the name `target` unless something is there: a check before a run cannot see
 * a file made during it, and link() never replaces one. A file system without hard links gets the
 * same check just before a rename.
 */
function placeWithoutReplacing(temporary: string, target: string): void {
  try {
    linkSync(temporary, target);
  } catch (error) {
    if (!isNoHardLinks((error as NodeJS.ErrnoException).code)) throw error;
    if (exists(target)) throw Object.assign(new Error('already exists'), { code: 'EEXIST' });
    renameSync(temporary, target);
    return;
  }
  unlinkSync(temporary);
}

/** The codes of link() on a file system without hard links (FAT, some network shares). */
function isNoHardLinks(code: string | undefined): boolean {
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
}

/** A target we cannot even look at counts as absent: the rename then reports the real problem. */
function exists(target: string): boolean {
  try {
    lstatSync(target);
    return true;
  } catch {
    return false;
  }
}

/** write(), continued after a short write. */
function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Removes a temporary file after a failure, or once it was linked; the original error, if any, is the one to report. */
function removeQuietly(temporary: string): void {
  try {
    unlinkSync(temporary);
  } catch {
    // Already gone, or failing already.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already failing; the original error is the one to report.
  }
}
