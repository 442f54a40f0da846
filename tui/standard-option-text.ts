import { STANDARD_OPTIONS, type StandardOption } from '../src/index.js';
import type { Messages } from './messages.js';
import type { ProfileChoice, Refusal } from './profile-choice.js';

// The words for the standard options and presets. The engine's list can grow before the texts
// do: an option without a text is shown by its CID 7050 meaning (test/tui-units.test.ts checks
// that every option has a text in both languages).

export interface OptionText {
  readonly label: string;
  readonly description: string;
}

export function optionText(messages: Messages, option: StandardOption): OptionText {
  const { meaning } = STANDARD_OPTIONS[option];
  return messages.standardOptions[option] ?? { label: meaning.replace(/ Option$/, ''), description: meaning };
}

export function profileName(messages: Messages, choice: ProfileChoice): string {
  return messages.profiles.names[choice] ?? choice;
}

/**
 * The one line that says why a change was refused: the two choices that contradict each other. A
 * preset is named with its option in it, or alone when that would not fit in `width`.
 */
export function refusalText(messages: Messages, { conflict, preset }: Refusal, width: number): string {
  const option = optionText(messages, conflict.option).label;
  // The other side is the Full Dates option, or a mode of the product's dates setting.
  const second = conflict.with === 'retain-full-dates' ? optionText(messages, conflict.with).label : `${messages.options.dates.label}: ${messages.dateModes[conflict.with]}`;
  if (preset === undefined) return messages.advanced.conflict(option, second);
  const named = messages.advanced.conflict(`${profileName(messages, preset)} (${option})`, second);
  return [...named].length <= width ? named : messages.advanced.conflict(profileName(messages, preset), second);
}
