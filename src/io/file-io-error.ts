import { DicomToolsError } from '../errors/dicom-tools-error.js';

/**
 * The file system refused while an output was written or a source copied: write-protected, disk
 * full, a source that changed under us. Its message names the file and the problem, never a value.
 */
export class FileIoError extends DicomToolsError {
  readonly code = 'IO';
  readonly kind = 'abort';
  readonly file: string;

  constructor(problem: string, details: { readonly file: string; readonly offset?: number | undefined; readonly cause?: unknown }) {
    super(`${details.file}: ${problem}${details.offset === undefined ? '' : ` (byte offset ${details.offset})`}`, details.cause);
    this.file = details.file;
  }
}
