import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config-error.js';

const TRUE_WORDS = ['true', '1', 'yes'];
const FALSE_WORDS = ['false', '0', 'no'];

/**
 * The configuration's variables: the environment over the variables of a `.env` file (`process.env`
 * is never changed). An empty value counts as unset; a malformed one is a ConfigError naming it.
 */
export class EnvVariables {
  /** `HOME`, for `~/` in paths and the default data folder. */
  readonly home: string;

  /** `cwd` is the folder relative paths resolve against. */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly fromFile: Readonly<Record<string, string>>,
    private readonly cwd: string,
  ) {
    this.home = env['HOME'] || os.homedir();
  }

  text(name: string): string | undefined {
    const value = this.env[name] ?? this.fromFile[name];
    return value === '' ? undefined : value;
  }

  /** A path: `~/` is the home folder, and a relative path resolves against `cwd`. */
  path(name: string): string | undefined {
    const value = this.text(name);
    return value === undefined ? undefined : path.resolve(this.cwd, value === '~' ? this.home : value.startsWith('~/') ? path.join(this.home, value.slice(2)) : value);
  }

  /** @throws ConfigError for a word that is neither true nor false. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    throw new ConfigError(`${name} must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')} (any case), not ${JSON.stringify(value)}`, { variable: name });
  }

  /** @throws ConfigError for anything but a whole number from 1 to `max`. */
  wholeNumber(name: string, fallback: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const number = /^\s*[0-9]+\s*$/.test(value) ? Number(value) : NaN;
    if (number >= 1 && number <= max) return number;
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`, { variable: name });
  }
}
