import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** The data folder's name under `$XDG_DATA_HOME` (or `~/.local/share`). */
export const DATA_DIR_NAME = 'dicom-tools';

/**
 * `$XDG_DATA_HOME/dicom-tools`, else `<home>/.local/share/dicom-tools`. A relative
 * `XDG_DATA_HOME` is ignored, as the XDG Base Directory specification requires.
 */
export function defaultDataDir(xdgDataHome: string | undefined, home: string): string {
  if (xdgDataHome !== undefined && path.isAbsolute(xdgDataHome)) return path.join(xdgDataHome, DATA_DIR_NAME);
  return path.join(home, '.local', 'share', DATA_DIR_NAME);
}

/**
 * Creates the data folder (and missing parents) readable by the owner only (0700). An existing
 * folder is left as it is. Throws the file system's error; callers say what they needed it for.
 */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

