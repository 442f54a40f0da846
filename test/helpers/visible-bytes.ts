// What a reader of an output sees, and which planted values are still in it.
import { readFileSync } from 'node:fs';
import { readDicomFile } from '../../src/dicom/read-file.js';

/** The file's bytes, and the inflated data set of a deflated one. */
export function visible(file: string): Buffer {
  const parsed = readDicomFile(file);
  return Buffer.concat([readFileSync(file), ...(parsed.inflated ? [parsed.inflated] : [])]);
}

/** The values still in the file, as Latin-1 or UTF-8 bytes. */
export function survivors(file: string, values: readonly string[]): string[] {
  const bytes = visible(file);
  return values.filter((value) => bytes.includes(Buffer.from(value, 'latin1')) || bytes.includes(Buffer.from(value, 'utf8')));
}
