import path from 'node:path';
import type { LogNames, Pseudonymizer } from '../src/index.js';

/**
 * How the daemon's log, status and quarantine name an upload. Hospital exports often carry the
 * patient's name in the file name (SMITH_JOHN_PID12345.dcm), so by default (DICOM_LOG_NAMES=hide)
 * an upload is named by its keyed id (Pseudonymizer.uploadId of its path in Sources), which its
 * mapping row and quarantine reason file carry too; `show` names it by its path.
 */
export class UploadNames {
  constructor(
    private readonly sourcesDir: string,
    private readonly keys: Pseudonymizer,
    private readonly mode: LogNames,
  ) {}

  /** Whether the log names uploads by their paths (DICOM_LOG_NAMES=show). */
  get shown(): boolean {
    return this.mode === 'show';
  }

  /** The upload's id: the same for the same path in Sources, whatever the mode. */
  id(file: string): string {
    return this.keys.uploadId(path.relative(this.sourcesDir, file));
  }

  /** The upload as the log and status name it. */
  of(file: string): string {
    return this.mode === 'show' ? file : this.id(file);
  }

  /**
   * `text` (a reason naming the upload by its path) with the upload named as the log names it; when
   * names are hidden, other files of its folder (its output) by their file names, as the folder's name may carry one.
   */
  in(text: string, file: string): string {
    if (this.mode === 'show') return text;
    return text.replaceAll(file, this.id(file)).replaceAll(`${path.dirname(file)}${path.sep}`, '');
  }

  /** An output as the log names it: its path, or, when names are hidden, its file name (made of new UIDs; its folder may carry a name). */
  output(output: string): string {
    return this.mode === 'show' ? output : path.basename(output);
  }

  /** Log fields naming the upload: its id always, its path only when names are shown. */
  fields(file: string): { readonly upload: string; readonly file?: string } {
    return this.mode === 'show' ? { upload: this.id(file), file } : { upload: this.id(file) };
  }
}
