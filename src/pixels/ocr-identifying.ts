import { textsAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';

/**
 * The attributes whose values OCR looks for among the words burned into an image: the patient's
 * names and IDs, the dates a screen shows, the accession number and study ID, the institution and
 * the staff. Names are taken by component, so "DOE" and "JANE" are each found.
 */
const IDENTIFYING: readonly Tag[] = [
  0x00100010, // PatientName
  0x00100020, // PatientID
  0x00101000, // OtherPatientIDs
  0x00101001, // OtherPatientNames
  0x00101005, // PatientBirthName
  0x00101060, // PatientMotherBirthName
  0x00100030, // PatientBirthDate
  0x00080050, // AccessionNumber
  0x00200010, // StudyID
  0x00080020, // StudyDate
  0x00080021, // SeriesDate
  0x00080022, // AcquisitionDate
  0x00080023, // ContentDate
  0x00080080, // InstitutionName
  0x00080090, // ReferringPhysicianName
  0x00081050, // PerformingPhysicianName
  0x00081070, // OperatorsName
];

/** The file's own identifying values for OCR to match (top level), each value and each name component. */
export function ocrIdentifyingValues(file: DicomFile): string[] {
  const texts = textsAt(file, []);
  const values = new Set<string>();
  for (const tag of IDENTIFYING) {
    for (const value of texts(tag)) {
      const trimmed = value.trim();
      if (trimmed === '') continue;
      values.add(trimmed);
      for (const part of trimmed.split(/[\^=\s]+/)) if (part !== '') values.add(part);
    }
  }
  return [...values];
}
