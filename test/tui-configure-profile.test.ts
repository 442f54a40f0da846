import { readdirSync } from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { PROFILE_EDITION } from '../src/deid/profile.js';
import { profileOptions, STANDARD_OPTION_NAMES, STANDARD_OPTIONS } from '../src/deid/standard-options.js';
import { MessagesContext } from '../tui/contexts.js';
import { MESSAGES, type Language } from '../tui/messages.js';
import { panelRows, StandardOptionsPanel } from '../tui/StandardOptionsPanel.js';
import { deidMethodCodes } from './helpers/dcmdump-codes.js';
import { cleanupApps, createWorkspace, renderApp, waitForStartFolder, type RenderedApp } from './helpers/ink-app.js';
import { KEYS, lines, lineWith, press } from './helpers/ink-keys.js';

// Step 2's PS3.15 profile row and its panel of standard options: presets, options one by one,
// the contradictions refused, and the run that claims what was chosen.

afterEach(cleanupApps);

// greek.dcm (fodicom_chrGreek) is a secondary capture, so may carry burned-in text: accepted, as these runs are about the profile's options.
const ACCEPTING = { defaults: { ...DEFAULT_OPTIONS, burnedIn: 'accept' } } as const;

const RESEARCH_CODES = profileOptions('research').map((option) => STANDARD_OPTIONS[option].code);
const codeOf = (option: keyof typeof STANDARD_OPTIONS) => STANDARD_OPTIONS[option].code;

/** The summary line: the codes, or how many when they do not fit in 80 columns. */
function summary(language: Language, preset: string, codes: readonly string[]): string {
  const { configure } = MESSAGES[language];
  const listed = configure.profile(PROFILE_EDITION, preset, codes);
  return [...listed].length <= 80 ? listed : configure.profileCount(PROFILE_EDITION, preset, codes.length);
}

/** Selects every DICOM file, goes on to step 2 and down to the profile row. */
async function toProfileRow(app: RenderedApp, selected = 'Selected 3 DICOM files.', profile = 'Profile: [Basic]'): Promise<string> {
  await waitForStartFolder(app);
  await press(app, 'a', selected);
  await press(app, KEYS.tab, /Profile?: (DICOM )?PS3\.15/);
  await press(app, KEYS.end, /› {5}PS3\.15/);
  return press(app, 'k', `›     ${profile}`);
}

describe('TUI step 2: the PS3.15 profile and options', () => {
  it('chooses Research with → on the profile row, and the run claims its options in (0012,0064), read by dcmdump', async () => {
    const workspace = createWorkspace({ 'greek.dcm': 'fodicom_chrGreek.dcm', 'report.dcm': 'fodicom_GH178.dcm' });
    const app = renderApp(workspace, ACCEPTING);
    await toProfileRow(app, 'Selected 2 DICOM files.');
    const frame = await press(app, KEYS.right, '›     Profile:  Basic  [Research]');
    expect(lineWith(frame, 'For research')).toBe(`      For research sharing, as TCIA: Basic + ${profileOptions('research').length} options (a shows them)`);
    expect(lineWith(frame, 'PS3.15 options…')).toBe(`      PS3.15 options… (${RESEARCH_CODES.length} on)`);
    // Dates stay "clear" on their row, yet Research shifts them: the row says so.
    expect(lineWith(frame, 'Dates · ')).toBe('      Dates · Datumsangaben: [clear]  keep   shift  → shift (PS3.15)');
    expect(lineWith(frame, 'Profile: PS3.15')).toBe(summary('en', 'Research', RESEARCH_CODES));
    await press(app, KEYS.enter, 'Done: 2 anonymized, 0 failed');
    const outputs = readdirSync(workspace.outDir);
    expect(outputs).toHaveLength(2);
    // The secondary capture, which no region list is for, was accepted as it is: it does not claim Clean Pixel Data.
    const claims = outputs.map((output) => deidMethodCodes(path.join(workspace.outDir, output)));
    expect(claims).toEqual(expect.arrayContaining([['113100', ...RESEARCH_CODES], ['113100', ...RESEARCH_CODES.filter((code) => code !== codeOf('clean-pixel-data'))]]));
  });

  it('steps back with ←, and Space steps too; Basic again claims no option', async () => {
    const workspace = createWorkspace({ 'greek.dcm': 'fodicom_chrGreek.dcm' });
    const app = renderApp(workspace, ACCEPTING);
    await toProfileRow(app, 'Selected 1 DICOM file.');
    await press(app, KEYS.space, '›     Profile:  Basic  [Research]');
    const frame = await press(app, KEYS.left, '›     Profile: [Basic]  Research');
    expect(lineWith(frame, 'Profile: DICOM')).toBe(`Profile: DICOM PS3.15 ${PROFILE_EDITION}, Basic Application Level Confidentiality`);
    expect(lineWith(frame, 'Dates · ')).toBe('      Dates · Datumsangaben: [clear]  keep   shift');
    await press(app, KEYS.enter, 'Done: 1 anonymized, 0 failed');
    expect(deidMethodCodes(path.join(workspace.outDir, readdirSync(workspace.outDir)[0] ?? ''))).toEqual(['113100']);
  });

  it('opens the panel with a, lists every standard option with its code, toggles with Space into Custom and back, and closes with Esc', async () => {
    const workspace = createWorkspace({ 'greek.dcm': 'fodicom_chrGreek.dcm' });
    const app = renderApp(workspace, ACCEPTING);
    await toProfileRow(app, 'Selected 1 DICOM file.');
    await press(app, KEYS.right, '[Research]');
    let frame = await press(app, 'a', 'PS3.15 options (CID 7050) · Profile: Research');
    expect(lines(frame)[22]).toBe('Space on/off · ← → profile · Esc done · ? help');
    const rows = lines(frame).slice(3, 3 + STANDARD_OPTION_NAMES.length);
    expect(rows.map((row) => row.slice(2, 12))).toEqual(STANDARD_OPTION_NAMES.map((option) => `${profileOptions('research').includes(option as never) ? '[x]' : '[ ]'} ${codeOf(option)}`));
    expect(rows[0]?.startsWith('› ')).toBe(true);
    // Retain UIDs: on makes the set Custom, off makes it Research again.
    const uids = STANDARD_OPTION_NAMES.indexOf('retain-uids');
    for (let index = 0; index < uids; index++) frame = await press(app, 'j', `› ${lines(frame)[4 + index]?.slice(2, 12)}`);
    frame = await press(app, KEYS.space, '› [x] 113110 Retain UIDs');
    expect(lines(frame)[1]).toBe('PS3.15 options (CID 7050) · Profile: Custom');
    expect(lineWith(frame, 'Keeps the original UIDs')).toBe('      Keeps the original UIDs (the same as Regenerate UIDs off)');
    frame = await press(app, KEYS.escape, 'Options for 1 file');
    expect(lineWith(frame, 'Profile:  ')).toBe('›     Profile:  Basic   Research  [Custom]');
    expect(lineWith(frame, 'Profile: PS3.15')).toBe(summary('en', 'Custom', [...RESEARCH_CODES, '113110'].sort()));
    // Enter on the panel's row opens it too; the cursor starts at the top again.
    await press(app, 'j', '›     PS3.15 options…');
    frame = await press(app, KEYS.enter, 'Profile: Custom');
    for (let index = 0; index < uids; index++) frame = await press(app, KEYS.down, `› ${lines(frame)[4 + index]?.slice(2, 12)}`);
    frame = await press(app, KEYS.space, '› [ ] 113110 Retain UIDs');
    expect(lines(frame)[1]).toBe('PS3.15 options (CID 7050) · Profile: Research');
    frame = await press(app, KEYS.enter, 'Options for 1 file');
    // Custom stays a choice on the profile row, to go back to.
    expect(lineWith(frame, 'Profile:  ')).toBe('      Profile:  Basic  [Research]  Custom');
    await press(app, 'k', '›     Profile:  Basic  [Research]  Custom');
    await press(app, KEYS.right, '›     Profile:  Basic   Research  [Custom]');
    await press(app, KEYS.enter, 'Done: 1 anonymized, 0 failed');
    // The secondary capture, which no region list is for, was accepted as it is: it does not claim Clean Pixel Data.
    const claimed = [...RESEARCH_CODES, '113110'].filter((code) => code !== codeOf('clean-pixel-data')).sort();
    expect(deidMethodCodes(path.join(workspace.outDir, readdirSync(workspace.outDir)[0] ?? ''))).toEqual(['113100', ...claimed]);
  });

  it('marks options the six options already apply with [+], and changes the profile with ← → inside the panel', async () => {
    const app = renderApp(createWorkspace());
    await waitForStartFolder(app);
    await press(app, 'a', 'Selected 3 DICOM files.');
    await press(app, KEYS.tab, 'Profile: DICOM PS3.15');
    await press(app, 'j', '› [x] Remove private tags');
    await press(app, 'j', '› [x] Patient data');
    await press(app, KEYS.space, '› [ ] Patient data');
    let frame = await press(app, 'a', 'PS3.15 options (CID 7050)');
    expect(lineWith(frame, codeOf('retain-patient-characteristics'))).toBe('  [+] 113108 Retain Patient Characteristics (on through the six options)');
    frame = await press(app, KEYS.right, 'Profile: Research');
    // Chosen and implied: the box says chosen.
    expect(lineWith(frame, codeOf('retain-patient-characteristics'))).toBe('  [x] 113108 Retain Patient Characteristics');
    frame = await press(app, KEYS.left, 'Profile: Basic');
    expect(lineWith(frame, codeOf('retain-modified-dates'))).toBe('  [ ] 113107 Retain Modified Dates');
  });

  it('refuses a contradiction with one line of why: Research with Dates keep, Full Dates with Modified Dates', async () => {
    const app = renderApp(createWorkspace());
    await waitForStartFolder(app);
    await press(app, 'a', 'Selected 3 DICOM files.');
    await press(app, KEYS.tab, 'Profile: DICOM PS3.15');
    await press(app, KEYS.end, '›     PS3.15 options…');
    await press(app, 'k', '›     Profile: [Basic]');
    await press(app, 'k', '›     Dates · Datumsangaben: [clear]');
    await press(app, KEYS.right, '›     Dates · Datumsangaben:  clear  [keep]');
    await press(app, 'j', '›     Profile: [Basic]');
    let frame = await press(app, KEYS.right, 'exclude each other');
    expect(lineWith(frame, 'exclude each other')).toBe('Research (Retain Modified Dates) and Dates: keep exclude each other.');
    expect(lineWith(frame, '›')).toBe('›     Profile: [Basic]  Research');
    expect(lineWith(frame, 'Profile: PS3.15')).toBe(`Profile: PS3.15 ${PROFILE_EDITION}, Basic: options ${codeOf('retain-full-dates')}`);
    // The next key clears the line.
    frame = await press(app, 'k', (next) => !next.includes('exclude each other'));
    // With Dates cleared, Research goes; then Full Dates in the panel is refused, and stepping Dates skips keep.
    await press(app, KEYS.left, '›     Dates · Datumsangaben: [clear]');
    await press(app, 'j', '›     Profile: [Basic]');
    await press(app, KEYS.right, '›     Profile:  Basic  [Research]');
    frame = await press(app, 'a', 'Profile: Research');
    for (const option of STANDARD_OPTION_NAMES.slice(1, STANDARD_OPTION_NAMES.indexOf('retain-full-dates') + 1)) frame = await press(app, 'j', `› [${RESEARCH_CODES.includes(codeOf(option)) ? 'x' : ' '}] ${codeOf(option)}`);
    frame = await press(app, KEYS.space, 'exclude each other');
    expect(lineWith(frame, '› ')).toBe('› [ ] 113106 Retain Full Dates');
    expect(lineWith(frame, 'exclude each other')).toBe('Retain Modified Dates and Retain Full Dates exclude each other.');
    frame = await press(app, KEYS.escape, 'Options for 3 files');
    await press(app, 'k', '›     Dates · Datumsangaben: [clear]');
    frame = await press(app, KEYS.right, '›     Dates · Datumsangaben:  clear   keep  [shift]');
    expect(lineWith(frame, 'exclude each other')).toBe('Retain Modified Dates and Dates: keep exclude each other.');
  });

  it('speaks German in the profile row and the panel, and documents the keys in the help', async () => {
    const app = renderApp(createWorkspace(), { language: 'de' });
    await toProfileRow(app, '3 DICOM-Dateien ausgewählt.', 'Profil: [Basis]');
    let frame = await press(app, KEYS.right, '›     Profil:  Basis  [Forschung]');
    expect(lineWith(frame, 'Datumsangaben:')).toBe('      Datumsangaben: [löschen]  behalten   verschieben  → verschieben (PS3.15)');
    expect(lineWith(frame, 'Für die Forschung')).toBe(`      Für die Forschung, wie TCIA: Basis + ${RESEARCH_CODES.length} Optionen (a zeigt sie)`);
    expect(lineWith(frame, 'Profil: PS3.15')).toBe(summary('de', 'Forschung', RESEARCH_CODES));
    frame = await press(app, 'a', 'PS3.15-Optionen (CID 7050) · Profil: Forschung');
    expect(lineWith(frame, '113108')).toBe('  [x] 113108 Patientenmerkmale behalten');
    expect(lines(frame)[22]).toBe('Leer ein/aus · ← → Profil · Esc fertig · ? Hilfe');
    frame = await press(app, '?', 'Tasten');
    expect(lineWith(frame, 'Leertaste')).toBe('  Leertaste     Option ein- oder ausschalten');
    expect(lines(frame)[2]).toBe('PS3.15-Optionen');
    frame = await press(app, 'x', 'PS3.15-Optionen (CID 7050)');
    frame = await press(app, KEYS.escape, 'Einstellungen für 3 Dateien');
    frame = await press(app, '?', 'Tasten');
    expect(lineWith(frame, 'die PS3.15-Optionen')).toBe('  a             die PS3.15-Optionen (oder Enter auf ihrer Zeile)');
  });

  it('counts the options on the summary line when their codes do not fit (60 columns)', async () => {
    const app = renderApp(createWorkspace(), { size: { columns: 60, rows: 16 } });
    await toProfileRow(app);
    const frame = await press(app, KEYS.right, '[Research]');
    const listed = MESSAGES.en.configure.profile(PROFILE_EDITION, 'Research', RESEARCH_CODES);
    expect([...listed].length).toBeGreaterThan(60);
    expect(lineWith(frame, 'Profile: PS3.15')).toBe(`Profile: PS3.15 ${PROFILE_EDITION}, Research: ${RESEARCH_CODES.length} options (a lists them)`);
    expect(lines(frame)).toHaveLength(15);
  });

  it('fits every option at 80×24, and scrolls the list when the terminal is shorter', () => {
    // 80×24 gives the panel 21 lines: room for 16 options, more than the standard's 11.
    expect(panelRows(21)).toBeGreaterThanOrEqual(11);
    const element = (cursor: number) =>
      createElement(MessagesContext.Provider, { value: MESSAGES.en }, createElement(StandardOptionsPanel, { options: DEFAULT_OPTIONS, cursor, notice: undefined, height: 7 }));
    const panel = render(element(0));
    let frame = lines(panel.lastFrame() ?? '');
    const count = STANDARD_OPTION_NAMES.length;
    expect(frame[0]).toBe(`PS3.15 options (CID 7050) · Profile: Basic  1-2 of ${count}`);
    expect(frame.slice(2, 4).map((row) => row.slice(0, 12))).toEqual(STANDARD_OPTION_NAMES.slice(0, 2).map((option, index) => `${index === 0 ? '›' : ' '} [ ] ${codeOf(option)}`));
    panel.rerender(element(count - 1));
    frame = lines(panel.lastFrame() ?? '');
    expect(frame[0]).toBe(`PS3.15 options (CID 7050) · Profile: Basic  ${count - 1}-${count} of ${count}`);
    expect(frame[3]?.slice(0, 12)).toBe(`› [ ] ${codeOf(STANDARD_OPTION_NAMES[count - 1] ?? 'retain-uids')}`);
    expect(frame).toHaveLength(7);
    panel.unmount();
  });
});
