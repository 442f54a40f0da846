/** Colours by role; `undefined` everywhere when colour is off. */
export interface Theme {
  readonly color: boolean;
  readonly accent: string | undefined;
  readonly ok: string | undefined;
  readonly error: string | undefined;
  readonly warning: string | undefined;
  readonly muted: boolean;
}

export type Tone = 'accent' | 'ok' | 'error' | 'warning';

const COLOR: Theme = { color: true, accent: 'cyan', ok: 'green', error: 'red', warning: 'yellow', muted: true };
const PLAIN: Theme = { color: false, accent: undefined, ok: undefined, error: undefined, warning: undefined, muted: false };

/**
 * Colour unless NO_COLOR is set to anything but the empty string (no-color.org). Ink's chalk does
 * not read NO_COLOR, so the TUI passes no colour at all then; bold and inverse stay, and every
 * state (cursor, checkbox, selection) is also shown in plain characters.
 */
export function themeFromEnv(env: NodeJS.ProcessEnv): Theme {
  const noColor = env['NO_COLOR'];
  return noColor !== undefined && noColor !== '' ? PLAIN : COLOR;
}
