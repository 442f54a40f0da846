import { textAt } from '../dicom/element-access.js';
import { DicomError } from '../dicom/errors.js';
import { readDicomFile, type DicomFile } from '../dicom/read-file.js';
import { DEIDENTIFICATION_METHOD, methodText } from '../deid/markers.js';
import { DEFAULT_OPTIONS } from '../deid/options.js';

// The first value of our De-identification Method names the tool, whatever the options.
const OUR_METHOD = methodText(DEFAULT_OPTIONS)[0];

/**
 * Whether a file is one of our de-identified outputs: its De-identification Method (0012,0063)
 * starts with our tool's name. Patient Identity Removed (0012,0062) YES is not required: we write it
 * only when the patient group is cleaned, so outputs made with `--keep-patient` would not count.
 * A file that cannot be read as DICOM is not one of ours.
 */
export function isOurOutput(filePath: string): boolean {
  try {
    return isOurOutputFile(readDicomFile(filePath));
  } catch (error) {
    if (error instanceof DicomError) return false;
    throw error;
  }
}

/** Whether a file already read carries our De-identification Method (see isOurOutput). */
export function isOurOutputFile(file: DicomFile): boolean {
  return textAt(file, [], DEIDENTIFICATION_METHOD)[0] === OUR_METHOD;
}
