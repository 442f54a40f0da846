import type { ACTION_COLUMNS } from './profile.generated.js';

/**
 * The PS3.15 Annex E options that come straight from a column of Table E.1-1: with one applied,
 * the row's code in its column replaces the Basic Profile's code. Named as on the command line;
 * each carries its CID 7050 code and meaning (PS3.16), which the conformance markers claim.
 *
 * Retain Safe Private (113111) has no column of its own: its only cell is C on the private
 * attributes row, and that C is the safe private list (safe-private.ts), so `column` is undefined.
 * The Clean options (113103, 113104, 113105) are not here: we do not apply them yet, so we must
 * not claim them. Clean Pixel Data is never claimed.
 */
export const STANDARD_OPTIONS = {
  'retain-full-dates': { code: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option', column: 'retainFullDates', clean: undefined },
  // C in this column is the standard's "modified" date: ours is the per-patient shift.
  'retain-modified-dates': { code: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option', column: 'retainModifiedDates', clean: 'shift' },
  // C here (allergies, pre-medication, special needs, patient state) is free text we have no cleaner for.
  'retain-patient-characteristics': { code: '113108', meaning: 'Retain Patient Characteristics Option', column: 'retainPatientCharacteristics', clean: undefined },
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
  /**
   * What C (clean) in the column does. Undefined: we have no cleaner for those values, so the
   * Basic Profile's code stays, which removes more than cleaning would.
   */
  readonly clean: 'shift' | undefined;
}

export type StandardOption = keyof typeof STANDARD_OPTIONS;

/** Every standard option we offer, in CID 7050 code order (the order the markers list them in). */
export const STANDARD_OPTION_NAMES = Object.keys(STANDARD_OPTIONS) as StandardOption[];

export function isStandardOption(name: string): name is StandardOption {
  return Object.hasOwn(STANDARD_OPTIONS, name);
}

/**
 * The presets of `--profile` / DICOM_PROFILE, each the Basic Profile with the standard options it
 * implies. `research` is the set TCIA publishes under (without pixel cleaning, which we never claim).
 */
export const PROFILES = {
  basic: [],
  research: ['retain-modified-dates', 'retain-patient-characteristics', 'retain-device-identity', 'retain-safe-private'],
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
