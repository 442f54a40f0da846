/**
 * An export (mapping CSV or ZIP) could not be written. The message names the output file and the
 * problem, never a value from the records (those are patient data).
 */
export class ExportError extends Error {
  readonly code = 'EXPORT';
  /** The output file. */
  readonly path: string;

  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${problem}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExportError';
    this.path = path;
  }
}
