import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPixelRegions } from '../src/config/pixel-regions-file.js';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { corpusDir } from './helpers/corpus.js';
import { cleanupApps, createWorkspace, renderApp, renderAppInTerminal, waitForStartFolder, type RenderedApp } from './helpers/ink-app.js';
import { KEYS, lines, lineWith, press, waitForFrame, type InkHandle } from './helpers/ink-keys.js';

// The picture view (p): a corpus ultrasound file (RGB, 8 frames of 320×240, two ultrasound regions)
// drawn in half blocks in the pick step and in the review, at 80×24 and 60×16.

afterEach(cleanupApps);

const US = 'dicomparser_IM00001.implicit_little_endian.dcm';
const INPUT = { [US]: US, 'notes.txt': { text: 'not an image\n' }, 'series/report.dcm': 'fodicom_GH178.dcm' };
/** Colours fixed, whatever terminal runs the tests. */
const TRUECOLOR = { deps: { pictureColours: 'truecolor' } } as const;

const strip = (line: string) => line.replace(/\u001B\[[0-9;]*m/g, '');
const caption = (frame: number, tail = '') => `frame ${frame}/8  320×240  RGB  region: ultrasound regions${tail}`;

/** The picture's lines: those between the heading (line 1) and the caption. */
function pictureLines(frame: string): string[] {
  const all = frame.split('\n');
  const captionAt = all.findIndex((line) => /^(frame|Bild) \d+\/\d+ /.test(strip(line)));
  expect(captionAt, frame).toBeGreaterThan(2);
  return all.slice(2, captionAt);
}

/** The browser's rows: series/, the ultrasound file, notes.txt. */
async function openPicture(app: InkHandle): Promise<string> {
  await waitForStartFolder(app);
  await press(app, KEYS.end, '› [ ] notes.txt');
  await press(app, KEYS.up, '› [ ] dicomparser_IM00001');
  return press(app, 'p', caption(1));
}

/** The caption line (there is one). */
const captionLine = (frame: string) => lines(strip(frame)).find((line) => /^(frame|Bild) \d+\/\d+ /.test(line));

describe('TUI picture view (p)', () => {
  it('draws the focused file with its regions outlined in 80×24: heading, 19 lines of half blocks, the caption, the keys', async () => {
    const app = renderApp(createWorkspace(INPUT), TRUECOLOR);
    const frame = await openPicture(app);
    const shown = lines(strip(frame));
    expect(shown).toHaveLength(23);
    expect(shown[1]).toBe(`Picture: ${US}`);
    // 320×240 in 80 columns and 19 lines (38 pixel rows): 51×38.
    const picture = pictureLines(frame);
    expect(picture.map(strip)).toEqual(Array.from({ length: 19 }, () => '▀'.repeat(51)));
    for (const line of picture) expect(line).toMatch(/\u001B\[38;2;\d+;\d+;\d+m/);
    expect(picture.join('\n')).toContain('\u001B[48;2;0;255;255m'); // the cyan outline of the ultrasound regions, which are kept
    expect(shown[21]).toBe(caption(1));
    expect(shown[22]).toBe('← → [ ] frame · a before/after · Esc back · ? help');
    // Only the file name, frame, size and photometric interpretation: not the Patient's Name.
    expect(dcmdumpValue(path.join(corpusDir, US), 'PatientName')).toBe('US Echo');
    expect(frame).not.toContain('US Echo');
  });

  it('steps frames with → ← ] [ Home End, shows the regions filled with a, and closes with Esc onto the same row', async () => {
    const app = renderApp(createWorkspace(INPUT), TRUECOLOR);
    const first = await openPicture(app);
    const second = await press(app, KEYS.right, caption(2));
    expect(pictureLines(second)).not.toEqual(pictureLines(first));
    await press(app, ']', caption(3));
    await press(app, '[', caption(2));
    await press(app, KEYS.left, caption(1));
    await press(app, KEYS.end, caption(8));
    app.stdin.write(KEYS.right); // the last frame stays the last
    await press(app, '[', caption(7));
    await press(app, KEYS.end, caption(8));
    await press(app, KEYS.home, caption(1));
    const after = await press(app, 'a', caption(1, '  (after cleaning)'));
    // Outside the kept regions everything is filled black; inside, the picture is as it was.
    expect(pictureLines(after)).not.toEqual(pictureLines(first));
    expect(pictureLines(after)[0]).toMatch(/^\u001B\[38;2;0;0;0m\u001B\[48;2;0;0;0m▀+/);
    await press(app, 'a', (frame) => frame.includes(caption(1)) && !frame.includes('after cleaning'));
    const back = await press(app, KEYS.escape, 'Selected: 0 files');
    expect(lineWith(back, US)).toMatch(/^› \[ \] dicomparser_IM00001/);
    expect(lines(back)[22]).toBe('Space select · a all · Enter open · / filter · p picture · Tab next · ? help');
  });

  it('draws an encapsulated file through its codec (JPEG Baseline, loaded when first needed)', async () => {
    const jpeg = 'dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm';
    const app = renderApp(createWorkspace({ [jpeg]: jpeg }), TRUECOLOR);
    await waitForStartFolder(app);
    await press(app, KEYS.down, '› [ ] dicomparser_IM00001');
    let frame = await press(app, 'p', 'frame 1/8  320×240  YBR_FULL  region: ultrasound regions');
    expect(pictureLines(frame).map(strip)).toEqual(Array.from({ length: 19 }, () => '▀'.repeat(51)));
    frame = await press(app, ']', 'frame 2/8  320×240  YBR_FULL  region: ultrasound regions');
  });

  it("outlines the site's region list (DICOM_PIXEL_REGIONS) before the shipped one, naming its entry", async () => {
    const workspace = createWorkspace(INPUT);
    const list = path.join(workspace.root, 'regions.json');
    writeFileSync(list, JSON.stringify({ signatures: [{ label: 'site US banner', match: { tag: '00080060', test: 'equals', value: 'US' }, regions: [[0, 0, 320, 24]] }] }));
    const app = renderApp(workspace, { ...TRUECOLOR, defaults: { ...DEFAULT_OPTIONS, pixelRegions: readPixelRegions(list) } });
    await waitForStartFolder(app);
    await press(app, KEYS.end, '› [ ] notes.txt');
    await press(app, KEYS.up, '› [ ] dicomparser_IM00001');
    const frame = await press(app, 'p', 'region: site US banner');
    expect(captionLine(frame)).toBe('frame 1/8  320×240  RGB  region: site US banner');
    expect(pictureLines(frame)[0]).toContain('\u001B[38;2;255;255;0m'); // the yellow outline of a region that is blanked
  });

  it('fits 60×16: 11 lines of 29 half blocks, the caption whole; and refits when the terminal is resized', async () => {
    const small = renderApp(createWorkspace(INPUT), { ...TRUECOLOR, size: { columns: 60, rows: 16 } });
    const frame = await openPicture(small);
    expect(lines(strip(frame))).toHaveLength(15);
    expect(pictureLines(frame).map(strip)).toEqual(Array.from({ length: 11 }, () => '▀'.repeat(29)));
    expect(lines(strip(frame))[13]).toBe(caption(1));
    const terminal = renderAppInTerminal(createWorkspace(INPUT), 80, 24, TRUECOLOR);
    await openPicture(terminal);
    expect(pictureLines(terminal.lastFrame() ?? '')).toHaveLength(19);
    terminal.resize(60, 16);
    const resized = await waitForFrame(terminal, (shown) => shown.includes(caption(1)) && pictureLines(shown).length === 11);
    for (const line of lines(strip(resized))) expect([...line].length).toBeLessThanOrEqual(60);
  });

  it('says in one line why a file has no picture, and that a folder has none', async () => {
    const app = renderApp(createWorkspace(INPUT), TRUECOLOR);
    await waitForStartFolder(app);
    await press(app, KEYS.end, '› [ ] notes.txt');
    let frame = await press(app, 'p', 'notes.txt: ');
    // One message, wrapped rather than cut: its end says what is wrong.
    expect(lines(frame).slice(1, 5)).toEqual([
      'Picture: notes.txt',
      'notes.txt: File not recognized as DICOM: no DICM prefix at byte 128 and the',
      'first bytes are not a DICOM data set element (byte offset 0)',
      '',
    ]);
    await press(app, KEYS.escape, 'Selected: 0 files');
    await press(app, KEYS.home, '›     .. (up)');
    await press(app, KEYS.down, '› [ ] series/');
    frame = await press(app, 'p', 'p shows the picture of a file: move to one first.');
    await press(app, KEYS.enter, 'report.dcm');
    await press(app, KEYS.down, '› [ ] report.dcm');
    frame = await press(app, 'p', 'report.dcm: ');
    expect(lines(frame)[2]).toBe('report.dcm: Unsupported DICOM: the file has no Pixel Data (at (7FE0,0010))');
  });

  it('lists its keys in the help (German), which closes back onto the picture', async () => {
    const app = renderApp(createWorkspace(INPUT), { ...TRUECOLOR, language: 'de' });
    await waitForStartFolder(app);
    await press(app, KEYS.end, '› [ ] notes.txt');
    await press(app, KEYS.up, `› [ ] ${US}`);
    let frame = await press(app, 'p', 'Bild 1/8  320×240  RGB  Region: ultrasound regions');
    expect(lines(strip(frame))[1]).toBe(`Bild: ${US}`);
    expect(lines(frame)[22]).toBe('← → [ ] Bild · a vorher/nachher · Esc zurück · ? Hilfe');
    frame = await press(app, KEYS.right, 'Bild 2/8');
    frame = await press(app, '?', 'Beliebige Taste schließt.');
    expect(lines(frame).slice(1, 8)).toEqual([
      'Tasten',
      'Bild',
      '  ← →, [ ]      vorheriges oder nächstes Bild',
      '  Pos1 Ende     erstes oder letztes Bild',
      '  a             nach Bereinigung (Regionen gefüllt) oder anonymisierte Kopie',
      '  Esc, p        Bild schließen',
      '',
    ]);
    await press(app, 'x', 'Bild 2/8  320×240  RGB  Region: ultrasound regions');
  });

  it('shows in the review the original and, with a, the anonymized copy, cleaned; from the table and from before/after', async () => {
    const workspace = createWorkspace({ [US]: US });
    const app = renderApp(workspace, { ...TRUECOLOR, defaults: { ...DEFAULT_OPTIONS, standardOptions: ['clean-pixel-data'] } });
    await waitForStartFolder(app);
    await press(app, 'a', 'Selected 1 DICOM file.');
    await press(app, KEYS.tab, '[2 Configure]');
    await press(app, KEYS.enter, '[3 Anonymize]');
    await waitForFrame(app, 'Done: 1 anonymized, 0 failed');
    let frame = await press(app, KEYS.enter, '[4 Review & download]');
    expect(lines(frame)[22]).toBe('Enter before/after · p picture · z ZIP · m mapping CSV · Esc options · ? help');
    const before = await press(app, 'p', caption(1));
    expect(lines(strip(before))[1]).toBe(`Before (original): ${US}`);
    await press(app, 'a', 'After (anonymized): ');
    const after = await waitForFrame(app, (shown) => captionLine(shown) !== undefined);
    expect(lines(strip(after))[1]).toMatch(/^After \(anonymized\): 2\.25\.\d+\.dcm$/);
    // The copy as written: outside the kept ultrasound regions the pixels are black; its caption is the copy's.
    expect(captionLine(after)).toBe(caption(1));
    expect(pictureLines(after)[0]).toMatch(/^\u001B\[38;2;0;0;0m\u001B\[48;2;0;0;0m▀+/);
    expect(pictureLines(after)).not.toEqual(pictureLines(before));
    await press(app, KEYS.escape, 'Enter before/after');
    await press(app, KEYS.enter, 'Before and after: ');
    frame = await press(app, 'p', caption(1));
    expect(lines(strip(frame))[1]).toBe(`Before (original): ${US}`);
    frame = await press(app, KEYS.escape, 'Before and after: ');
    expect(lines(frame)[22]).toBe('↑ ↓ scroll · c only changes · p picture · Esc back · ? help');
  });
});

/** One attribute's value as DCMTK reads it. */
function dcmdumpValue(file: string, keyword: string): string {
  const line = execFileSync('dcmdump', ['+P', keyword, file], { encoding: 'utf8' });
  return /\[(.*)\]/.exec(line)?.[1] ?? '';
}

export type { RenderedApp };
