import { DicomToolsError } from '../errors/dicom-tools-error.js';
import { formatTag, type Tag } from './tag.js';
import { listedTag } from './tag-in-message.js';

export type DicomErrorCode = 'NOT_DICOM' | 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED' | 'INVALID_VALUE' | 'IO';

export interface DicomErrorDetails {
  readonly tag?: Tag | undefined;
  readonly offset?: number | undefined;
  readonly file?: string | undefined;
  /** The offset counts from the start of the inflated data set (deflated transfer syntax). */
  readonly inflated?: boolean | undefined;
  /**
   * The tag belongs to an element of a file that was read whole, so it is structure, not a value's
   * bytes: named even when the dictionary does not list it.
   */
  readonly tagOfParsedFile?: boolean | undefined;
  readonly cause?: unknown;
}

/**
 * Base of every error the engine throws about a file. Messages name the file, the problem, the tag
 * and the byte offset, and never a value or other bytes of the file: a tag the dictionary does not
 * list is left out (it may be a value's bytes read as a tag, see tag-in-message.ts).
 */
export class DicomError extends DicomToolsError {
  readonly code: DicomErrorCode;
  readonly kind = 'abort';
  readonly problem: string;
  readonly tag: Tag | undefined;
  readonly offset: number | undefined;
  file: string | undefined;
  inflated: boolean;

  constructor(code: DicomErrorCode, problem: string, details: DicomErrorDetails = {}) {
    const tag = details.tagOfParsedFile === true ? details.tag : listedTag(details.tag);
    super(composeMessage(problem, { ...details, tag }), details.cause);
    this.code = code;
    this.problem = problem;
    this.tag = tag;
    this.offset = details.offset;
    this.file = details.file;
    this.inflated = details.inflated === true;
  }

  /** Names the file in the message (the reader learns it only at its boundary). */
  inFile(file: string): this {
    if (this.file === undefined) {
      this.file = file;
      this.message = composeMessage(this.problem, { tag: this.tag, offset: this.offset, file, inflated: this.inflated });
    }
    return this;
  }

  /** Marks the offset as counted in the inflated data set of a deflated file. */
  inInflatedDataSet(): this {
    this.inflated = true;
    this.message = composeMessage(this.problem, { tag: this.tag, offset: this.offset, file: this.file, inflated: true });
    return this;
  }
}

function composeMessage(problem: string, details: DicomErrorDetails): string {
  const where: string[] = [];
  if (details.tag !== undefined) where.push(`at ${formatTag(details.tag)}`);
  if (details.offset !== undefined) where.push(`byte offset ${details.offset}${details.inflated ? ' of the inflated data set' : ''}`);
  const location = where.length > 0 ? ` (${where.join(', ')})` : '';
  const prefix = details.file !== undefined ? `${details.file}: ` : '';
  return `${prefix}${problem}${location}`;
}

/** Not a DICOM file at all; the product's wording leads the message. */
export class NotDicomError extends DicomError {
  constructor(problem: string, details: DicomErrorDetails = {}) {
    super('NOT_DICOM', problem.startsWith('File not recognized as DICOM') ? problem : `File not recognized as DICOM: ${problem}`, details);
  }
}

/** The file ends before the structure it announces. */
export class TruncatedDicomError extends DicomError {
  constructor(problem: string, details: DicomErrorDetails = {}) {
    super('TRUNCATED', problem.startsWith('File is truncated') ? problem : `File is truncated: ${problem}`, details);
  }
}

/** Inconsistent structure: bad VR, lengths that disagree, sequences that never close. */
export class MalformedDicomError extends DicomError {
  constructor(problem: string, details: DicomErrorDetails = {}) {
    super('MALFORMED', problem.startsWith('Malformed DICOM') ? problem : `Malformed DICOM: ${problem}`, details);
  }
}

/** Valid DICOM that we decline to handle (for example a data set that fails to inflate). */
export class UnsupportedDicomError extends DicomError {
  constructor(problem: string, details: DicomErrorDetails = {}) {
    super('UNSUPPORTED', problem.startsWith('Unsupported') ? problem : `Unsupported DICOM: ${problem}`, details);
  }
}

/**
 * Read, but the output would have to copy something other readers reject (see writable-check.ts).
 * Unlike other unsupported files (a DICOMDIR), it is an image that failed, never one to skip.
 */
export class UnwritableDicomError extends UnsupportedDicomError {}

/** Beyond a configured resource limit (a deflated data set that inflates too far): it fails, never skipped. */
export class OverLimitDicomError extends UnsupportedDicomError {}

/** An edit asks for a value its VR cannot hold. */
export class InvalidValueError extends DicomError {
  constructor(problem: string, details: DicomErrorDetails = {}) {
    super('INVALID_VALUE', problem, details);
  }
}

/** The file system refused: unreadable input, write-protected output, disk full. */
export class DicomIoError extends DicomError {
  constructor(problem: string, details: DicomErrorDetails = {}) {
    super('IO', problem, details);
  }
}
