import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILE_EDITION, profileOptions, STANDARD_OPTION_NAMES, STANDARD_OPTIONS, type StandardOption } from '../src/index.js';
import { corpusDir } from './helpers/corpus.js';
import { deidMethodCodes } from './helpers/dcmdump-codes.js';
import { CLI } from './helpers/run-cli.js';

// The real program in a real terminal: tmux runs the built dicom-tools in a 100×30 pane (80×24 for
// the profile test); the test
// types keys with send-keys and reads the screen with capture-pane, polling until the expected
// text appears. Then it checks the ZIP's entries and the CSV's rows on disk.

const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
const SECRET = 'e2e-test-secret-0123456789';
const INPUTS = ['fodicom_GH178.dcm', 'fodicom_chrGreek.dcm', 'dcmqats_1_ELE.dcm'];
const RESEARCH: readonly StandardOption[] = profileOptions('research');

/** Our own tmux server, on a socket in a temporary folder: no other tmux session is touched. */
const socketDir = mkdtempSync(path.join(os.tmpdir(), 'tui-e2e-tmux-'));
const SOCKET = path.join(socketDir, 'tmux.sock');
const roots: string[] = [socketDir];

afterAll(() => {
  if (HAS_TMUX) spawnSync('tmux', ['-S', SOCKET, 'kill-server']);
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-S', SOCKET, ...args], { encoding: 'utf8' });
}

/** Starts `dicom-tools tui in --out out` in a new tmux session; the shell stays open after it exits. */
function startTui(session: string, root: string, env: Record<string, string>, size: readonly [columns: number, rows: number] = [100, 30]): void {
  const variables = Object.entries({ DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: SECRET, TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env }).map(([name, value]) => `${name}=${value}`);
  // Ink draws nothing until exit when it thinks it runs in CI, so CI markers are removed.
  const command = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', ...variables, process.execPath, CLI, 'tui', 'in', '--out', 'out'];
  const shell = `${command.map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ')}; echo "exit status $?"; exec sleep 600`;
  tmux('new-session', '-d', '-s', session, '-x', String(size[0]), '-y', String(size[1]), '-c', root, shell);
}

function screen(session: string, escapes = false): string {
  return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);
}

/** Polls the pane until it contains `text`; fails with the screen it last saw. */
async function waitForScreen(session: string, text: string, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = screen(session);
    if (shown.includes(text)) return shown;
    if (Date.now() > deadline) throw new Error(`the terminal did not show ${JSON.stringify(text)} within ${timeout} ms; it showed:\n${shown}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends one key (a tmux key name like Enter or Tab, or literal text) and waits for `text`. */
async function key(session: string, keys: string, text: string): Promise<string> {
  if (['Enter', 'Tab', 'Escape', 'BSpace', 'Up', 'Down', 'Left', 'Right', 'Space'].includes(keys)) tmux('send-keys', '-t', session, keys);
  else tmux('send-keys', '-t', session, '-l', keys);
  return waitForScreen(session, text);
}

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
    startTui('flow', root, { NO_COLOR: '1' });
    let shown = await waitForScreen('flow', 'dcmqats_1_ELE.dcm');
    expect(shown).toContain('DICOM Tools  [1 Pick files]  2 Configure  3 Anonymize  4 Review & download');
    expect(screen('flow', true)).not.toMatch(COLOR_SGR);
    await key('flow', 'a', 'Selected 3 DICOM files.');
    shown = await key('flow', 'Tab', 'Options for 3 files (');
    expect(shown).toContain('[x] Regenerate UIDs · UIDs neu generieren');
    await key('flow', 'Enter', '[3 Anonymize]');
    shown = await waitForScreen('flow', 'Done: 3 anonymized, 0 failed in');
    expect(shown).toContain('3/3 files 100%');
    await key('flow', 'Enter', '[4 Review & download]');
    const zip = path.join(root, 'out.zip');
    await key('flow', 'z', `Save ZIP as: ${zip}`);
    await key('flow', 'Enter', `ZIP: ${zip} (3 files)`);
    const csv = path.join(root, 'out-mapping.csv');
    await key('flow', 'm', `Save mapping CSV as: ${csv}`);
    shown = await key('flow', 'Enter', `Mapping CSV: ${csv} (3 rows, readable by you only)`);
    expect(shown).toContain('The mapping CSV links anonymized files back to patients');
    shown = await key('flow', 'q', 'exit status 0');
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
    startTui('profile', root, { NO_COLOR: '1' }, [80, 24]);
    await waitForScreen('profile', 'dcmqats_1_ELE.dcm');
    await key('profile', 'a', 'Selected 3 DICOM files.');
    expect(tmux('display-message', '-p', '-t', 'profile', '#{pane_width}×#{pane_height}').trim()).toBe('80×24');
    let shown = await key('profile', 'Tab', 'Options for 3 files (');
    for (const row of ['› [x] Remove private tags', '› [x] Patient data', '› [x] Institution data', '› [x] Study data', '›     Dates', '›     Profile: [Basic]  Research']) await key('profile', 'j', row);
    shown = await key('profile', 'Right', '›     Profile:  Basic  [Research]');
    // The whole step fits: step bar on top, the summary with the codes, the key hint at the bottom.
    const rows = shown.split('\n');
    expect(rows[0]).toBe('DICOM Tools  1 Pick files  [2 Configure]  3 Anonymize  4 Review & download');
    expect(shown).toContain(`Profile: PS3.15 ${PROFILE_EDITION}, Research: `);
    expect(rows[22]?.trimEnd()).toBe('Space ← → change · a PS3.15 options · o output · Enter start · Esc back · ? help');
    shown = await key('profile', 'a', 'PS3.15 options (CID 7050) · Profile: Research');
    for (const option of STANDARD_OPTION_NAMES) expect(shown).toContain(`${RESEARCH.includes(option) ? '[x]' : '[ ]'} ${STANDARD_OPTIONS[option].code} `);
    expect(shown.split('\n')[22]?.trimEnd()).toBe('Space on/off · ← → profile · Esc done · ? help');
    // Retain UIDs on and off again: Custom, then Research.
    for (const option of STANDARD_OPTION_NAMES.slice(1, STANDARD_OPTION_NAMES.indexOf('retain-uids') + 1)) await key('profile', 'j', `› ${RESEARCH.includes(option) ? '[x]' : '[ ]'} ${STANDARD_OPTIONS[option].code}`);
    await key('profile', 'Space', 'Profile: Custom');
    await key('profile', 'Space', 'Profile: Research');
    await key('profile', 'Escape', 'Options for 3 files (');
    await key('profile', 'Enter', '[3 Anonymize]');
    await waitForScreen('profile', 'Done: 3 anonymized, 0 failed in');
    await key('profile', 'q', 'exit status 0');
    const outputs = readdirSync(path.join(root, 'out'));
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(deidMethodCodes(path.join(root, 'out', output))).toEqual(['113100', ...RESEARCH.map((option) => STANDARD_OPTIONS[option].code)]);
  });

  it('draws in colour unless NO_COLOR is set', async () => {
    const root = workspace();
    startTui('color', root, {});
    await waitForScreen('color', 'dcmqats_1_ELE.dcm');
    expect(screen('color', true)).toMatch(COLOR_SGR);
    await key('color', 'q', 'exit status 0');
  });
});
