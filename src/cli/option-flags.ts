import { BURNED_IN_POLICIES, optionConflict, type BurnedInPolicy, type DeidOptions } from '../deid/options.js';
import { isProfileName, isStandardOption, PROFILE_NAMES, profileOptions, STANDARD_OPTION_NAMES, type ProfileName, type StandardOption } from '../deid/standard-options.js';
import { UsageError } from './usage-error.js';

/**
 * The product's six options as command-line flags; each switches one group from anonymize to keep.
 * Then the PS3.15 profile and its standard options (Table E.1-1's option columns).
 */
export const optionFlags = {
  'keep-uids': { type: 'boolean' },
  'keep-private': { type: 'boolean' },
  'keep-patient': { type: 'boolean' },
  'keep-institution': { type: 'boolean' },
  'keep-study': { type: 'boolean' },
  'keep-dates': { type: 'boolean' },
  'shift-dates': { type: 'boolean' },
  profile: { type: 'string' },
  option: { type: 'string', multiple: true },
  'burned-in': { type: 'string' },
  ocr: { type: 'boolean' },
} as const;

export const OPTION_FLAGS_HELP = `  --keep-uids          keep UIDs (default: regenerate them, keyed; "UIDs neu generieren")
  --keep-private       keep private tags (default: remove them; "Private Tags entfernen")
  --keep-patient       keep patient data: name, ID, birth date, sex, age, address, ... ("Patientendaten")
  --keep-institution   keep institution, staff and device data ("Institutionsdaten")
  --keep-study         keep study data: accession number, study ID, descriptions ("Studiendaten")
  --keep-dates         keep dates and times ("Datumsangaben")
  --shift-dates        shift dates by a fixed offset per patient, keeping intervals
  --profile NAME       a preset: basic (the Basic Profile alone, default) or research (Basic +
                       ${profileOptions('research').join(' + ')}; DICOM_PROFILE)
  --option NAME        apply a PS3.15 option (repeatable; DICOM_PROFILE_OPTIONS), one of:
                       ${helpLines(STANDARD_OPTION_NAMES, 3).join(',\n                       ')}
                       (a --keep-* flag above still keeps its whole group; --profile or --option
                       replace both DICOM_PROFILE and DICOM_PROFILE_OPTIONS)
  --burned-in POLICY   an image that may carry text burned into its pixels (ultrasound, screen
                       captures, Burned In Annotation YES, ...): refuse it (default: the file
                       fails) or accept it with its pixels as they are (DICOM_BURNED_IN)
  --ocr                with --option clean-pixel-data: read the text of an at-risk image no region
                       list entry or ultrasound region is for, and blank the words that identify
                       (names, IDs, dates); needs the optional tesseract.js packages (DICOM_OCR)`;

/** Names, `perLine` to a line, so that the help stays narrow as options are added. */
function helpLines(names: readonly string[], perLine: number): string[] {
  const lines: string[] = [];
  for (let at = 0; at < names.length; at += perLine) lines.push(names.slice(at, at + perLine).join(', '));
  return lines;
}

type BooleanFlag = Exclude<keyof typeof optionFlags, 'profile' | 'option' | 'burned-in'>;
type FlagValues = { readonly [K in BooleanFlag]?: boolean | undefined } & {
  readonly profile?: string | undefined;
  readonly 'burned-in'?: string | undefined;
  readonly option?: readonly string[] | undefined;
};

/** Options from flags over the configured defaults (DICOM_* variables). */
export function optionsFromFlags(values: FlagValues, defaults: DeidOptions): DeidOptions {
  if (values['keep-dates'] && values['shift-dates']) throw new UsageError('--keep-dates and --shift-dates exclude each other');
  const dates = values['keep-dates'] ? 'keep' : values['shift-dates'] ? 'shift' : defaults.dates;
  const fromFlags = values.profile !== undefined || values.option !== undefined;
  const profile = fromFlags ? profileFrom(values.profile) : defaults.profile;
  const standardOptions = fromFlags ? standardOptionsFrom(profile, values.option ?? []) : (defaults.standardOptions ?? []);
  const conflict = optionConflict(dates, standardOptions);
  if (conflict) {
    const fromProfile = profile !== undefined && profileOptions(profile).includes(conflict.option);
    const option = fromFlags ? (fromProfile ? `--profile ${profile} (${conflict.option})` : `--option ${conflict.option}`) : `DICOM_PROFILE_OPTIONS ${conflict.option}`;
    const other =
      conflict.with === 'retain-full-dates'
        ? `--option ${conflict.with}`
        : values['keep-dates'] || values['shift-dates']
          ? `--${conflict.with}-dates`
          : `DICOM_DATES=${conflict.with}`;
    throw new UsageError(`${option} and ${other} exclude each other`);
  }
  return {
    regenerateUids: values['keep-uids'] ? false : defaults.regenerateUids,
    removePrivate: values['keep-private'] ? false : defaults.removePrivate,
    patient: values['keep-patient'] ? false : defaults.patient,
    institution: values['keep-institution'] ? false : defaults.institution,
    study: values['keep-study'] ? false : defaults.study,
    dates,
    // Absent rather than empty, so that options without any stay as they were (and are stored so).
    ...(standardOptions.length > 0 ? { standardOptions } : {}),
    ...(profile !== undefined && profile !== 'basic' ? { profile } : {}),
    ...(burnedInFrom(values['burned-in'], defaults.burnedIn) === 'accept' ? { burnedIn: 'accept' as const } : {}),
    ...(ocrFrom(values.ocr, defaults.ocr, standardOptions) ? { ocr: true } : {}),
  };
}

/** OCR only serves Clean Pixel Data: asked for on its own, it is a mistake to point out. */
function ocrFrom(flag: boolean | undefined, configured: boolean | undefined, standardOptions: readonly StandardOption[]): boolean {
  if (flag === true && !standardOptions.includes('clean-pixel-data')) throw new UsageError('--ocr reads text for --option clean-pixel-data: give that option (or --profile research) too');
  return flag ?? configured ?? false;
}

function burnedInFrom(flag: string | undefined, configured: BurnedInPolicy | undefined): BurnedInPolicy {
  if (flag === undefined) return configured ?? 'refuse';
  if ((BURNED_IN_POLICIES as readonly string[]).includes(flag)) return flag as BurnedInPolicy;
  throw new UsageError(`--burned-in must be one of ${BURNED_IN_POLICIES.join(', ')}, not ${JSON.stringify(flag)}`);
}

function profileFrom(profile: string | undefined): ProfileName | undefined {
  if (profile === undefined || isProfileName(profile)) return profile;
  throw new UsageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}, not ${JSON.stringify(profile)}`);
}

/** The preset's options, then the `--option` values, checked; each option once. */
function standardOptionsFrom(profile: ProfileName | undefined, names: readonly string[]): StandardOption[] {
  const options: StandardOption[] = [...(profile === undefined ? [] : profileOptions(profile))];
  for (const name of names) {
    if (!isStandardOption(name)) throw new UsageError(`--option must be one of ${STANDARD_OPTION_NAMES.join(', ')}, not ${JSON.stringify(name)}`);
    if (!options.includes(name)) options.push(name);
  }
  return options;
}
