// Inflating a deflated data set (1.2.840.10008.1.2.1.99) within limits: a few hundred KB of
// deflated zeros inflate to gigabytes, so the output is capped before it is allocated.
import { inflateRawSync, inflateSync } from 'node:zlib';
import { MalformedDicomError, OverLimitDicomError } from './errors.js';

/** How far a deflated data set may inflate. */
export interface InflateLimits {
  /** Largest inflated data set, in bytes (`DICOM_INFLATE_MAX_MB`). */
  readonly maxBytes: number;
  /** Largest inflated-to-deflated size ratio (`DICOM_INFLATE_MAX_RATIO`), applied above RATIO_FREE_BYTES. */
  readonly maxRatio: number;
}

/** Deflated DICOM is mostly reports and waveforms (a ratio of 2 to 4 in the shared corpus). */
export const DEFAULT_INFLATE_LIMITS: InflateLimits = { maxBytes: 256 * 2 ** 20, maxRatio: 200 };

/** A data set inflating to at most this is never refused for its ratio: small files may compress very well. */
export const RATIO_FREE_BYTES = 16 * 2 ** 20;

/**
 * Inflates `compressed`, which starts at file offset `offset`. zlib stops as soon as the output
 * passes the limit, so memory is bounded by the limit, not by what the file would inflate to.
 */
export function inflateDataSet(compressed: Buffer, offset: number, limits: InflateLimits = DEFAULT_INFLATE_LIMITS): Buffer {
  const byRatio = Math.max(RATIO_FREE_BYTES, limits.maxRatio * compressed.length);
  const maxOutputLength = Math.min(limits.maxBytes, byRatio);
  try {
    return inflateRawSync(compressed, { maxOutputLength });
  } catch (rawError) {
    if (isOverLimit(rawError)) throw overLimit(limits, byRatio < limits.maxBytes, offset);
    try {
      // Some writers wrongly add a zlib header; accept it when reading.
      return inflateSync(compressed, { maxOutputLength });
    } catch (error) {
      if (isOverLimit(error)) throw overLimit(limits, byRatio < limits.maxBytes, offset);
      throw new MalformedDicomError('the deflated data set does not inflate', { offset });
    }
  }
}

function isOverLimit(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';
}

function overLimit(limits: InflateLimits, byRatio: boolean, offset: number): OverLimitDicomError {
  const limit = byRatio
    ? `more than ${limits.maxRatio} times its deflated size (DICOM_INFLATE_MAX_RATIO)`
    : `more than ${limits.maxBytes / 2 ** 20} MB (DICOM_INFLATE_MAX_MB)`;
  return new OverLimitDicomError(`the deflated data set inflates to ${limit}; refused as a possible deflate bomb (raise the limit for a file you trust)`, { offset });
}
