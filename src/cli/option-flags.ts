import type { DeidOptions } from '../deid/options.js';
import { UsageError } from './usage-error.js';

/** The product's six options as command-line flags; each switches one group from anonymize to keep. */
export const optionFlags = {
  'keep-uids': { type: 'boolean' },
  'keep-private': { type: 'boolean' },
  'keep-patient': { type: 'boolean' },
  'keep-institution': { type: 'boolean' },
  'keep-study': { type: 'boolean' },
  'keep-dates': { type: 'boolean' },
  'shift-dates': { type: 'boolean' },
} as const;

export const OPTION_FLAGS_HELP = `  --keep-uids          keep UIDs (default: regenerate them, keyed; "UIDs neu generieren")
  --keep-private       keep private tags (default: remove them; "Private Tags entfernen")
  --keep-patient       keep patient data: name, ID, birth date, sex, age, address, ... ("Patientendaten")
  --keep-institution   keep institution, staff and device data ("Institutionsdaten")
  --keep-study         keep study data: accession number, study ID, descriptions ("Studiendaten")
  --keep-dates         keep dates and times ("Datumsangaben")
  --shift-dates        shift dates by a fixed offset per patient, keeping intervals`;

type FlagValues = { readonly [K in keyof typeof optionFlags]?: boolean | undefined };

/** Options from flags over the configured defaults (DICOM_* variables). */
export function optionsFromFlags(values: FlagValues, defaults: DeidOptions): DeidOptions {
  if (values['keep-dates'] && values['shift-dates']) throw new UsageError('--keep-dates and --shift-dates exclude each other');
  return {
    regenerateUids: values['keep-uids'] ? false : defaults.regenerateUids,
    removePrivate: values['keep-private'] ? false : defaults.removePrivate,
    patient: values['keep-patient'] ? false : defaults.patient,
    institution: values['keep-institution'] ? false : defaults.institution,
    study: values['keep-study'] ? false : defaults.study,
    dates: values['keep-dates'] ? 'keep' : values['shift-dates'] ? 'shift' : defaults.dates,
  };
}
