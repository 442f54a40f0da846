import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeFsError } from '../io/durable-files.js';

/** A configuration file's text and the SHA-256 of its bytes, by which outputs and batches name it. */
export interface ConfigFileText {
  readonly text: string;
  readonly sha256: string;
}

/**
 * Reads a configuration file (site rules, a region list) whole; `unreadable` makes the file's own
 * error from a problem that names no value (`cannot read the rules file: permission denied`).
 */
export function readConfigFileText(file: string, what: string, unreadable: (problem: string, cause: unknown) => Error): ConfigFileText {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw unreadable(`cannot read the ${what}: ${describeFsError(error)}`, error);
  }
  return { text: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
}
