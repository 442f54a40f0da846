import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, optionConflict, type DeidOptions } from '../src/deid/options.js';
import { PROFILE_NAMES, profileOptions, STANDARD_OPTION_NAMES } from '../src/deid/standard-options.js';
import { LANGUAGES, MESSAGES } from '../tui/messages.js';
import { profileChoice, stepDates, stepProfile, toggleStandardOption, withStandardOptions } from '../tui/profile-choice.js';
import { optionText, refusalText } from '../tui/standard-option-text.js';

// The Configure step's PS3.15 choices: presets, options one by one, and the contradictions refused.

const RESEARCH = profileOptions('research');
const research: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: RESEARCH, profile: 'research' };

describe('TUI profile choice', () => {
  it('names the preset whose options are exactly the chosen ones, in any order, else custom', () => {
    expect(profileChoice(DEFAULT_OPTIONS)).toBe('basic');
    expect(profileChoice(research)).toBe('research');
    expect(profileChoice({ ...DEFAULT_OPTIONS, standardOptions: [...RESEARCH].reverse() })).toBe('research');
    expect(profileChoice({ ...DEFAULT_OPTIONS, standardOptions: RESEARCH.slice(1) })).toBe('custom');
    expect(profileChoice({ ...DEFAULT_OPTIONS, standardOptions: ['retain-uids'] })).toBe('custom');
  });

  it('steps Basic → Research → Basic, setting the options and the preset as --profile does', () => {
    const chosen = stepProfile(DEFAULT_OPTIONS, 1, undefined).options;
    expect(chosen).toEqual(research);
    expect(stepProfile(research, 1, undefined).options).toEqual(DEFAULT_OPTIONS);
    expect(stepProfile(research, -1, undefined).options).toEqual(DEFAULT_OPTIONS);
  });

  it('records the largest preset a custom set contains, in code order, as --profile P --option X would', () => {
    const more = withStandardOptions(DEFAULT_OPTIONS, ['retain-uids', ...RESEARCH]).options;
    expect(more?.profile).toBe('research');
    expect(more?.standardOptions).toEqual(STANDARD_OPTION_NAMES.filter((option) => option === 'retain-uids' || RESEARCH.includes(option)));
    const less = toggleStandardOption(research, RESEARCH[0] ?? 'retain-uids').options;
    expect(less).toEqual({ ...DEFAULT_OPTIONS, standardOptions: RESEARCH.slice(1) });
    expect(toggleStandardOption({ ...DEFAULT_OPTIONS, standardOptions: ['retain-uids'] }, 'retain-uids').options).toEqual(DEFAULT_OPTIONS);
  });

  it('steps to the custom set made before, and from it back to the presets', () => {
    const custom = ['retain-uids'] as const;
    const toCustom = stepProfile(research, 1, custom).options;
    expect(toCustom).toEqual({ ...DEFAULT_OPTIONS, standardOptions: custom });
    expect(stepProfile(toCustom ?? DEFAULT_OPTIONS, 1, undefined).options).toEqual(DEFAULT_OPTIONS);
    expect(stepProfile(DEFAULT_OPTIONS, -1, custom).options).toEqual(toCustom);
  });

  it('refuses a preset that contradicts the dates setting, and says which option of it does', () => {
    const keep: DeidOptions = { ...DEFAULT_OPTIONS, dates: 'keep' };
    const outcome = stepProfile(keep, 1, undefined);
    expect(outcome.options).toBeUndefined();
    expect(outcome.refused).toEqual({ conflict: optionConflict('keep', RESEARCH), preset: 'research' });
    expect(refusalText(MESSAGES.en, outcome.refused ?? { conflict: { option: 'retain-uids', with: 'keep' } }, 80)).toBe(
      'Research (Retain Modified Dates) and Dates: keep exclude each other.',
    );
  });

  it('refuses Full Dates with Modified Dates, and skips the dates mode an option contradicts', () => {
    const modified: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: ['retain-modified-dates'] };
    const refused = toggleStandardOption(modified, 'retain-full-dates');
    expect(refused.options).toBeUndefined();
    expect(refusalText(MESSAGES.de, refused.refused ?? { conflict: { option: 'retain-uids', with: 'keep' } }, 80)).toBe('Verschobene Daten behalten und Volle Daten behalten schließen sich aus.');
    const stepped = stepDates(modified, 1);
    expect(stepped.options?.dates).toBe('shift');
    expect(stepped.refused).toEqual({ conflict: { option: 'retain-modified-dates', with: 'keep' } });
    expect(stepDates({ ...modified, dates: 'shift' }, -1).options?.dates).toBe('clear');
  });

  it('fits every refusal into one line of 80 columns, in both languages', () => {
    for (const language of LANGUAGES) {
      const messages = MESSAGES[language];
      for (const preset of [undefined, ...PROFILE_NAMES]) {
        for (const conflict of [{ option: 'retain-modified-dates', with: 'keep' }, { option: 'retain-full-dates', with: 'shift' }, { option: 'retain-modified-dates', with: 'retain-full-dates' }] as const) {
          const text = refusalText(messages, preset === undefined ? { conflict } : { conflict, preset }, 80);
          expect([...text].length, text).toBeLessThanOrEqual(80);
        }
      }
      for (const option of STANDARD_OPTION_NAMES) expect(optionText(messages, option).label).not.toMatch(/Option$/);
    }
  });
});
