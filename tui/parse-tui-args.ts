import path from 'node:path';
import { parseArgs } from 'node:util';
import { isLanguage, languageFromEnv } from './language.js';
import type { Language } from './messages.js';

export interface TuiArgs {
  readonly help: boolean;
  /** Absolute folder where the browser starts. */
  readonly startDir: string;
  /** Absolute output folder. */
  readonly outDir: string;
  readonly language: Language;
}

/** The output folder when --out is not given, relative to the working directory. */
export const DEFAULT_OUT_DIR = 'anonymized';

/** A command line mistake, with the message to show above the usage. */
export class TuiUsageError extends Error {
  override readonly name = 'TuiUsageError';
}

/** `dicom-tools tui [DIR] [--out DIR] [--lang en|de]`, resolved against `cwd`. */
export function parseTuiArgs(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): TuiArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        lang: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new TuiUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new TuiUsageError(`tui takes one folder, not ${positionals.length}`);
  if (values.lang !== undefined && !isLanguage(values.lang)) throw new TuiUsageError(`--lang must be en or de, not ${JSON.stringify(values.lang)}`);
  if (values.out === '') throw new TuiUsageError('--out needs a folder');
  return {
    help: values.help,
    startDir: path.resolve(cwd, positionals[0] ?? '.'),
    outDir: path.resolve(cwd, values.out ?? DEFAULT_OUT_DIR),
    language: values.lang !== undefined && isLanguage(values.lang) ? values.lang : languageFromEnv(env),
  };
}
