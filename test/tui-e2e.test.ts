import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILE_EDITION } from '../src/deid/profile.js';
import { profileOptions, STANDARD_OPTION_NAMES, STANDARD_OPTIONS, type StandardOption } from '../src/deid/standard-options.js';
import { corpusDir } from './helpers/corpus.js';
import { deidMethodCodes } from './helpers/dcmdump-codes.js';
import { HAS_TMUX, TmuxServer } from './helpers/tmux-tui.js';
import { writeCornerScript } from './helpers/corner-regions.js';

// The real program in a real terminal (helpers/tmux-tui.ts): a 100×30 pane (80×24 for the profile
// test). After the keys, the test checks the ZIP's entries and the CSV's rows on disk.

const SECRET = 'e2e-test-secret-0123456789';
const INPUTS = ['fodicom_GH178.dcm', 'fodicom_chrGreek.dcm', 'dcmqats_1_ELE.dcm'];
const RESEARCH: readonly StandardOption[] = profileOptions('research');
// fodicom_chrGreek is a secondary capture, so may carry burned-in text: accepted, as these runs are about the terminal flow.
const ACCEPT_BURNED_IN = { DICOM_BURNED_IN: 'accept' };

const server = new TmuxServer();
const roots: string[] = [];

afterAll(() => {
  server.close();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function workspace(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tui-e2e-'));
  roots.push(root);
  mkdirSync(path.join(root, 'in'));
  for (const name of INPUTS) copyFileSync(path.join(corpusDir, name), path.join(root, 'in', name));
  return root;
}

/** SGR sequences that set a colour (30-38, 40-48, 90-97, 100-107); 39 and 49, which tmux prints to reset, do not. */
const COLOR_SGR = /\u001B\[(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;

describe.skipIf(!HAS_TMUX)(HAS_TMUX ? 'dicom-tools tui in a real terminal (tmux)' : 'dicom-tools tui in a real terminal: SKIPPED, tmux is not installed', () => {
  it('selects corpus files, anonymizes, exports the ZIP and the CSV, quits, and leaves both on disk', async () => {
    const root = workspace();
    server.startTui('flow', root, SECRET, { NO_COLOR: '1', ...ACCEPT_BURNED_IN });
    let shown = await server.waitForScreen('flow', 'dcmqats_1_ELE.dcm');
    expect(shown).toContain('DICOM Tools  [1 Pick files]  2 Configure  3 Anonymize  4 Review & download');
    expect(server.screen('flow', true)).not.toMatch(COLOR_SGR);
    await server.key('flow', 'a', 'Selected 3 DICOM files.');
    shown = await server.key('flow', 'Tab', 'Options for 3 files (');
    expect(shown).toContain('[x] Regenerate UIDs · UIDs neu generieren');
    await server.key('flow', 'Enter', '[3 Anonymize]');
    shown = await server.waitForScreen('flow', 'Done: 3 anonymized, 0 failed in');
    expect(shown).toContain('3/3 files 100%');
    await server.key('flow', 'Enter', '[4 Review & download]');
    const zip = path.join(root, 'out.zip');
    await server.key('flow', 'z', `Save ZIP as: ${zip}`);
    await server.key('flow', 'Enter', `ZIP: ${zip} (3 files)`);
    const csv = path.join(root, 'out-mapping.csv');
    await server.key('flow', 'm', `Save mapping CSV as: ${csv}`);
    shown = await server.key('flow', 'Enter', `Mapping CSV: ${csv} (3 rows, readable by you only)`);
    expect(shown).toContain('The mapping CSV links anonymized files back to patients');
    shown = await server.key('flow', 'q', 'exit status 0');
    expect(shown).not.toContain('[4 Review & download]'); // the alternate screen is gone: the shell's screen is back
    expect(shown).toContain(`ZIP: ${zip} (3 files)`);

    const outputs = readdirSync(path.join(root, 'out')).sort();
    expect(outputs).toHaveLength(3);
    const script = 'import sys, zipfile; print("\\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))';
    const entries = execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' }).trim().split('\n');
    expect(entries).toEqual(outputs);
    for (const entry of entries) expect(entry).toMatch(/^2\.25\.\d+\.dcm$/);

    expect(statSync(csv).mode & 0o777).toBe(0o600);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('Original Filename,Anonymized Filename,Original Patient ID,Anonymized ID,Tags Anonymized,UIDs Regenerated');
    const fields = rows.slice(1).map((row) => row.split(','));
    expect(fields.map((row) => row[0]).sort()).toEqual(INPUTS.map((name) => path.join(root, 'in', name)).sort());
    expect(fields.map((row) => row[1]).sort()).toEqual(outputs);
    for (const row of fields) expect(row[3]).toMatch(/^ANON-[A-Z2-7]{10}$/);
    expect(fields.map((row) => row[2]).sort()).toEqual(['55555', 'SCSGREEK', 'crlab']); // the original Patient IDs
  });

  it('chooses the Research profile and opens and closes its options panel at 80×24; the outputs claim its options', async () => {
    const root = workspace();
    // Research cleans pixel data: a site list cleans the secondary capture, so every output claims every option.
    server.startTui('profile', root, SECRET, { NO_COLOR: '1', ...ACCEPT_BURNED_IN, DICOM_PIXEL_REGIONS: writeCornerScript(root) }, { size: [80, 24] });
    await server.waitForScreen('profile', 'dcmqats_1_ELE.dcm');
    await server.key('profile', 'a', 'Selected 3 DICOM files.');
    expect(server.tmux('display-message', '-p', '-t', 'profile', '#{pane_width}×#{pane_height}').trim()).toBe('80×24');
    let shown = await server.key('profile', 'Tab', 'Options for 3 files (');
    for (const row of ['› [x] Remove private tags', '› [x] Patient data', '› [x] Institution data', '› [x] Study data', '›     Dates', '›     Profile: [Basic]  Research']) await server.key('profile', 'j', row);
    shown = await server.key('profile', 'Right', '›     Profile:  Basic  [Research]');
    // The whole step fits: step bar on top, the summary with the codes, the key hint at the bottom.
    const rows = shown.split('\n');
    expect(rows[0]).toBe('DICOM Tools  1 Pick files  [2 Configure]  3 Anonymize  4 Review & download');
    expect(shown).toContain(`Profile: PS3.15 ${PROFILE_EDITION}, Research: `);
    expect(rows[22]?.trimEnd()).toBe('Space ← → change · a PS3.15 options · o output · Enter start · Esc back · ? help');
    shown = await server.key('profile', 'a', 'PS3.15 options (CID 7050) · Profile: Research');
    for (const option of STANDARD_OPTION_NAMES) expect(shown).toContain(`${RESEARCH.includes(option) ? '[x]' : '[ ]'} ${STANDARD_OPTIONS[option].code} `);
    expect(shown.split('\n')[22]?.trimEnd()).toBe('Space on/off · ← → profile · Esc done · ? help');
    // Retain UIDs on and off again: Custom, then Research.
    for (const option of STANDARD_OPTION_NAMES.slice(1, STANDARD_OPTION_NAMES.indexOf('retain-uids') + 1)) await server.key('profile', 'j', `› ${RESEARCH.includes(option) ? '[x]' : '[ ]'} ${STANDARD_OPTIONS[option].code}`);
    await server.key('profile', 'Space', 'Profile: Custom');
    await server.key('profile', 'Space', 'Profile: Research');
    await server.key('profile', 'Escape', 'Options for 3 files (');
    await server.key('profile', 'Enter', '[3 Anonymize]');
    await server.waitForScreen('profile', 'Done: 3 anonymized, 0 failed in');
    await server.key('profile', 'q', 'exit status 0');
    const outputs = readdirSync(path.join(root, 'out'));
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(deidMethodCodes(path.join(root, 'out', output))).toEqual(['113100', ...RESEARCH.map((option) => STANDARD_OPTIONS[option].code)]);
  });

  it('gives back a clean shell screen after a resize from 60×16 to 80×24 and q', async () => {
    const root = workspace();
    // A list longer than either screen: every row of both is drawn.
    for (let index = 1; index <= 40; index++) copyFileSync(path.join(corpusDir, INPUTS[1] ?? ''), path.join(root, 'in', `image-${String(index).padStart(2, '0')}.dcm`));
    server.startTui('resize', root, SECRET, { NO_COLOR: '1' }, { size: [60, 16] });
    await server.waitForScreen('resize', 'image-05.dcm');
    await server.key('resize', 'a', 'Selected 43 DICOM files.');
    server.tmux('resize-window', '-t', 'resize', '-x', '80', '-y', '24');
    await server.waitForScreen('resize', 'DICOM Tools  [1 Pick files]  2 Configure  3 Anonymize  4 Review & download');
    const shown = await server.key('resize', 'q', 'exit status 0');
    // Nothing of the TUI's screens is left: the shell's (empty) screen, then the line the shell printed.
    expect(shown.split('\n').map((row) => row.trimEnd()).filter((row) => row !== '')).toEqual(['exit status 0']);
  });

  it('draws in colour unless NO_COLOR is set', async () => {
    const root = workspace();
    server.startTui('color', root, SECRET, {});
    await server.waitForScreen('color', 'dcmqats_1_ELE.dcm');
    expect(server.screen('color', true)).toMatch(COLOR_SGR);
    await server.key('color', 'q', 'exit status 0');
  });
});
