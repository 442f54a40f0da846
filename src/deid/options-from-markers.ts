import { textAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import { DEIDENTIFICATION_METHOD, DEIDENTIFICATION_METHOD_CODES, methodCodes, TOOL_NAME } from './markers.js';
import { DEFAULT_OPTIONS, PRODUCT_SETTING_NOTES, SUBJECT_IDS_NOTE, type DeidOptions } from './options.js';
import { isPixelNote } from './pixel-step.js';
import { isSiteRulesLabel } from './site-rules.js';
import { STANDARD_OPTION_NAMES, STANDARD_OPTIONS, type StandardOption } from './standard-options.js';

const CODE_VALUE = 0x00080100;
const CODING_SCHEME = 0x00080102;

/** Why an output's markers do not say how it was made. */
export type MarkerProblem = 'not-ours' | 'unknown-note' | 'codes-disagree';

/** The options, and the label of the site rules file they were made with (the rules themselves are not in the file). */
export type MarkedOptions = { readonly options: DeidOptions; readonly siteRulesLabel?: string } | { readonly problem: MarkerProblem };

/**
 * The options an output of ours was made with, read back from De-identification Method (0012,0063):
 * the product's settings by their notes, the standard options they do not imply by their CID 7050
 * meanings, a site rules file by its name and hash. Our codes lead (0012,0064) (an earlier de-identification's follow them), so they must
 * be exactly the codes of those options. A file we did not write, a note we never write, or codes
 * that disagree are a problem rather than a guess: checking against the wrong options would pass
 * what it should not.
 */
export function optionsFromMarkers(file: DicomFile): MarkedOptions {
  const method = textAt(file, [], DEIDENTIFICATION_METHOD);
  if (method[0] !== TOOL_NAME) return { problem: 'not-ours' };
  let options: DeidOptions = DEFAULT_OPTIONS;
  const standardOptions: StandardOption[] = [];
  let siteRules: string | undefined;
  // The tool and the profile edition come first; the notes follow.
  for (const note of method.slice(2)) {
    const setting = PRODUCT_SETTING_NOTES.find((entry) => entry.note === note);
    const option = STANDARD_OPTION_NAMES.find((name) => STANDARD_OPTIONS[name].meaning === note);
    if (setting) options = { ...options, ...setting.set };
    else if (note === SUBJECT_IDS_NOTE) options = { ...options, subjectIds: true };
    else if (option) standardOptions.push(option);
    else if (isSiteRulesLabel(note)) siteRules = note;
    // Which region list cleaned this image's pixels: a fact about the file, no option.
    else if (isPixelNote(note)) continue;
    else return { problem: 'unknown-note' };
  }
  if (standardOptions.length > 0) options = { ...options, standardOptions };
  const expected = methodCodes(options).map(([code]) => code);
  const listed = claimedCodes(file);
  if (!expected.every((code, index) => listed[index] === code)) return { problem: 'codes-disagree' };
  return siteRules === undefined ? { options } : { options, siteRulesLabel: siteRules };
}

/** The DCM code values of De-identification Method Code Sequence (0012,0064), in order ('' for another scheme). */
export function claimedCodes(file: DicomFile): string[] {
  const items = file.dataSet.find((element) => element.tag === DEIDENTIFICATION_METHOD_CODES)?.items ?? [];
  return items.map((_item, index) => {
    const path = [{ tag: DEIDENTIFICATION_METHOD_CODES, item: index }];
    return textAt(file, path, CODING_SCHEME)[0] === 'DCM' ? (textAt(file, path, CODE_VALUE)[0] ?? '') : '';
  });
}
