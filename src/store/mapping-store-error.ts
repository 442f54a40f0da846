/**
 * The mapping store cannot be opened or written. The message names the database file and the
 * problem, never a recorded value (those are patient data).
 */
export class MappingStoreError extends Error {
  readonly code = 'MAPPING_STORE';
  /** The database file (or data folder) concerned. */
  readonly path: string;

  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${problem}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MappingStoreError';
    this.path = path;
  }
}
