import { DicomToolsError } from '../errors/dicom-tools-error.js';
import type { DeidOptions } from './options.js';
import type { PatientKey, Pseudonymizer } from './pseudonyms.js';

/** What happens to a patient the subject-ID list does not name: the file fails, or gets the keyed pseudonym. */
export type UnlistedPatients = 'refuse' | 'pseudonym';

export const UNLISTED_PATIENTS: readonly UnlistedPatients[] = ['refuse', 'pseudonym'];

/** One row of a subject-ID list. `issuer` undefined: the Patient ID matches whatever its issuer. */
export interface SubjectIdEntry {
  readonly originalId: string;
  readonly issuer: string | undefined;
  readonly subjectId: string;
}

/**
 * Pre-assigned subject IDs: plain data, so that it reaches worker threads as it is. Its entries
 * are patient data, like the mapping: never logged, never in a message.
 */
export interface SubjectIds {
  /** The list's file, named in messages. */
  readonly source: string;
  readonly entries: readonly SubjectIdEntry[];
  readonly unlisted: UnlistedPatients;
}

/** A file whose patient the subject-ID list does not name; the message names the list, never the patient. */
export class UnlistedPatientError extends DicomToolsError {
  readonly code = 'UNLISTED_PATIENT';
  readonly kind = 'abort';

  constructor(source: string) {
    super(`patient not in the subject-ID list ${source} (add the patient to the list, or give --unlisted-patients pseudonym)`);
  }
}

/**
 * The Patient ID and Name a patient gets: the subject ID the list assigns, else (without a list,
 * or when unlisted patients get one) the keyed pseudonym.
 *
 * @throws UnlistedPatientError when the list does not name the patient and unlisted patients are refused.
 */
export function patientPseudonym(patientKey: PatientKey, patientId: string, keys: Pseudonymizer, subjects: SubjectIds | undefined): string {
  if (!subjects) return keys.patient(patientKey);
  // Matched on the file's own Patient ID, not on the key: a file without one (its key made from name
  // and birth date) is never listed.
  const id = patientId.trim();
  const lookup = lookupFor(subjects);
  const subjectId = id === '' ? undefined : (lookup.get(entryKey(id, patientKey.issuer)) ?? lookup.get(entryKey(id, undefined)));
  if (subjectId !== undefined) return subjectId;
  if (subjects.unlisted === 'pseudonym') return keys.patient(patientKey);
  throw new UnlistedPatientError(subjects.source);
}

/**
 * The options with the subject-ID list noted, so the De-identification Method says how patients were
 * renamed; when the patient data is kept, no list is used, and none is noted.
 */
export function optionsWithSubjectIds(options: DeidOptions, subjects: SubjectIds | undefined): DeidOptions {
  return subjects && options.patient ? { ...options, subjectIds: true } : options;
}

// One lookup per list object: every file of a batch (and of a worker thread) asks.
const lookups = new WeakMap<SubjectIds, Map<string, string>>();

function lookupFor(subjects: SubjectIds): Map<string, string> {
  let lookup = lookups.get(subjects);
  if (!lookup) {
    lookup = new Map(subjects.entries.map((entry) => [entryKey(entry.originalId, entry.issuer), entry.subjectId]));
    lookups.set(subjects, lookup);
  }
  return lookup;
}

/** A list without an issuer for an ID matches the ID under any issuer: the key says "any" apart from every issuer. */
function entryKey(id: string, issuer: string | undefined): string {
  return issuer === undefined ? `${id}\u0000*` : `${id}\u0000=${issuer}`;
}
