import type { DateMode, DeidOptions } from '../src/index.js';
import type { CheckboxOption } from './messages.js';

/** The product's six options, in its order. */
export const OPTION_ORDER: readonly (CheckboxOption | 'dates')[] = ['regenerateUids', 'removePrivate', 'patient', 'institution', 'study', 'dates'];

/** The rows of the Configure step: the six options, then the PS3.15 profile and the row that opens its options. */
export type ConfigureRow = CheckboxOption | 'dates' | 'profile' | 'advanced';

export const CONFIGURE_ROWS: readonly ConfigureRow[] = [...OPTION_ORDER, 'profile', 'advanced'];

export const DATE_MODES: readonly DateMode[] = ['clear', 'keep', 'shift'];

/** A checkbox switched. (Dates step through their modes in profile-choice.ts, which knows the options they can contradict.) */
export function changeOption(options: DeidOptions, option: CheckboxOption): DeidOptions {
  return { ...options, [option]: !options[option] };
}
