import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Moves a file that cannot be anonymized out of Sources into the quarantine folder (0700), with a
 * small reason file beside it (0600) naming the upload's id, which the daemon's log names it by.
 * Never deletes it: a person decides what happens next.
 */
export async function quarantine(file: string, uploadId: string, reason: string, quarantineDir: string): Promise<string> {
  await mkdir(quarantineDir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const target = path.join(quarantineDir, `${stamp}-${randomBytes(3).toString('hex')}-${path.basename(file)}`);
  try {
    await rename(file, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(file, target); // another file system: copy, then remove the original
    await unlink(file);
  }
  await writeFile(`${target}.reason.txt`, `upload: ${uploadId}\nfile: ${file}\ntime: ${new Date().toISOString()}\nproblem: ${reason}\n`, { mode: 0o600 });
  return target;
}
