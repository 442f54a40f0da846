import { optionConflict, type DeidOptions } from '../deid/options.js';
import { isProfileName, isStandardOption, PROFILES, STANDARD_OPTION_NAMES, type StandardOption } from '../deid/standard-options.js';
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
} as const;

export const OPTION_FLAGS_HELP = `  --keep-uids          keep UIDs (default: regenerate them, keyed; "UIDs neu generieren")
  --keep-private       keep private tags (default: remove them; "Private Tags entfernen")
  --keep-patient       keep patient data: name, ID, birth date, sex, age, address, ... ("Patientendaten")
  --keep-institution   keep institution, staff and device data ("Institutionsdaten")
  --keep-study         keep study data: accession number, study ID, descriptions ("Studiendaten")
  --keep-dates         keep dates and times ("Datumsangaben")
  --shift-dates        shift dates by a fixed offset per patient, keeping intervals
  --profile NAME       the PS3.15 profile: ${PROFILES.join(', ')} (default; DICOM_PROFILE)
  --option NAME        apply a PS3.15 option (repeatable; DICOM_PROFILE_OPTIONS), one of:
                       ${STANDARD_OPTION_NAMES.slice(0, 3).join(', ')},
                       ${STANDARD_OPTION_NAMES.slice(3, 6).join(', ')},
                       ${STANDARD_OPTION_NAMES.slice(6).join(', ')}
                       (a --keep-* flag above still keeps its whole group; --profile or --option
                       replace both DICOM_PROFILE and DICOM_PROFILE_OPTIONS)`;

type BooleanFlag = Exclude<keyof typeof optionFlags, 'profile' | 'option'>;
type FlagValues = { readonly [K in BooleanFlag]?: boolean | undefined } & {
  readonly profile?: string | undefined;
  readonly option?: readonly string[] | undefined;
};

/** Options from flags over the configured defaults (DICOM_* variables). */
export function optionsFromFlags(values: FlagValues, defaults: DeidOptions): DeidOptions {
  if (values['keep-dates'] && values['shift-dates']) throw new UsageError('--keep-dates and --shift-dates exclude each other');
  const dates = values['keep-dates'] ? 'keep' : values['shift-dates'] ? 'shift' : defaults.dates;
  const fromFlags = values.profile !== undefined || values.option !== undefined;
  const standardOptions = fromFlags ? standardOptionsFrom(values.profile, values.option ?? []) : (defaults.standardOptions ?? []);
  const conflict = optionConflict(dates, standardOptions);
  if (conflict) {
    const option = `${fromFlags ? '--option ' : 'DICOM_PROFILE_OPTIONS '}${conflict.option}`;
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
  };
}

/** `--profile` and `--option` values, checked; each option once, in the order given. */
function standardOptionsFrom(profile: string | undefined, names: readonly string[]): StandardOption[] {
  if (profile !== undefined && !isProfileName(profile)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}, not ${JSON.stringify(profile)}`);
  const options: StandardOption[] = [];
  for (const name of names) {
    if (!isStandardOption(name)) throw new UsageError(`--option must be one of ${STANDARD_OPTION_NAMES.join(', ')}, not ${JSON.stringify(name)}`);
    if (!options.includes(name)) options.push(name);
  }
  return options;
}
