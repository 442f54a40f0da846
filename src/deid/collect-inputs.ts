import { lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One input file and whether the user named it (a named non-DICOM file is an error; one found in a folder is skipped). */
export interface InputFile {
  readonly path: string;
  readonly named: boolean;
  /** Bytes, as listed. */
  readonly size: number;
}

/**
 * The files to process: named files as given, folders walked recursively in sorted order.
 * Symbolic links to folders are not followed (no loops, nothing outside the tree); our own
 * temporary files and anything under `exclude` (the output folder) are left out.
 */
export function collectInputs(inputs: readonly string[], exclude: readonly string[] = []): { files: InputFile[]; missing: string[] } {
  const excluded = exclude.map((entry) => path.resolve(entry));
  const files: InputFile[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (file: string, named: boolean, size: number) => {
    const absolute = path.resolve(file);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    files.push({ path: file, named, size });
  };
  const isExcluded = (candidate: string) => excluded.some((entry) => candidate === entry || candidate.startsWith(`${entry}${path.sep}`));
  const walk = (folder: string) => {
    let entries: string[];
    try {
      entries = readdirSync(folder).sort();
    } catch {
      missing.push(folder);
      return;
    }
    for (const name of entries) {
      const full = path.join(folder, name);
      if (isExcluded(path.resolve(full)) || isTemporary(name)) continue;
      const stat = lstatSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) add(full, false, stat.size);
      else if (stat.isSymbolicLink()) {
        const target = statSync(full, { throwIfNoEntry: false });
        if (target?.isFile()) add(full, false, target.size);
      }
    }
  };
  for (const input of inputs) {
    const stat = statSync(input, { throwIfNoEntry: false });
    if (!stat) missing.push(input);
    else if (stat.isDirectory()) walk(input);
    else add(input, true, stat.size);
  }
  return { files, missing };
}

/** Our writers' temporary files: ".<name>.<hex>.tmp". */
export function isTemporary(name: string): boolean {
  return /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);
}
