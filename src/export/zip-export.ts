import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { describeFsError } from '../io/durable-files.js';
import { sinkInto, writeExportFile, type ExportWriteOptions } from './export-file.js';
import { ExportError } from './export-error.js';

export interface ZipEntry {
  /** The file to add (an anonymized file). */
  sourcePath: string;
  /** Its path in the ZIP: relative, `/`-separated, without `.` or `..` segments. */
  name: string;
}

/** Files that link anonymized data back to patients: the mapping store and the secret. */
const FORBIDDEN_SOURCE = /(\.sqlite|\.sqlite-wal|\.sqlite-shm)$|^secret\.key$/i;

/**
 * Writes a ZIP of anonymized files (deflated, streamed from disk; no file is read into memory
 * whole). Entry names are kept exactly as given. The ZIP is written to a temporary file and renamed,
 * so an existing `outPath` is replaced atomically (with `replace: false`, refused) and a failure leaves no partial file; its mode is
 * 0644, as it holds no patient data.
 *
 * @throws ExportError for an invalid or duplicate entry name, a source that is missing, not a
 * regular file, or part of the mapping store or secret (`*.sqlite`, `*.sqlite-wal`, `*.sqlite-shm`,
 * `secret.key`), or when the ZIP cannot be written.
 */
export async function writeZip(entries: readonly ZipEntry[], outPath: string, options: ExportWriteOptions = {}): Promise<void> {
  const names = new Set<string>();
  for (const entry of entries) {
    const problem = entryNameProblem(entry.name);
    if (problem !== undefined) throw new ExportError(outPath, `ZIP entry name ${JSON.stringify(entry.name)} ${problem}`);
    if (names.has(entry.name)) throw new ExportError(outPath, `ZIP entry name ${JSON.stringify(entry.name)} is given twice`);
    names.add(entry.name);
  }
  for (const entry of entries) await checkSource(entry, outPath);

  await writeExportFile(outPath, 0o644, async (handle) => {
    const zip = new ZipFile();
    const output = zip.outputStream as Readable;
    // yazl reports a failed source read on the ZipFile; end the output stream with it.
    zip.on('error', (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
    for (const entry of entries) zip.addFile(entry.sourcePath, entry.name, { compress: true });
    zip.end();
    await pipeline(output, sinkInto(handle));
  }, options);
}

/** Why `name` cannot be a ZIP entry name, or undefined when it can. */
export function entryNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.includes('\\')) return 'contains a backslash (use forward slashes)';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is absolute (use a relative path)';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  const segments = name.split('/');
  if (segments.includes('..')) return 'contains a ".." segment';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'contains an empty or "." segment';
  return undefined;
}

async function checkSource(entry: ZipEntry, outPath: string): Promise<void> {
  const refuse = () =>
    new ExportError(outPath, `refusing to put ${entry.sourcePath} in a ZIP: it is part of the mapping store or the secret, which link anonymized files back to patients`);
  if (FORBIDDEN_SOURCE.test(path.basename(entry.sourcePath))) throw refuse();
  let isFile: boolean;
  try {
    if (FORBIDDEN_SOURCE.test(path.basename(await realpath(entry.sourcePath)))) throw refuse();
    isFile = (await stat(entry.sourcePath)).isFile();
  } catch (error) {
    if (error instanceof ExportError) throw error;
    throw new ExportError(outPath, `cannot read the source of ZIP entry ${JSON.stringify(entry.name)}: ${describeFsError(error)}`, { cause: error });
  }
  if (!isFile) throw new ExportError(outPath, `the source of ZIP entry ${JSON.stringify(entry.name)} is not a regular file`);
}
