// The shared corpus of public DICOM files (shared/corpus beside the repository) and its MANIFEST.tsv.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of shared/corpus, which sits beside the repository (in CI too). */
export const corpusDir = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** Absolute path of shared/reference: PS3.15 Table E.1-1 and the PS3.6 dictionary as TSV. */
export const referenceDir = fileURLToPath(new URL('../../../shared/reference/', import.meta.url));

export interface CorpusFile {
  /** File name in the corpus folder. */
  readonly name: string;
  readonly path: string;
  /** DCMTK 3.6.7 `dcmdump` reads it with default options (MANIFEST column `dcmdump` is not `FAIL...`). */
  readonly dcmdumpOk: boolean;
  /** Transfer Syntax UID from the File Meta Information, or `none` for files without one. */
  readonly transferSyntax: string;
}

/** Every corpus file listed in MANIFEST.tsv, in manifest order. */
export function corpusFiles(): CorpusFile[] {
  const [header, ...rows] = readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
  const column = (name: string): number => {
    const index = header?.indexOf(name) ?? -1;
    if (index < 0) throw new Error(`MANIFEST.tsv has no column "${name}"`);
    return index;
  };
  const file = column('file');
  const dcmdump = column('dcmdump');
  const transferSyntax = column('transfer_syntax_uid');
  return rows.map((row) => {
    const name = row[file] ?? '';
    return {
      name,
      path: path.join(corpusDir, name),
      dcmdumpOk: !(row[dcmdump] ?? '').startsWith('FAIL'),
      transferSyntax: row[transferSyntax] ?? '',
    };
  });
}
