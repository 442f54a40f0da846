import { LANGUAGES, type Language } from './messages.js';

/** Whether `value` names a language the TUI speaks. */
export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language from the locale: German when the first of LC_ALL, LC_MESSAGES and LANG that is set
 * starts with "de" (de_DE.UTF-8, de_AT, de), English otherwise.
 */
export function languageFromEnv(env: NodeJS.ProcessEnv): Language {
  const locale = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((value) => value !== undefined && value !== '') ?? '';
  return /^de(?:[_.@-]|$)/i.test(locale) ? 'de' : 'en';
}
