import { afterEach, describe, expect, it } from 'vitest';
import { themeFromEnv } from '../tui/theme.js';

// NO_COLOR (no-color.org): Ink's chalk ignores it, so the TUI passes no colour itself. Colour is
// forced on for this file so that the difference shows in the frames.
process.env['FORCE_COLOR'] = '1';
const { cleanupApps, createWorkspace, renderApp } = await import('./helpers/ink-app.js');
const { waitForFrame } = await import('./helpers/ink-keys.js');

afterEach(cleanupApps);

/** SGR sequences that set a foreground or background colour (30-38, 40-48, 90-97, 100-107); 39 and 49 only reset it. */
const COLOR_SGR = /\u001B\[(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;

describe('TUI colour', () => {
  it('takes NO_COLOR set to anything but the empty string as no colour', () => {
    expect(themeFromEnv({ NO_COLOR: '1' }).color).toBe(false);
    expect(themeFromEnv({ NO_COLOR: 'yes' }).color).toBe(false);
    expect(themeFromEnv({ NO_COLOR: '' }).color).toBe(true);
    expect(themeFromEnv({}).color).toBe(true);
  });

  it('draws in colour by default and without any colour under NO_COLOR, with the same text', async () => {
    const colored = renderApp(createWorkspace(), { theme: themeFromEnv({}) });
    const withColor = await waitForFrame(colored, 'report.dcm');
    expect(withColor).toMatch(COLOR_SGR);
    const plain = renderApp(createWorkspace(), { theme: themeFromEnv({ NO_COLOR: '1' }) });
    const withoutColor = await waitForFrame(plain, 'report.dcm');
    expect(withoutColor).not.toMatch(COLOR_SGR);
    const strip = (frame: string) => frame.replace(/\u001B\[[0-9;]*m/g, '').replace(/tui-[A-Za-z0-9]+/g, 'tui-X').replace(/ +$/gm, '');
    expect(strip(withoutColor)).toBe(strip(withColor));
  });
});
