import path from 'node:path';
import { printableText, type FileResult } from '../src/index.js';

/** A failed file's reason with its path shortened to the file name ("a.dcm: File is truncated: …"). */
export function failureText(result: FileResult): string {
  const reason = result.reason ?? result.code ?? '';
  const name = path.basename(result.input);
  const text = reason.startsWith(`${result.input}: `) ? `${name}: ${reason.slice(result.input.length + 2)}` : reason.startsWith(name) ? reason : `${name}: ${reason}`;
  return printableText(text);
}
