import type { ACTION_COLUMNS } from './profile.generated.js';

/**
 * The PS3.15 Annex E options that come straight from a column of Table E.1-1: with one applied,
 * the row's code in its column replaces the Basic Profile's code. Named as on the command line;
 * each carries its CID 7050 code and meaning (PS3.16), which the conformance markers claim.
 *
 * Retain Safe Private (113111) has no column of its own: its only cell is C on the private
 * attributes row, and that C is the safe private list (safe-private.ts), so `column` is undefined.
 * Clean Pixel Data (113101) has no column either: it changes Pixel Data, not attributes (pixels/).
 */
export const STANDARD_OPTIONS = {
  // At-risk images are blanked where a region list or their ultrasound regions say text is, or refused.
  'clean-pixel-data': { code: '113101', meaning: 'Clean Pixel Data Option', column: undefined, clean: undefined },
  // C: graphic annotations (text objects) and overlay comments are cleaned; Overlay Data bitmaps and
  // retired Curve Data cannot be, so they stay removed (X): nothing uncleaned is kept, so the claim holds.
  'clean-graphics': { code: '113103', meaning: 'Clean Graphics Option', column: 'cleanGraphics', clean: 'text' },
  // C: the items of content, acquisition context and specimen preparation sequences are kept, their free text cleaned.
  'clean-structured-content': { code: '113104', meaning: 'Clean Structured Content Option', column: 'cleanStructuredContent', clean: 'text' },
  // C: descriptions, comments and labels are kept with the file's identifying values cut out.
  'clean-descriptors': { code: '113105', meaning: 'Clean Descriptors Option', column: 'cleanDescriptors', clean: 'text' },
  'retain-full-dates': { code: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option', column: 'retainFullDates', clean: undefined },
  // C in this column is the standard's "modified" date: ours is the per-patient shift.
  'retain-modified-dates': { code: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option', column: 'retainModifiedDates', clean: 'shift' },
  // C here (allergies, pre-medication, special needs, patient state) is free text: cleaned as the Clean options clean.
  'retain-patient-characteristics': { code: '113108', meaning: 'Retain Patient Characteristics Option', column: 'retainPatientCharacteristics', clean: 'text' },
  // C here is AE titles and network IDs: no cleaner either.
  'retain-device-identity': { code: '113109', meaning: 'Retain Device Identity Option', column: 'retainDevice', clean: undefined },
  'retain-uids': { code: '113110', meaning: 'Retain UIDs Option', column: 'retainUids', clean: undefined },
  'retain-safe-private': { code: '113111', meaning: 'Retain Safe Private Option', column: undefined, clean: undefined },
  'retain-institution-identity': { code: '113112', meaning: 'Retain Institution Identity Option', column: 'retainInstitution', clean: undefined },
} as const satisfies Record<string, StandardOptionSpec>;

interface StandardOptionSpec {
  /** CID 7050 code value (scheme DCM). */
  readonly code: string;
  /** CID 7050 code meaning; at most 64 characters, as it also goes into De-identification Method (LO). */
  readonly meaning: string;
  /** The Table E.1-1 column whose code applies with the option; undefined when it changes no standard attribute. */
  readonly column: (typeof ACTION_COLUMNS)[number] | undefined;
  /** What C (clean) in the column does. */
  readonly clean: StandardOptionClean;
}

/**
 * What an option's C does: 'shift' a date by the patient's offset; 'text': clean text (clean-text.ts);
 * undefined: we have no cleaner for those values (AE titles), so the Basic Profile's code stays,
 * which removes more than cleaning would.
 */
export type StandardOptionClean = 'shift' | 'text' | undefined;

export type StandardOption = keyof typeof STANDARD_OPTIONS;

/** Every standard option we offer, in CID 7050 code order (the order the markers list them in). */
export const STANDARD_OPTION_NAMES = Object.keys(STANDARD_OPTIONS) as StandardOption[];

export function isStandardOption(name: string): name is StandardOption {
  return Object.hasOwn(STANDARD_OPTIONS, name);
}

/**
 * The presets of `--profile` / DICOM_PROFILE, each the Basic Profile with the standard options it
 * implies. `research` is the set TCIA publishes under.
 */
export const PROFILES = {
  basic: [],
  research: ['clean-pixel-data', 'clean-descriptors', 'retain-modified-dates', 'retain-patient-characteristics', 'retain-device-identity', 'retain-safe-private'],
} as const satisfies Record<string, readonly StandardOption[]>;

export type ProfileName = keyof typeof PROFILES;

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(PROFILES, name);
}

/** The standard options a preset implies, in CID 7050 code order. */
export function profileOptions(profile: ProfileName): readonly StandardOption[] {
  return PROFILES[profile];
}
