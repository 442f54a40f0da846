import { DicomToolsError } from '../errors/dicom-tools-error.js';

/**
 * The configuration (environment, `.env` file or secret key file) is invalid. The message names the
 * variable or file and what is allowed, and never repeats a secret.
 */
export class ConfigError extends DicomToolsError {
  readonly code = 'CONFIG';
  readonly kind = 'abort';
  /** The environment variable at fault, if any. */
  readonly variable: string | undefined;
  /** The file at fault, if any. */
  readonly path: string | undefined;

  constructor(message: string, details: { variable?: string; path?: string; cause?: unknown } = {}) {
    super(message, details.cause);
    this.variable = details.variable;
    this.path = details.path;
  }
}
