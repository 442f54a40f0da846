import { DicomToolsError } from '../errors/dicom-tools-error.js';

/** A command-line mistake; the message is shown above the command's usage. */
export class UsageError extends DicomToolsError {
  readonly code = 'USAGE';
  readonly kind = 'abort';
}
