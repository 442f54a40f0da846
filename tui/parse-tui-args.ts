import path from 'node:path';
import { mappingUrlFlag, parseCommandArgs, UsageError } from '../src/index.js';
import { isLanguage, languageFromEnv } from './language.js';
import type { Language } from './messages.js';

export interface TuiArgs {
  readonly help: boolean;
  /** Absolute folder where the browser starts. */
  readonly startDir: string;
  /** Absolute output folder. */
  readonly outDir: string;
  readonly language: Language;
  /** `--mapping-url`, unchecked: storeConfigFrom checks it against the configuration. */
  readonly mappingUrl: string | undefined;
}

/** The output folder when --out is not given, relative to the working directory. */
export const DEFAULT_OUT_DIR = 'anonymized';

/** `dicom-tools tui [DIR] [--out DIR] [--lang en|de] [--mapping-url URL]`, resolved against `cwd`. */
export function parseTuiArgs(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): TuiArgs {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      lang: { type: 'string' },
      ...mappingUrlFlag,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`tui takes one folder, not ${positionals.length}`);
  if (values.lang !== undefined && !isLanguage(values.lang)) throw new UsageError(`--lang must be en or de, not ${JSON.stringify(values.lang)}`);
  if (values.out === '') throw new UsageError('--out needs a folder');
  return {
    help: values.help,
    startDir: path.resolve(cwd, positionals[0] ?? '.'),
    outDir: path.resolve(cwd, values.out ?? DEFAULT_OUT_DIR),
    language: values.lang !== undefined && isLanguage(values.lang) ? values.lang : languageFromEnv(env),
    mappingUrl: values['mapping-url'],
  };
}
