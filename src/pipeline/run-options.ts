import type { InflateLimits } from '../dicom/inflate-data-set.js';
import { profileLabel, type DeidOptions } from '../deid/options.js';
import { optionsForRecord } from '../deid/site-rules.js';
import { optionsWithSubjectIds, type SubjectIds } from '../deid/subject-ids.js';
import type { BatchSource } from '../store/mapping-record.js';
import type { StartBatchOptions } from '../store/record-checks.js';

/**
 * What a run applies to every file: the options complete (with the subject-ID mark), the
 * subject-ID list, and how far a deflated input may inflate. Built once per run by `runOptions`,
 * and used as they are for every file, the batch's row in the mapping and the daemon's recovery,
 * so that a record never says other options than its output was made with.
 */
export interface RunOptions {
  readonly options: DeidOptions;
  readonly subjectIds?: SubjectIds | undefined;
  /** @default DEFAULT_INFLATE_LIMITS */
  readonly inflateLimits?: InflateLimits | undefined;
}

/**
 * The run's options from what was chosen (flags over the configuration's defaults, or the TUI's
 * screen, site rules included) and what was read once (the subject-ID list, the inflate limits).
 */
export function runOptions(chosen: DeidOptions, loaded: { readonly subjectIds?: SubjectIds | undefined; readonly inflateLimits?: InflateLimits | undefined } = {}): RunOptions {
  // The site rules stay last, as they always were in the batch's row.
  const { siteRules, ...rest } = chosen;
  const marked = optionsWithSubjectIds(rest, loaded.subjectIds);
  return { options: siteRules ? { ...marked, siteRules } : marked, subjectIds: loaded.subjectIds, inflateLimits: loaded.inflateLimits };
}

/** The batch's row for a run of `source`: the options on record (site rules by name and hash) and the profile. */
export function batchStart(source: BatchSource, run: RunOptions, extra: Readonly<Record<string, string>> = {}): StartBatchOptions {
  const { pixelRegions, ...options } = optionsForRecord(run.options);
  // A site's region list is on record by name and hash, as its rules file is.
  const regions = pixelRegions && { pixelRegions: { name: pixelRegions.name, sha256: pixelRegions.sha256 } };
  return { source, options: { ...options, ...regions, ...extra }, profile: profileLabel(run.options) };
}
