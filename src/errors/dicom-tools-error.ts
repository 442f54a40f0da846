/**
 * `abort`: the user must act (bad input, a missing file, a bad setting) and the message says what to
 * try. `bug`: a fault of ours, to be reported.
 */
export type ErrorKind = 'abort' | 'bug';

/**
 * Base of every error dicom-tools throws on purpose, so the CLI can tell them from bugs with one
 * check. Messages never carry a patient's value.
 */
export abstract class DicomToolsError extends Error {
  /** Names the kind of problem for programs; stable across releases. */
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
  }
}
