import type { Config } from '../config/config.js';
import { loadSubjectIds } from '../config/subject-id-list.js';
import type { DeidOptions } from '../deid/options.js';
import { UNLISTED_PATIENTS, type SubjectIds, type UnlistedPatients } from '../deid/subject-ids.js';
import { UsageError } from './usage-error.js';

/** Pre-assigned subject IDs on the command line; DICOM_PATIENT_IDS and DICOM_UNLISTED_PATIENTS give the defaults. */
export const subjectIdFlags = {
  'patient-ids': { type: 'string' },
  'unlisted-patients': { type: 'string' },
} as const;

export const SUBJECT_ID_FLAGS_HELP = `  --patient-ids FILE   pre-assigned subject IDs (CSV: Original Patient ID,Subject ID[,Issuer of
                       Patient ID]) as Patient ID and Name instead of keyed pseudonyms
                       (default: DICOM_PATIENT_IDS); a malformed list stops before any file
  --unlisted-patients refuse|pseudonym
                       a patient not in the list: the file fails (refuse, the default) or
                       gets the keyed pseudonym (default: DICOM_UNLISTED_PATIENTS)`;

type FlagValues = { readonly [K in keyof typeof subjectIdFlags]?: string | undefined };

/**
 * The subject-ID list the flags (over the configuration) name, read and checked; none without one.
 *
 * @throws UsageError for a misused flag, SubjectIdListError (exit 1, like an unwritable --mapping file) for a list that cannot be used.
 */
export function subjectIdsFromFlags(values: FlagValues, config: Pick<Config, 'patientIds' | 'unlistedPatients'>, options: DeidOptions): SubjectIds | undefined {
  const file = values['patient-ids'] ?? config.patientIds;
  if (file === '') throw new UsageError('--patient-ids needs a file name');
  const unlisted = values['unlisted-patients'];
  if (unlisted !== undefined && !isUnlisted(unlisted)) throw new UsageError(`--unlisted-patients is one of ${UNLISTED_PATIENTS.join(', ')}`);
  if (file === undefined) {
    if (unlisted !== undefined) throw new UsageError('--unlisted-patients needs a subject-ID list: --patient-ids FILE or DICOM_PATIENT_IDS');
    return undefined;
  }
  // Keeping the patient data keeps the original Patient ID: a list would be silently ignored.
  if (!options.patient) throw new UsageError('--patient-ids (or DICOM_PATIENT_IDS) replaces the Patient ID, which --keep-patient (or DICOM_CLEAN_PATIENT=false) keeps: give one of them');
  return loadSubjectIds(file, unlisted ?? config.unlistedPatients);
}

function isUnlisted(value: string): value is UnlistedPatients {
  return (UNLISTED_PATIENTS as readonly string[]).includes(value);
}
