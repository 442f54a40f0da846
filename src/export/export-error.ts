import { DicomToolsError } from '../errors/dicom-tools-error.js';

/**
 * An export (mapping CSV or ZIP) could not be written. The message names the output file and the
 * problem, never a value from the records (those are patient data).
 */
export class ExportError extends DicomToolsError {
  readonly code = 'EXPORT';
  readonly kind = 'abort';
  /** The output file. */
  readonly path: string;

  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${problem}`, options.cause);
    this.path = path;
  }
}
