import path from 'node:path';
import { DicomToolsError } from '../errors/dicom-tools-error.js';
import type { JsonPosition } from './json-with-positions.js';

/**
 * A configuration file that cannot be used (site rules, a region list). The message names the
 * file, and the line and column of the problem when there is one; never a value from a DICOM file.
 */
export abstract class ConfigFileError extends DicomToolsError {
  readonly kind = 'abort';
  readonly path: string;
  readonly line: number | undefined;

  constructor(file: string, problem: string, at?: JsonPosition, cause?: unknown) {
    super(`${at ? `${path.basename(file)}: line ${at.line}, column ${at.column}` : file}: ${problem}`, cause);
    this.path = file;
    this.line = at?.line;
  }
}
