import { DicomToolsError } from '../errors/dicom-tools-error.js';

/**
 * The mapping store cannot be opened or written. The message names the database file and the
 * problem, never a recorded value (those are patient data).
 */
export class MappingStoreError extends DicomToolsError {
  readonly code = 'MAPPING_STORE';
  readonly kind = 'abort';
  /** The database file (or data folder) concerned. */
  readonly path: string;
  /**
   * The store cannot be reached or written for now (server down, connection lost, disk full, locked
   * too long), as opposed to refusing this request: the watch daemon waits for it and tries again.
   */
  readonly unreachable: boolean;

  constructor(path: string, problem: string, options: { cause?: unknown; unreachable?: boolean } = {}) {
    super(`${path}: ${problem}`, options.cause);
    this.path = path;
    this.unreachable = options.unreachable ?? false;
  }
}
