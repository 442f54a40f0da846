import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isTemporary } from '../src/index.js';
import { sniffDicom } from './sniff-dicom.js';

/** One row of the folder browser. */
export interface DirEntry {
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  readonly kind: 'folder' | 'file';
  /** Bytes; 0 for folders. */
  readonly size: number;
  /** Recognised as DICOM by content (files only). */
  readonly dicom: boolean;
}

const SNIFF_BATCH = 64;

/**
 * A folder's sub-folders and files, folders first, each sorted by name; symbolic links count as
 * what they point to, and our writers' temporary files are left out.
 *
 * @throws the file system error when the folder cannot be read.
 */
export async function listDirectory(dir: string): Promise<DirEntry[]> {
  const names = (await readdir(dir)).filter((name) => !isTemporary(name));
  const entries: DirEntry[] = [];
  for (let index = 0; index < names.length; index += SNIFF_BATCH) {
    const batch = await Promise.all(names.slice(index, index + SNIFF_BATCH).map((name) => describe(dir, name)));
    for (const entry of batch) if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
}

async function describe(dir: string, name: string): Promise<DirEntry | undefined> {
  const full = path.join(dir, name);
  const info = await stat(full).catch(() => undefined);
  if (!info) return undefined;
  if (info.isDirectory()) return { name, path: full, kind: 'folder', size: 0, dicom: false };
  if (!info.isFile()) return undefined;
  return { name, path: full, kind: 'file', size: info.size, dicom: await sniffDicom(full, info.size) };
}
