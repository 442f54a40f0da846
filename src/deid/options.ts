import type { RegionList } from '../pixels/region-list.js';
import { PROFILE_EDITION } from './profile.js';
import { siteRulesLabel, type SiteRules } from './site-rules.js';
import { STANDARD_OPTIONS, STANDARD_OPTION_NAMES, type ProfileName, type StandardOption } from './standard-options.js';

/** What to do with dates and times: remove per the profile, keep, or shift per patient. */
export type DateMode = 'clear' | 'keep' | 'shift';

/** What happens to an image that may carry text burned into its pixels (pixels/burned-in-risk.ts). */
export type BurnedInPolicy = 'refuse' | 'accept';

export const BURNED_IN_POLICIES: readonly BurnedInPolicy[] = ['refuse', 'accept'];

/**
 * The product's six options. `true` means "anonymize this group" (the product's checkbox is ticked);
 * switching one off keeps that group as it is.
 */
export interface DeidOptions {
  /** UIDs neu generieren: replace UIDs with keyed ones (off = PS3.15 Retain UIDs option). */
  readonly regenerateUids: boolean;
  /** Private Tags entfernen: remove private elements (off = keep them, cleaning standard elements nested inside). */
  readonly removePrivate: boolean;
  /** Patientendaten: name, ID, birth date, sex, age, address, weight, phone, other IDs, ... */
  readonly patient: boolean;
  /** Institutionsdaten: institution, department, staff names, stations and device identity. */
  readonly institution: boolean;
  /** Studiendaten: accession number, study ID, procedure IDs and descriptions, ... */
  readonly study: boolean;
  /** Datumsangaben: 'clear' (profile), 'keep' (Retain Longitudinal Full Dates), 'shift' (Retain Longitudinal Modified Dates). */
  readonly dates: DateMode;
  /**
   * PS3.15 options applied on top of the product's (see standard-options.ts). The product's
   * settings come first: a group switched off above stays kept whatever these say, `dates` other
   * than 'clear' wins over the two dates options, and `regenerateUids: false` is Retain UIDs.
   * @default []
   */
  readonly standardOptions?: readonly StandardOption[];
  /**
   * The preset chosen (`--profile`), recorded with each batch; its options are already in
   * `standardOptions`, so the engine never reads it.
   * @default 'basic'
   */
  readonly profile?: ProfileName;
  /** Patient ID and Name come from a pre-assigned subject-ID list (see subject-ids.ts), not keyed pseudonyms. */
  readonly subjectIds?: boolean;
  /** A site's rules file (see site-rules.ts): per attribute, over the profile and everything above. */
  readonly siteRules?: SiteRules;
  /**
   * An image that may carry burned-in text is refused (the file fails, the daemon quarantines it),
   * or with 'accept' passed with its pixels as they are, which its markers say.
   * @default 'refuse'
   */
  readonly burnedIn?: BurnedInPolicy;
  /** A site's region list (`--pixel-regions`): Clean Pixel Data searches it before the shipped one. */
  readonly pixelRegions?: RegionList;
  /**
   * Clean Pixel Data reads the text of an at-risk image no list or ultrasound region is for (OCR,
   * `--ocr`) and blanks the words that identify. Needs the optional tesseract.js packages.
   * @default false
   */
  readonly ocr?: boolean;
}

export const DEFAULT_OPTIONS: DeidOptions = {
  regenerateUids: true,
  removePrivate: true,
  patient: true,
  institution: true,
  study: true,
  dates: 'clear',
};

/**
 * The product's settings that are a standard option themselves. Full and Modified Dates are the
 * dates setting; the data groups switched off keep more than the option they imply.
 */
const IMPLIED_BY_PRODUCT: Readonly<Record<StandardOption, (options: DeidOptions) => boolean>> = {
  'clean-pixel-data': () => false,
  'clean-graphics': () => false,
  'clean-structured-content': () => false,
  'clean-descriptors': () => false,
  'retain-full-dates': (options) => options.dates === 'keep',
  'retain-modified-dates': (options) => options.dates === 'shift',
  'retain-patient-characteristics': (options) => !options.patient,
  'retain-device-identity': (options) => !options.institution,
  'retain-uids': (options) => !options.regenerateUids,
  // Keeping every private element (removePrivate off) is no option of the standard.
  'retain-safe-private': () => false,
  'retain-institution-identity': (options) => !options.institution,
};

const chosen = (options: DeidOptions, option: StandardOption) => options.standardOptions?.includes(option) ?? false;

/**
 * What happens to dates, from both layers: the product's `dates` when not 'clear', else Modified
 * Dates (shift) or Full Dates (keep). Asked for both, the one that reveals less wins; the command
 * line and the configuration refuse that combination before it gets here.
 */
export function dateModeOf(options: DeidOptions): DateMode {
  if (options.dates !== 'clear') return options.dates;
  if (chosen(options, 'retain-modified-dates')) return 'shift';
  return chosen(options, 'retain-full-dates') ? 'keep' : 'clear';
}

/** A pair of choices that contradict each other: the two dates options, or one and the product's `dates`. */
export interface OptionConflict {
  readonly option: StandardOption;
  readonly with: 'retain-full-dates' | DateMode;
}

/**
 * The contradiction in a set of choices, if any. Full and Modified Dates exclude each other, and
 * each excludes the product's other non-clearing `dates` (they are the same setting by another
 * name); every other combination only adds what is kept. The command line and the configuration
 * refuse a contradiction; the engine would settle it as `dateModeOf` says.
 */
export function optionConflict(dates: DateMode, standardOptions: readonly StandardOption[]): OptionConflict | undefined {
  const full = standardOptions.includes('retain-full-dates');
  const modified = standardOptions.includes('retain-modified-dates');
  if (full && modified) return { option: 'retain-modified-dates', with: 'retain-full-dates' };
  if (full && dates === 'shift') return { option: 'retain-full-dates', with: 'shift' };
  if (modified && dates === 'keep') return { option: 'retain-modified-dates', with: 'keep' };
  return undefined;
}

/** Whether UIDs stay as they are: `regenerateUids: false`, or Retain UIDs. */
export function retainsUids(options: DeidOptions): boolean {
  return !options.regenerateUids || chosen(options, 'retain-uids');
}

const appliedCache = new WeakMap<DeidOptions, readonly StandardOption[]>();

/**
 * The standard options applied, in CID 7050 code order, each once: chosen directly or implied by
 * a product setting, with the dates options as `dateModeOf` settles them.
 */
export function appliedStandardOptions(options: DeidOptions): readonly StandardOption[] {
  let applied = appliedCache.get(options);
  if (!applied) {
    const dates = dateModeOf(options);
    applied = STANDARD_OPTION_NAMES.filter((option) => {
      if (option === 'retain-full-dates') return dates === 'keep';
      if (option === 'retain-modified-dates') return dates === 'shift';
      // With every private element kept, what the option would keep is not what is kept: not claimed.
      if (option === 'retain-safe-private') return options.removePrivate && chosen(options, option);
      return IMPLIED_BY_PRODUCT[option](options) || chosen(options, option);
    });
    appliedCache.set(options, applied);
  }
  return applied;
}

/**
 * The product's settings as De-identification Method (0012,0063) says them, each with what it sets:
 * `describeOptions` writes these words and `optionsFromMarkers` reads them back.
 */
export const PRODUCT_SETTING_NOTES: readonly { readonly note: string; readonly set: Partial<DeidOptions> }[] = [
  { note: 'UIDs retained', set: { regenerateUids: false } },
  { note: 'private tags retained', set: { removePrivate: false } },
  { note: 'patient data retained', set: { patient: false } },
  { note: 'institution data retained', set: { institution: false } },
  { note: 'study data retained', set: { study: false } },
  { note: 'dates retained', set: { dates: 'keep' } },
  { note: 'dates shifted', set: { dates: 'shift' } },
  { note: 'burned-in pixel data accepted', set: { burnedIn: 'accept' } },
];

export const SUBJECT_IDS_NOTE = 'pre-assigned subject IDs';

/** A short, PHI-free description of the options, for markers, logs and the mapping store. */
export function describeOptions(options: DeidOptions): string[] {
  const parts = PRODUCT_SETTING_NOTES.filter(({ set }) => Object.entries(set).every(([key, value]) => options[key as keyof DeidOptions] === value)).map(({ note }) => note);
  // The standard options the product's settings above do not already say, by their CID 7050 meaning.
  for (const option of appliedStandardOptions(options)) {
    if (!IMPLIED_BY_PRODUCT[option](options)) parts.push(STANDARD_OPTIONS[option].meaning);
  }
  if (options.subjectIds === true) parts.push(SUBJECT_IDS_NOTE);
  if (options.siteRules) parts.push(siteRulesLabel(options.siteRules));
  return parts;
}

/** The profile a batch is recorded with: the table's edition and the preset, e.g. "PS3.15 2024b research". */
export function profileLabel(options: DeidOptions): string {
  return `PS3.15 ${PROFILE_EDITION} ${options.profile ?? 'basic'}`;
}
