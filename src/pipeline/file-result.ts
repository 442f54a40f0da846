import type { DicomErrorCode } from '../dicom/errors.js';

export type FileStatus = 'anonymized' | 'failed' | 'skipped';

/** What happened to one input. Carries no patient data except the pseudonym. */
export interface FileResult {
  readonly input: string;
  readonly status: FileStatus;
  readonly output?: string;
  readonly code?: DicomErrorCode | 'OVERWRITE' | 'UNLISTED_PATIENT' | 'BURNED_IN' | 'NEEDS_OCR' | 'OWN_OUTPUT' | 'BUG';
  /** The problem, naming the file, never a value. */
  readonly reason?: string;
  readonly anonymizedPatientId?: string;
  readonly tagsAnonymized?: number;
  readonly uidsRegenerated?: number;
  readonly warnings?: readonly string[];
}
