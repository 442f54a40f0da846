import type { ElementEdit, NewItem } from '../dicom/edits.js';
import { textAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';
import { appliedStandardOptions, dateModeOf, describeOptions, type DeidOptions } from './options.js';
import { PROFILE_EDITION } from './profile.js';
import { temporalWithRules } from './site-rules.js';
import { STANDARD_OPTIONS } from './standard-options.js';

export const PATIENT_IDENTITY_REMOVED = 0x00120062;
export const DEIDENTIFICATION_METHOD = 0x00120063;
export const DEIDENTIFICATION_METHOD_CODES = 0x00120064;
export const LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;
const CODE_VALUE = 0x00080100;
const CODING_SCHEME = 0x00080102;
const CODE_MEANING = 0x00080104;

/** The first value of De-identification Method (0012,0063): the outputs we wrote say so. */
export const TOOL_NAME = 'DICOM Tools';

/** CID 7050 "De-identification Method" code (PS3.16) of the profile itself; the options' codes are in standard-options.ts. */
const BASIC_PROFILE = ['113100', 'Basic Application Confidentiality Profile'] as const;

/**
 * The codes claimed by a set of options: the Basic Profile, plus each standard option applied,
 * chosen directly or implied by a product setting, once each, in code order.
 */
export function methodCodes(options: DeidOptions): (readonly [string, string])[] {
  return [BASIC_PROFILE, ...appliedStandardOptions(options).map((option) => [STANDARD_OPTIONS[option].code, STANDARD_OPTIONS[option].meaning] as const)];
}

/** De-identification Method (0012,0063): LO values of at most 64 characters naming tool, profile, edition and options. */
export function methodText(options: DeidOptions): string[] {
  return [TOOL_NAME, `PS3.15 ${PROFILE_EDITION} Basic Application Confidentiality Profile`, ...describeOptions(options)];
}

/**
 * The PS3.15 E.1.1 markers: Patient Identity Removed, De-identification Method (with `fileNote`
 * last when given) and its code sequence (codes already in the file are kept after ours), and
 * Longitudinal Temporal Information Modified.
 */
export function conformanceMarkers(file: DicomFile, options: DeidOptions, fileNote?: string): Map<Tag, ElementEdit> {
  const edits = new Map<Tag, ElementEdit>();
  if (options.patient) edits.set(PATIENT_IDENTITY_REMOVED, { op: 'set', value: 'YES' });
  const ours = oursFor(options);
  // A note of this file's own (which region list cleaned its pixels) follows the options' words.
  edits.set(DEIDENTIFICATION_METHOD, fileNote === undefined ? ours.method : { op: 'set', value: [...methodText(options), fileNote] });
  const existing = file.dataSet.find((element) => element.tag === DEIDENTIFICATION_METHOD_CODES)?.items ?? [];
  edits.set(DEIDENTIFICATION_METHOD_CODES, existing.length === 0 ? ours.codes : { op: 'set', vr: 'SQ', value: { items: [...ours.items, ...earlierCodes(file, options, existing.length)] } });
  const dates = dateModeOf(options);
  const temporal = dates === 'keep' ? 'UNMODIFIED' : dates === 'shift' ? 'MODIFIED' : 'REMOVED';
  edits.set(LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, { op: 'set', value: temporalWithRules(temporal, options.siteRules) });
  return edits;
}

/** Our method text and codes, one object per options: the writer encodes an object it has seen once. */
interface OurMarkers {
  readonly method: ElementEdit;
  readonly items: readonly NewItem[];
  readonly codes: ElementEdit;
}

const oursByOptions = new WeakMap<DeidOptions, OurMarkers>();

function oursFor(options: DeidOptions): OurMarkers {
  let ours = oursByOptions.get(options);
  if (!ours) {
    const items = methodCodes(options).map(([value, meaning]) => codeItem(value, 'DCM', meaning));
    ours = { method: { op: 'set', value: methodText(options) }, items, codes: { op: 'set', vr: 'SQ', value: { items } } };
    oursByOptions.set(options, ours);
  }
  return ours;
}

/** Earlier de-identifications' CID 7050 codes in the file, other than ours. */
function earlierCodes(file: DicomFile, options: DeidOptions, count: number): NewItem[] {
  const ours = methodCodes(options);
  const items: NewItem[] = [];
  for (let index = 0; index < count; index++) {
    const path = [{ tag: DEIDENTIFICATION_METHOD_CODES, item: index }];
    const value = textAt(file, path, CODE_VALUE)[0] ?? '';
    const scheme = textAt(file, path, CODING_SCHEME)[0] ?? '';
    // They stay on record; anything else is not ours to copy.
    if (/^1131\d\d$/.test(value) && scheme === 'DCM' && !ours.some(([code]) => code === value)) items.push(codeItem(value, scheme, textAt(file, path, CODE_MEANING)[0] ?? ''));
  }
  return items;
}

function codeItem(value: string, scheme: string, meaning: string): NewItem {
  return [
    { tag: CODE_VALUE, vr: 'SH', value },
    { tag: CODING_SCHEME, vr: 'SH', value: scheme },
    { tag: CODE_MEANING, vr: 'LO', value: meaning },
  ];
}
