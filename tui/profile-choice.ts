import { optionConflict, PROFILE_NAMES, profileOptions, STANDARD_OPTION_NAMES, type DateMode, type DeidOptions, type OptionConflict, type ProfileName, type StandardOption } from '../src/index.js';
import { DATE_MODES } from './option-list.js';

// The Configure step's choice of PS3.15 preset and standard options. Every change goes through
// here, so that a contradiction (Full vs Modified Dates, or one of them vs the dates setting) is
// refused with its reason instead of reaching the run.

/** What the profile row shows: a preset, or custom when the chosen options are no preset's. */
export type ProfileChoice = ProfileName | 'custom';

/** A change refused: the contradiction, and the preset it came with, if one did. */
export interface Refusal {
  readonly conflict: OptionConflict;
  readonly preset?: ProfileChoice;
}

/** The result of a change: the new options, or (and, when a choice was skipped) why not. */
export interface Outcome {
  readonly options?: DeidOptions;
  readonly refused?: Refusal;
}

export const chosenOptions = (options: DeidOptions): readonly StandardOption[] => options.standardOptions ?? [];

const sameSet = (a: readonly StandardOption[], b: readonly StandardOption[]) => a.length === b.length && a.every((option) => b.includes(option));

/** The preset whose options are exactly the chosen ones, else custom. */
export function profileChoice(options: DeidOptions): ProfileChoice {
  const chosen = chosenOptions(options);
  return PROFILE_NAMES.find((name) => sameSet(profileOptions(name), chosen)) ?? 'custom';
}

/** The largest preset the options contain: what `--profile P --option X` would record for them. */
function basePreset(chosen: readonly StandardOption[]): ProfileName {
  let base: ProfileName = 'basic';
  for (const name of PROFILE_NAMES) {
    const implied = profileOptions(name);
    if (implied.length > profileOptions(base).length && implied.every((option) => chosen.includes(option))) base = name;
  }
  return base;
}

/**
 * The options with `chosen` as their standard options (in code order) and the preset they
 * contain as `profile`; both absent when empty or basic, as the command line leaves them.
 */
export function withStandardOptions(options: DeidOptions, chosen: readonly StandardOption[], preset?: ProfileChoice): Outcome {
  const ordered = STANDARD_OPTION_NAMES.filter((name) => chosen.includes(name));
  const conflict = optionConflict(options.dates, ordered);
  if (conflict) return { refused: preset === undefined ? { conflict } : { conflict, preset } };
  const base = basePreset(ordered);
  const { standardOptions: _chosen, profile: _profile, ...product } = options;
  return { options: { ...product, ...(ordered.length > 0 ? { standardOptions: ordered } : {}), ...(base === 'basic' ? {} : { profile: base }) } };
}

/** One standard option switched on or off. */
export function toggleStandardOption(options: DeidOptions, option: StandardOption): Outcome {
  const chosen = chosenOptions(options);
  return withStandardOptions(options, chosen.includes(option) ? chosen.filter((name) => name !== option) : [...chosen, option]);
}

/**
 * The profile row stepped through the presets, and the custom set (the current one, else the last
 * one made) when there is one. A choice that contradicts the dates setting is skipped, and the
 * first skipped is reported; when every other choice contradicts, nothing changes.
 */
export function stepProfile(options: DeidOptions, step: 1 | -1, custom: readonly StandardOption[] | undefined): Outcome {
  const current = profileChoice(options);
  const customSet = current === 'custom' ? chosenOptions(options) : custom;
  const choices: readonly ProfileChoice[] = customSet === undefined ? PROFILE_NAMES : [...PROFILE_NAMES, 'custom'];
  const from = choices.indexOf(current);
  let refused: Refusal | undefined;
  for (let distance = 1; distance < choices.length; distance++) {
    const choice = choices[(from + step * distance + choices.length * distance) % choices.length] ?? 'basic';
    const outcome = withStandardOptions(options, choice === 'custom' ? (customSet ?? []) : profileOptions(choice), choice);
    if (outcome.options) return refused ? { options: outcome.options, refused } : outcome;
    refused ??= outcome.refused;
  }
  return refused ? { refused } : {};
}

/** The dates mode stepped through clear, keep, shift; a mode that contradicts a chosen option is skipped and reported. */
export function stepDates(options: DeidOptions, step: 1 | -1): Outcome {
  const chosen = chosenOptions(options);
  const from = DATE_MODES.indexOf(options.dates);
  let refused: Refusal | undefined;
  for (let distance = 1; distance < DATE_MODES.length; distance++) {
    const dates: DateMode = DATE_MODES[(from + step * distance + DATE_MODES.length * distance) % DATE_MODES.length] ?? 'clear';
    const conflict = optionConflict(dates, chosen);
    if (!conflict) return refused ? { options: { ...options, dates }, refused } : { options: { ...options, dates } };
    refused ??= { conflict };
  }
  return refused ? { refused } : {};
}
