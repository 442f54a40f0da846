import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestMatch } from './closest-match.js';
import { UsageError } from './usage-error.js';

/**
 * Node's parseArgs, whose complaints about the command line (an unknown option, a missing value)
 * become a UsageError; an unknown option names the closest known one.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec((error as Error).message)?.[1] : undefined;
    if (unknown === undefined) throw new UsageError((error as Error).message, error);
    throw new UsageError(`unknown option ${unknown}${didYouMean(unknown, knownOptions(config))}`, error);
  }
}

/** ` (did you mean --out?)`, or nothing when no candidate is near `word`. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}

function knownOptions(config: ParseArgsConfig): string[] {
  return Object.entries(config.options ?? {}).flatMap(([name, option]) => [`--${name}`, ...(option.short === undefined ? [] : [`-${option.short}`])]);
}
