import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isTemporary } from '../src/index.js';
import type { PickedFile } from './selection.js';
import { sniffDicom } from './sniff-dicom.js';

/**
 * Every DICOM file (by content) below `dir`, in sorted order. Like the anonymizer's own walk, it
 * does not follow symbolic links to folders and leaves out `exclude` (the output folder);
 * unreadable sub-folders are passed over.
 */
export async function findDicomFiles(dir: string, exclude: readonly string[] = []): Promise<PickedFile[]> {
  const excluded = exclude.map((entry) => path.resolve(entry));
  const found: PickedFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const full = path.join(folder, name);
      if (isTemporary(name) || excluded.some((entry) => full === entry || full.startsWith(`${entry}${path.sep}`))) continue;
      const link = await lstat(full).catch(() => undefined);
      if (!link) continue;
      if (link.isDirectory()) {
        await walk(full);
        continue;
      }
      const info = link.isSymbolicLink() ? await stat(full).catch(() => undefined) : link;
      if (info?.isFile() && (await sniffDicom(full, info.size))) found.push({ path: full, size: info.size });
    }
  };
  await walk(path.resolve(dir));
  return found;
}
