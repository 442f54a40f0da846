import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { corpusDir } from './helpers/corpus.js';
import { findDicomFiles } from '../tui/find-dicom-files.js';
import { cleanupApps, createWorkspace, renderApp, waitForStartFolder } from './helpers/ink-app.js';
import { KEYS, lines, lineWith, press, type, waitForFrame } from './helpers/ink-keys.js';

// Step 1, the folder browser, on real folders with corpus files (STANDARD_INPUT: report.dcm,
// greek.dcm, series/noextension, notes.txt).

afterEach(cleanupApps);

/** A browser line with its column padding squeezed to single spaces. */
const squeeze = (line: string) => line.replace(/ {2,}/g, ' ').trimEnd();

describe('TUI step 1: pick files', () => {
  it('lists folders first, then files with size and whether each is DICOM by content, in 80 columns', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    const frame = await waitForFrame(app, 'report.dcm');
    expect(lines(frame).slice(0, 8)).toEqual([
      'DICOM Tools  [1 Pick files]  2 Configure  3 Anonymize  4 Review & download',
      workspace.input,
      '›     .. (up)',
      '  [ ] series/                                                         folder',
      '  [ ] greek.dcm                                                1.9 KB DICOM',
      '  [ ] notes.txt                                                  13 B not DICOM',
      '  [ ] report.dcm                                               2.8 KB DICOM',
      '',
    ]);
    expect(Math.max(...lines(frame).map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(lines(frame)).toHaveLength(23); // 24 rows, one left free so Ink never clears the screen
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 0 files, 0 B');
    expect(lines(frame)[22]).toBe('Space select · a all · Enter open · / filter · p picture · Tab next · ? help');
  });

  it('moves with arrows and j/k, opens a folder with Enter, recognises DICOM without extension, goes back up with Backspace', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await waitForFrame(app, 'report.dcm');
    await press(app, KEYS.down, '› [ ] series/');
    await press(app, 'j', '› [ ] greek.dcm');
    await press(app, 'k', '› [ ] series/');
    await press(app, KEYS.up, '›     .. (up)');
    await press(app, KEYS.down, '› [ ] series/');
    let frame = await press(app, KEYS.enter, 'noextension');
    expect(lines(frame)[1]).toBe(path.join(workspace.input, 'series'));
    expect(squeeze(lineWith(frame, 'noextension'))).toBe(' [ ] noextension 1.9 KB DICOM');
    frame = await press(app, KEYS.backspace, 'report.dcm');
    expect(lines(frame)[1]).toBe(workspace.input);
    expect(lineWith(frame, 'series/')).toMatch(/^› \[ \] series\//); // the cursor is back on the folder we left
  });

  it('selects files and folders with Space, showing count and total size', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await waitForFrame(app, 'report.dcm');
    await press(app, KEYS.end, '› [ ] report.dcm');
    let frame = await press(app, KEYS.space, '› [x] report.dcm');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 1 file, 2.8 KB');
    await press(app, KEYS.home, '›     .. (up)');
    await press(app, KEYS.down, '› [ ] series/');
    frame = await press(app, KEYS.space, 'Selected 1 DICOM file, 2 in all.');
    expect(lineWith(frame, 'series/')).toMatch(/^› \[x\] series\//);
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 2 files, 4.7 KB');
    frame = await press(app, KEYS.space, 'Unselected 1 file.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 1 file, 2.8 KB');
    frame = await press(app, 'c', 'Selected: 0 files, 0 B');
    expect(lineWith(frame, 'report.dcm')).toMatch(/^ {2}\[ \] report\.dcm/);
  });

  it('selects every DICOM file below the folder with a, leaving out other files and the output folder', async () => {
    const workspace = createWorkspace();
    mkdirSync(workspace.outDir);
    copyFileSync(path.join(corpusDir, 'fodicom_GH178.dcm'), path.join(workspace.outDir, 'earlier.dcm'));
    const app = renderApp(workspace, { startDir: workspace.root });
    let frame = await waitForFrame(app, 'out/');
    expect(squeeze(lineWith(frame, 'out/'))).toBe(' [ ] out/ output');
    frame = await press(app, 'a', 'Selected 3 DICOM files.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 3 files, 6.6 KB');
    expect(squeeze(lineWith(frame, 'in/'))).toBe(' [x] in/ folder');
    expect(squeeze(lineWith(frame, 'out/'))).toBe(' [ ] out/ output');
    await press(app, KEYS.down, '› [x] in/');
    frame = await press(app, KEYS.enter, 'report.dcm');
    expect(lines(frame).slice(3, 7).map(squeeze)).toEqual([' [x] series/ folder', ' [x] greek.dcm 1.9 KB DICOM', ' [ ] notes.txt 13 B not DICOM', ' [x] report.dcm 2.8 KB DICOM']);
  });

  it('filters by name with /, keeps the filter after Enter and clears it with Esc; q is typed, not quit', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await waitForFrame(app, 'report.dcm');
    await press(app, '/', 'Filter: ▌');
    let frame = await type(app, 'gr', (typed) => `Filter: ${typed}▌`);
    expect(lines(frame).slice(2, 5).map(squeeze)).toEqual(['› .. (up)', ' [ ] greek.dcm 1.9 KB DICOM', '']);
    frame = await press(app, 'q', 'Filter: grq▌');
    expect(frame).toContain('Nothing here matches "grq".');
    frame = await press(app, KEYS.backspace, 'Filter: gr▌');
    frame = await press(app, KEYS.enter, 'Filter: "gr" (/ to change, Esc to clear)');
    expect(lineWith(frame, 'Filter:')).toBe('1-2 of 2 · Filter: "gr" (/ to change, Esc to clear)');
    frame = await press(app, KEYS.escape, '1-5 of 5');
    expect(frame).toContain('notes.txt');
  });

  it('with a filter, a selects only the DICOM files the filter shows (and those below the folders it shows)', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await waitForStartFolder(app);
    await press(app, '/', 'Filter: ▌');
    await type(app, 'gr', (typed) => `Filter: ${typed}▌`);
    await press(app, KEYS.enter, 'Filter: "gr" (/ to change, Esc to clear)');
    let frame = await press(app, 'a', 'Selected 1 DICOM file.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 1 file, 1.9 KB');
    await press(app, '/', 'Filter: gr▌');
    await press(app, KEYS.ctrlU, 'Filter: ▌');
    await type(app, 'se', (typed) => `Filter: ${typed}▌`); // series/ (and its noextension), not greek.dcm
    await press(app, KEYS.enter, 'Filter: "se" (/ to change, Esc to clear)');
    frame = await press(app, 'a', 'Selected 1 DICOM file, 2 in all.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 2 files, 3.8 KB');
    expect(squeeze(lineWith(frame, 'series/'))).toBe(' [x] series/ folder');
    await press(app, '/', 'Filter: se▌');
    await press(app, KEYS.ctrlU, 'Filter: ▌');
    await type(app, 'txt', (typed) => `Filter: ${typed}▌`);
    await press(app, KEYS.enter, 'Filter: "txt" (/ to change, Esc to clear)');
    frame = await press(app, 'a', 'No DICOM files here match "txt".');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 2 files, 3.8 KB');
    frame = await press(app, KEYS.escape, '1-5 of 5');
    expect(squeeze(lineWith(frame, 'report.dcm'))).toBe(' [ ] report.dcm 2.8 KB DICOM');
  });

  it('says how many files a search selected against the whole selection: files selected already are not new', async () => {
    const names = Array.from({ length: 36 }, (_, index) => `image-${String(index + 1).padStart(2, '0')}.dcm`);
    const files = [...names, 'series/a.dcm', 'series/b.dcm', 'series/c.dcm', 'series/d.dcm'];
    const workspace = createWorkspace(Object.fromEntries(files.map((name) => [name, 'fodicom_chrGreek.dcm'])));
    const app = renderApp(workspace);
    await waitForStartFolder(app);
    let frame = await press(app, 'a', 'Selected 40 DICOM files.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 40 files, 75.6 KB');
    await press(app, KEYS.down, '› [x] series/');
    await press(app, KEYS.enter, 'd.dcm');
    frame = await press(app, 'a', 'Selected 4 DICOM files (0 new), 40 in all.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 40 files, 75.6 KB');
  });

  it('c empties the selection for good: a search still running then selects nothing', async () => {
    const workspace = createWorkspace();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let search: Promise<unknown> = Promise.resolve();
    const app = renderApp(workspace, {
      deps: { findDicomFiles: (dir, exclude) => (search = held.then(() => findDicomFiles(dir, exclude))) as ReturnType<typeof findDicomFiles> },
    });
    await waitForStartFolder(app);
    await press(app, 'a', 'Looking for DICOM files below this folder…');
    await press(app, KEYS.end, '› [ ] report.dcm');
    await press(app, KEYS.space, 'Selected: 1 file, 2.8 KB');
    await press(app, 'c', 'Selected: 0 files, 0 B');
    release();
    await search; // the browser's own handler of the search, attached first, has run
    await press(app, KEYS.home, '›     .. (up)');
    const frame = await press(app, KEYS.down, '› [ ] series/');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 0 files, 0 B');
    expect(frame).not.toContain('Selected 3 DICOM files.');
  });

  it('scrolls a long folder within the terminal height, the cursor always visible', async () => {
    const names = Array.from({ length: 40 }, (_, index) => `image-${String(index + 1).padStart(2, '0')}.dcm`);
    const workspace = createWorkspace(Object.fromEntries(names.map((name) => [name, 'fodicom_chrGreek.dcm'])));
    const app = renderApp(workspace);
    let frame = await waitForFrame(app, 'image-01.dcm');
    expect(lineWith(frame, ' of 41')).toBe('1-17 of 41');
    expect(frame).not.toContain('image-17.dcm');
    frame = await press(app, KEYS.pageDown, '› [ ] image-17.dcm');
    expect(lineWith(frame, ' of 41')).toBe('10-26 of 41');
    frame = await press(app, KEYS.end, '› [ ] image-40.dcm');
    expect(lineWith(frame, ' of 41')).toBe('25-41 of 41');
    expect(lines(frame)).toHaveLength(23);
    frame = await press(app, 'a', 'Selected 40 DICOM files.');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 40 files, 75.6 KB');
  });

  it('says when a folder cannot be opened, and why', async () => {
    const workspace = createWorkspace({ 'gone/a.dcm': 'fodicom_chrGreek.dcm', 'b.dcm': 'fodicom_chrGreek.dcm' });
    const app = renderApp(workspace);
    await waitForFrame(app, 'gone/');
    rmSync(path.join(workspace.input, 'gone'), { recursive: true });
    await press(app, KEYS.down, '› [ ] gone/');
    const frame = await press(app, KEYS.enter, 'Cannot open this folder: no such folder.');
    expect(lines(frame)[1]).toBe(path.join(workspace.input, 'gone'));
    await press(app, KEYS.backspace, 'b.dcm');
  });

  it('goes on to the options with Tab only when something is selected', async () => {
    const workspace = createWorkspace();
    writeFileSync(path.join(workspace.input, 'empty.dcm'), '');
    const app = renderApp(workspace);
    await waitForFrame(app, 'report.dcm');
    await press(app, KEYS.tab, 'Select files first: Space selects, a selects every DICOM file below.');
    await press(app, 'a', 'Selected 3 DICOM files.');
    const frame = await press(app, KEYS.tab, '[2 Configure]');
    expect(frame).toContain('Options for 3 files (6.6 KB)');
  });
});
