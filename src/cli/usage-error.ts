import { DicomToolsError } from '../errors/dicom-tools-error.js';

/** A command-line mistake; the message is shown with a pointer to the command's help. */
export class UsageError extends DicomToolsError {
  readonly code = 'USAGE';
  readonly kind = 'abort';
}

/**
 * What stderr shows for a usage or configuration error: the message, then where the options are
 * described (the whole usage would bury the one line that matters). `command` is `anonymize`, or
 * undefined for the program itself.
 */
export function usageErrorText(command: string | undefined, message: string): string {
  const program = command === undefined ? 'dicom-tools' : `dicom-tools ${command}`;
  return `${program}: ${message}\nSee '${program} --help'.\n`;
}
