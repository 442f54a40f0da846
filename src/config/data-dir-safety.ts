import { statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config-error.js';
import { describeFsError } from '../io/durable-files.js';

/**
 * Refuses a data folder another user could plant a secret key in, as ssh refuses such a home: the
 * folder must belong to the running user (or root) and be writable by nobody else; each folder
 * above it must belong to the running user or root and be writable by nobody else unless sticky
 * (like /tmp, where others cannot move our folder away). A missing data folder is checked from
 * its nearest existing parent. Without user ids (Windows) there is nothing to check.
 *
 * @param uid the running user.
 * @throws ConfigError naming the folder, what is wrong, and the command that fixes it.
 */
export function checkDataDirSafety(dataDir: string, uid: number | undefined = process.getuid?.()): void {
  if (uid === undefined) return;
  let folder = path.resolve(dataDir);
  let isDataDir = true;
  for (;;) {
    const stats = folderStats(folder);
    if (stats !== undefined) {
      const problem = folderProblem(folder, stats, uid, isDataDir);
      if (problem !== undefined) throw new ConfigError(`${folder}: ${problem}`, { variable: 'DICOM_DATA_DIR', path: folder });
    }
    isDataDir = false;
    const parent = path.dirname(folder);
    if (parent === folder) return;
    folder = parent;
  }
}

function folderStats(folder: string): Stats | undefined {
  try {
    return statSync(folder);
  } catch (error) {
    // Missing, or below a file: reading or creating the key reports that.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`${folder}: cannot check the data folder: ${describeFsError(error)}`, { variable: 'DICOM_DATA_DIR', path: folder, cause: error });
  }
}

function folderProblem(folder: string, stats: Stats, uid: number, isDataDir: boolean): string | undefined {
  const which = isDataDir ? 'the data folder' : 'a folder above the data folder';
  const risk = isDataDir ? 'who could plant a secret key in it' : 'who could replace the data folder';
  if (stats.uid !== uid && stats.uid !== 0) {
    return `${which} belongs to another user (uid ${stats.uid}), ${risk}; make it yours (chown ${os.userInfo().username} ${folder}) or use a data folder of your own (DICOM_DATA_DIR)`;
  }
  const othersWrite = (stats.mode & 0o022) !== 0;
  const sticky = (stats.mode & 0o1000) !== 0;
  if (othersWrite && (isDataDir || !sticky)) {
    const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
    return `${which} is writable by other users (mode ${mode}), ${risk}; restrict it with: chmod go-w ${folder}`;
  }
  return undefined;
}
