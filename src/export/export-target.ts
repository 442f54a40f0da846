import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SECRET_FILENAME } from '../config/secret.js';
import { collectInputs } from '../io/collect-inputs.js';
import { realPathOf, isWithin } from '../io/real-path.js';
import { MAPPING_STORE_FILENAME } from '../store/sqlite-mapping-store.js';

/** A file a command was asked to write (ZIP, mapping CSV, pair export): the flag that named it, for messages. */
export interface ExportTarget {
  readonly flag: string;
  readonly path: string;
}

/** What the targets of one command must keep clear of. */
export interface TargetGuard {
  /** The data folder: the mapping store (with its -wal and -shm) and the secret live there. */
  readonly dataDir: string;
  /** The run's inputs, files and folders as given. */
  readonly inputs?: readonly string[];
  /** The run's output folder. */
  readonly outDir?: string;
  /** Replace an existing regular file (`--force`). */
  readonly force: boolean;
}

/**
 * Why one of `targets` must not be written, naming its flag and path, or undefined when every one
 * may be: checked before anything is written, so a bad target costs nothing. A target must be
 * absent or a regular file (never a folder, device or FIFO), not an input (same real path or same
 * inode: links count), not in the data folder nor the store or secret under another name, not in
 * the output folder, not named twice, in an existing writable folder, and absent unless `force`.
 */
export function exportTargetsProblem(targets: readonly ExportTarget[], guard: TargetGuard): string | undefined {
  const seen: { target: ExportTarget; real: string; stats: Stats | undefined }[] = [];
  for (const target of targets) {
    const problem = exportTargetProblem(target.path, guard);
    if (problem !== undefined) return `${target.flag} ${target.path}: ${problem}`;
    const real = realPathOf(target.path);
    const stats = statSync(target.path, { throwIfNoEntry: false });
    const twin = seen.find((other) => other.real === real || (stats !== undefined && other.stats !== undefined && sameFile(stats, other.stats)));
    if (twin !== undefined) return `${target.flag} ${target.path}: the same file as ${twin.target.flag}; give each a file of its own`;
    seen.push({ target, real, stats });
  }
  return undefined;
}

/** Why the one file `target` must not be written (see exportTargetsProblem), or undefined. */
export function exportTargetProblem(target: string, guard: TargetGuard): string | undefined {
  if (target === '') return 'needs a file name';
  const real = realPathOf(target);
  const dataDir = realPathOf(guard.dataDir);
  if (isWithin(real, dataDir)) return 'is inside the data folder (DICOM_DATA_DIR), which holds the mapping store and the secret';
  if (guard.outDir !== undefined && isWithin(real, realPathOf(guard.outDir))) return 'is inside the output folder, which holds only anonymized files';
  const link = lstatSync(target, { throwIfNoEntry: false });
  if (link !== undefined) {
    const stats = statSync(target, { throwIfNoEntry: false });
    if (stats === undefined || !stats.isFile()) return 'is not a regular file';
    if (isInput(real, stats, guard.inputs ?? [])) return 'is one of the inputs';
    if (isProtected(stats, dataDir)) return 'is the mapping store or the secret under another name';
    if (!guard.force) return 'already exists; add --force to replace it';
  }
  const folder = path.dirname(path.resolve(target));
  if (statSync(folder, { throwIfNoEntry: false })?.isDirectory() !== true) return 'its folder does not exist';
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    return 'its folder is not writable';
  }
  return undefined;
}

/** An input named as a file, or any file under an input folder; with other hard links, any collected input with the same inode. */
function isInput(real: string, stats: Stats, inputs: readonly string[]): boolean {
  for (const input of inputs) {
    const inputStats = statSync(input, { throwIfNoEntry: false });
    if (inputStats === undefined) continue;
    if (isWithin(real, realPathOf(input)) || sameFile(stats, inputStats)) return true;
  }
  // Only a file with more than one name can be an input under a name we have not compared.
  if (stats.nlink < 2) return false;
  return collectInputs(inputs).files.some((file) => {
    const fileStats = statSync(file.path, { throwIfNoEntry: false });
    return fileStats !== undefined && sameFile(stats, fileStats);
  });
}

/** The store, its -wal and -shm, or the secret, reached through a hard link from outside the data folder. */
function isProtected(stats: Stats, dataDir: string): boolean {
  if (stats.nlink < 2) return false;
  const store = path.join(dataDir, MAPPING_STORE_FILENAME);
  return [store, `${store}-wal`, `${store}-shm`, path.join(dataDir, SECRET_FILENAME)].some((file) => {
    const protectedStats = statSync(file, { throwIfNoEntry: false });
    return protectedStats !== undefined && sameFile(stats, protectedStats);
  });
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
