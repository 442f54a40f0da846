/** What to do with dates and times: remove per the profile, keep, or shift per patient. */
export type DateMode = 'clear' | 'keep' | 'shift';

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
  /** Patient ID and Name come from a pre-assigned subject-ID list (see subject-ids.ts), not keyed pseudonyms. */
  readonly subjectIds?: boolean;
}

export const DEFAULT_OPTIONS: DeidOptions = {
  regenerateUids: true,
  removePrivate: true,
  patient: true,
  institution: true,
  study: true,
  dates: 'clear',
};

/** A short, PHI-free description of the options, for markers, logs and the mapping store. */
export function describeOptions(options: DeidOptions): string[] {
  const parts: string[] = [];
  if (!options.regenerateUids) parts.push('UIDs retained');
  if (!options.removePrivate) parts.push('private tags retained');
  if (!options.patient) parts.push('patient data retained');
  if (!options.institution) parts.push('institution data retained');
  if (!options.study) parts.push('study data retained');
  if (options.dates === 'keep') parts.push('dates retained');
  if (options.dates === 'shift') parts.push('dates shifted');
  if (options.subjectIds === true) parts.push('pre-assigned subject IDs');
  return parts;
}
