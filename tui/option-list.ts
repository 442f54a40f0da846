import type { DateMode, DeidOptions } from '../src/index.js';
import type { CheckboxOption } from './messages.js';

/** The product's six options, in its order. */
export const OPTION_ORDER: readonly (CheckboxOption | 'dates')[] = ['regenerateUids', 'removePrivate', 'patient', 'institution', 'study', 'dates'];

export const DATE_MODES: readonly DateMode[] = ['clear', 'keep', 'shift'];

/** The option switched (a checkbox) or stepped (dates: forward or back through clear, keep, shift). */
export function changeOption(options: DeidOptions, option: CheckboxOption | 'dates', step: 1 | -1 = 1): DeidOptions {
  if (option !== 'dates') return { ...options, [option]: !options[option] };
  const index = DATE_MODES.indexOf(options.dates);
  const next = DATE_MODES[(index + step + DATE_MODES.length) % DATE_MODES.length] ?? 'clear';
  return { ...options, dates: next };
}
