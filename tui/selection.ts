import path from 'node:path';

/** The files picked for anonymization: absolute path → size in bytes. */
export type Selection = ReadonlyMap<string, number>;

export interface PickedFile {
  readonly path: string;
  readonly size: number;
}

export const EMPTY_SELECTION: Selection = new Map();

/** Adds the file, or removes it when it is already selected. */
export function toggleFile(selection: Selection, file: PickedFile): Selection {
  const next = new Map(selection);
  if (next.has(file.path)) next.delete(file.path);
  else next.set(file.path, file.size);
  return next;
}

export function addFiles(selection: Selection, files: readonly PickedFile[]): Selection {
  const next = new Map(selection);
  for (const file of files) next.set(file.path, file.size);
  return next;
}

/** Every selected file inside `folder` (at any depth). */
export function selectedUnder(selection: Selection, folder: string): string[] {
  const prefix = folder.endsWith(path.sep) ? folder : `${folder}${path.sep}`;
  return [...selection.keys()].filter((file) => file.startsWith(prefix));
}

export function removeFiles(selection: Selection, files: readonly string[]): Selection {
  const next = new Map(selection);
  for (const file of files) next.delete(file);
  return next;
}

export function totalSize(selection: Selection): number {
  let sum = 0;
  for (const size of selection.values()) sum += size;
  return sum;
}
