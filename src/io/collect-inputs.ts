import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { isTemporary } from './temporary-name.js';

/** One input file and whether the user named it (a named non-DICOM file is an error; one found in a folder is skipped). */
export interface InputFile {
  readonly path: string;
  readonly named: boolean;
  /** Which of the inputs (0 for the first) it was named as or found under: a shard's partition key starts from there. */
  readonly root: number;
}

/** The files collected from the inputs, and the inputs that do not exist or cannot be listed. */
export interface CollectedInputs {
  readonly files: InputFile[];
  readonly missing: string[];
}

/**
 * The files to process: named files as given, folders walked recursively in sorted order.
 * Symbolic links to folders are not followed (no loops, nothing outside the tree); our own
 * temporary files and anything under `exclude` (the output folder) are left out.
 */
export function collectInputs(inputs: readonly string[], exclude: readonly string[] = []): CollectedInputs {
  const excluded = exclude.map((entry) => path.resolve(entry));
  const files: InputFile[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  let root = 0;
  const add = (file: string, named: boolean) => {
    const absolute = path.resolve(file);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push({ path: file, named, root });
  };
  const isExcluded = (candidate: string) => excluded.some((entry) => candidate === entry || candidate.startsWith(`${entry}${path.sep}`));
  const walk = (folder: string) => {
    let entries: Dirent[];
    try {
      // The entries' types come with the listing: no lstat per file (thousands in a study).
      entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      missing.push(folder);
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (isTemporary(entry.name) || isExcluded(path.resolve(full))) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) add(full, false);
      else if (entry.isSymbolicLink() && statSync(full, { throwIfNoEntry: false })?.isFile()) add(full, false);
    }
  };
  for (const [index, input] of inputs.entries()) {
    root = index;
    const stat = statSync(input, { throwIfNoEntry: false });
    if (!stat) missing.push(input);
    else if (stat.isDirectory()) walk(input);
    else add(input, true);
  }
  return { files, missing };
}
