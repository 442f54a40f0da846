import { existsSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { describeFsError, isTemporary, MappingStoreError, recordOfPlacedOutput } from '../src/index.js';
import type { Logger } from './logger.js';
import { isJournaledOriginal } from './file-identity.js';
import { removeOriginal, uploadJob, type UploadContext } from './process-upload.js';
import { settleAside, type Removal } from './remove-if-same.js';
import type { UploadNames } from './upload-names.js';

/**
 * Finishes or undoes the work a killed daemon left in flight, before anything new is taken:
 * - written: the output and its mapping exist, so the original goes;
 * - writing, output present: the rename happened (it is atomic, so the output is complete); the
 *   mapping is recorded from the original, which then goes;
 * - writing, no output: nothing visible happened; the entry is dropped and the original, still in
 *   Sources, is processed again under the same name.
 * Then our temporary files (".<name>.<hex>.tmp") left in Sources are removed. Works on the
 * entries of `context.journal` as loaded; also run when a failed store answers again, with no
 * group in flight. A store failure rejects (with what is done so far kept), for the caller to
 * wait and run it again.
 */
export async function recoverJournal(sourcesDir: string, context: UploadContext, log: Logger): Promise<number> {
  let recovered = 0;
  const { names } = context;
  for (const entry of context.journal.entries()) {
    try {
      // Killed while removing the original: the file it set aside goes, or back if it is another.
      settleAside(entry.originalPath, entry.originalIdentity, entry.state === 'written');
    } catch (error) {
      incomplete(entry.originalPath, error, log, names);
      continue;
    }
    const outputExists = existsSync(entry.outputPath);
    const originalExists = existsSync(entry.originalPath);
    if (originalExists && !isJournaledOriginal(entry)) {
      // A new upload under the old one's name, which is gone: left for processing, never removed
      // as the old one. A written output of the old one stays (recorded when 'written'; else its
      // original, and so its record, are lost with the overwrite).
      await context.journal.finish([entry.originalPath]);
      log.warn('replaced-upload', `${names.of(entry.originalPath)} was replaced by a new upload while its work was interrupted: the new file is taken as a new upload${entry.state === 'writing' && outputExists ? `; ${names.output(entry.outputPath)} stays, unrecorded` : ''}`, names.fields(entry.originalPath));
      recovered++;
      continue;
    }
    let removal: Removal | undefined;
    try {
      if (entry.state === 'writing' && outputExists && originalExists) {
        // Planned and recorded by the step that made the output, with the same run options.
        const record = recordOfPlacedOutput(entry.originalPath, entry.outputPath, uploadJob(context, path.dirname(entry.originalPath)), context.keys);
        await context.journal.written([{ originalPath: entry.originalPath, record }]);
        removal = await removeOriginal(entry.originalPath, entry.originalIdentity);
      } else if (entry.state === 'written' && originalExists) {
        removal = await removeOriginal(entry.originalPath, entry.originalIdentity);
      }
    } catch (error) {
      if (error instanceof MappingStoreError) throw error;
      // An original that cannot be removed (or read) keeps its entry, and the daemon starts all the
      // same: the entry says what is left to do, and the next start tries again.
      incomplete(entry.originalPath, error, log, names);
      continue;
    }
    await context.journal.finish([entry.originalPath]);
    recovered++;
    log.info('recovered', `recovered interrupted work on ${names.of(entry.originalPath)}${removal === 'replaced' ? '; a new upload took its name meanwhile and is taken as one' : ''}`, names.fields(entry.originalPath));
  }
  removeTemporaryFiles(sourcesDir, log, names);
  return recovered;
}

function incomplete(file: string, error: unknown, log: Logger, names: UploadNames): void {
  log.warn('recovery-incomplete', `cannot finish interrupted work on ${names.of(file)}: ${names.in(describeFsError(error), file)}; it stays in the journal`, names.fields(file));
}

function removeTemporaryFiles(folder: string, log: Logger, names: UploadNames): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    // A folder in Sources the daemon cannot read stops nothing else (it stopped the start-up).
    log.warn('unreadable-folder', `cannot read the folder ${names.of(folder)}: ${names.in(describeFsError(error), folder)}; its files are not taken`, names.fields(folder));
    return;
  }
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) removeTemporaryFiles(full, log, names);
    else if (entry.isFile() && isTemporary(entry.name)) rmSync(full, { force: true });
  }
}
