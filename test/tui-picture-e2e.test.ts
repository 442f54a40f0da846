import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusDir } from './helpers/corpus.js';
import { HAS_TMUX, TmuxServer } from './helpers/tmux-tui.js';

// The picture view of the built program in a real terminal (helpers/tmux-tui.ts): an 80×24 pane,
// made 60×16 while the picture shows. capture-pane -e keeps the colours the program drew.

const SECRET = 'e2e-test-secret-0123456789';
const US = 'dicomparser_IM00001.implicit_little_endian.dcm';
const CAPTION = (frame: number) => `frame ${frame}/8  320×240  RGB  region: ultrasound regions`;

const server = new TmuxServer();
const roots: string[] = [];

afterAll(() => {
  server.close();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * The pane's lines of half blocks, and how many of them set a 24-bit colour (tmux writes only the
 * colours that change from the cell before, so a line may set just its background).
 */
function halfBlocks(screen: string): { readonly lines: readonly string[]; readonly truecolor: number } {
  const lines = screen.split('\n').filter((line) => line.includes('▀'));
  return { lines, truecolor: lines.filter((line) => /\u001B\[(?:[0-9;]*;)?[34]8;2;\d+;\d+;\d+/.test(line)).length };
}

describe.skipIf(!HAS_TMUX)(HAS_TMUX ? 'dicom-tools tui picture view in a real terminal (tmux)' : 'dicom-tools tui picture view in a real terminal: SKIPPED, tmux is not installed', () => {
  it('opens the picture with p, in colour half blocks within the pane, steps a frame, refits at 60×16, and closes with Esc', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tui-picture-e2e-'));
    roots.push(root);
    mkdirSync(path.join(root, 'in'));
    copyFileSync(path.join(corpusDir, US), path.join(root, 'in', US));
    server.startTui('picture', root, SECRET, { COLORTERM: 'truecolor' }, { size: [80, 24] });
    await server.waitForScreen('picture', '1-2 of 2'); // listed: a key before that acts on the lone ".." row
    await server.key('picture', 'Down', `› [ ] ${US}`);
    let shown = await server.key('picture', 'p', CAPTION(1));
    expect(shown).toContain(`Picture: ${US}`);
    let colours = halfBlocks(server.screen('picture', true));
    // 320×240 in 80 columns and 19 lines: 51 half blocks a line, every line in 24-bit colour.
    expect(colours.lines).toHaveLength(19);
    expect(colours.truecolor).toBe(19);
    expect(halfBlocks(shown).lines.every((line) => line.trimEnd() === '▀'.repeat(51))).toBe(true);
    await server.key('picture', 'Right', CAPTION(2));
    server.tmux('resize-window', '-t', 'picture', '-x', '60', '-y', '16');
    shown = await server.waitForScreen('picture', CAPTION(2));
    await expect.poll(() => halfBlocks(server.screen('picture')).lines.length, { timeout: 10_000 }).toBe(11);
    colours = halfBlocks(server.screen('picture', true));
    expect(colours.truecolor).toBe(11);
    expect(halfBlocks(server.screen('picture')).lines.every((line) => line.trimEnd() === '▀'.repeat(29))).toBe(true);
    shown = await server.key('picture', 'Escape', 'Selected: 0 files');
    expect(shown).not.toContain('▀');
    await server.key('picture', 'q', 'exit status 0');
  });
});
