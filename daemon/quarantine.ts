import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { temporaryPathFor, writeSmallFileAtomically } from '../src/index.js';

/**
 * Moves a file that cannot be anonymized out of Sources into the quarantine folder (0700), with a
 * small reason file beside it (0600) naming the upload's id, which the daemon's log names it by.
 * Never deletes it: a person decides what happens next. The reason goes first and whole (written
 * atomically), then the file (renamed, or copied under a temporary name and renamed): whoever
 * sees the quarantined file finds its reason complete, and never half a file.
 */
export async function quarantine(file: string, uploadId: string, reason: string, quarantineDir: string): Promise<string> {
  await mkdir(quarantineDir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const target = path.join(quarantineDir, `${stamp}-${randomBytes(3).toString('hex')}-${path.basename(file)}`);
  const reasonFile = `${target}.reason.txt`;
  writeSmallFileAtomically(reasonFile, `upload: ${uploadId}\nfile: ${file}\ntime: ${new Date().toISOString()}\nproblem: ${reason}\n`, { mode: 0o600, durable: false });
  try {
    await moveInto(file, target);
  } catch (error) {
    await unlink(reasonFile).catch(() => undefined);
    throw error;
  }
  return target;
}

async function moveInto(file: string, target: string): Promise<void> {
  try {
    await rename(file, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: a copy under a temporary name, renamed into place, then the original goes.
    const temporary = temporaryPathFor(target);
    try {
      await copyFile(file, temporary);
      await rename(temporary, target);
    } catch (copyError) {
      await unlink(temporary).catch(() => undefined);
      throw copyError;
    }
    await unlink(file);
  }
}
