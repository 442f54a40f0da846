import { statSync } from 'node:fs';

/** A file as it was when opened: which device and inode stood at its path. */
export interface OpenedFile {
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint;
}

/** The files of `paths` that exist now, with their device and inode. */
export function openedFiles(paths: readonly string[]): OpenedFile[] {
  return paths.flatMap((file) => {
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    return stat === undefined ? [] : [{ path: file, dev: stat.dev, ino: stat.ino }];
  });
}

/**
 * The first of the opened files that is no longer at its path (removed, or another file put there),
 * or undefined. A process holding the file open keeps writing into it either way, where no one else
 * can read it again.
 */
export function goneFromPath(opened: readonly OpenedFile[]): OpenedFile | undefined {
  return opened.find((file) => {
    const stat = statSync(file.path, { bigint: true, throwIfNoEntry: false });
    return stat === undefined || stat.dev !== file.dev || stat.ino !== file.ino;
  });
}
