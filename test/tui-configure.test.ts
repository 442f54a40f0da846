import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { PROFILE_EDITION } from '../src/deid/profile.js';
import { dumpJson } from '../src/dicom/dump.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { cleanupApps, createWorkspace, renderApp, renderAppInTerminal, waitForStartFolder } from './helpers/ink-app.js';
import type { InkHandle } from './helpers/ink-keys.js';
import { KEYS, lines, lineWith, press, type, waitForFrame } from './helpers/ink-keys.js';

// Step 2: the six options with the product's names, the output folder, German labels.

afterEach(cleanupApps);

/** Selects every DICOM file of the input folder and goes on to step 2. */
async function toConfigure(app: InkHandle, selected = 'Selected 3 DICOM files.'): Promise<string> {
  await waitForStartFolder(app);
  await press(app, 'a', selected);
  return press(app, KEYS.tab, 'Profile: ');
}

describe('TUI step 2: configure', () => {
  it('shows the six options with the product names, one-line descriptions, the output folder, the mapping store and the profile', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await toConfigure(app);
    const frame = await waitForFrame(app, 'Mapping store: ');
    expect(lines(frame).slice(0, 22)).toEqual([
      'DICOM Tools  1 Pick files  [2 Configure]  3 Anonymize  4 Review & download',
      'Options for 3 files (6.6 KB)',
      '',
      '› [x] Regenerate UIDs · UIDs neu generieren',
      '      New UIDs from your secret key; links between files stay intact',
      '  [x] Remove private tags · Private Tags entfernen',
      "      Remove vendors' private elements (they can hide identities)",
      '  [x] Patient data · Patientendaten',
      '      Name, ID, birth date, sex, age, address: pseudonym or removed',
      '  [x] Institution data · Institutionsdaten',
      '      Institution, department, staff names, station and device',
      '  [x] Study data · Studiendaten',
      '      Accession number, study ID, procedure IDs and descriptions',
      '      Dates · Datumsangaben: [clear]  keep   shift',
      '      clear: remove per profile · keep · shift: move per patient',
      '      Profile: [Basic]  Research',
      '      The Basic Profile alone, without PS3.15 options',
      '      PS3.15 options… (0 on)',
      '',
      `Output folder: ${workspace.outDir}`,
      `Mapping store: SQLite ${path.join(workspace.dataDir, 'mapping.sqlite')}`,
      `Profile: DICOM PS3.15 ${PROFILE_EDITION}, Basic Application Level Confidentiality`,
    ]);
    expect(lines(frame)[22]).toBe('Space ← → change · a PS3.15 options · o output · Enter start · Esc back · ? help');
  });

  it('toggles checkboxes with Space and steps through the date modes with ← → and Space', async () => {
    const app = renderApp(createWorkspace());
    await toConfigure(app);
    await press(app, KEYS.space, '› [ ] Regenerate UIDs · UIDs neu generieren');
    await press(app, 'j', '› [x] Remove private tags · Private Tags entfernen');
    await press(app, KEYS.down, '› [x] Patient data · Patientendaten');
    await press(app, KEYS.space, '› [ ] Patient data · Patientendaten');
    await press(app, KEYS.end, '›     PS3.15 options… (2 on)'); // Patient data and UIDs off imply two
    await press(app, 'k', '›     Profile: [Basic]  Research');
    await press(app, 'k', '›     Dates · Datumsangaben: [clear]  keep   shift');
    await press(app, KEYS.right, '›     Dates · Datumsangaben:  clear  [keep]  shift');
    await press(app, KEYS.right, '›     Dates · Datumsangaben:  clear   keep  [shift]');
    await press(app, KEYS.space, '›     Dates · Datumsangaben: [clear]  keep   shift');
    await press(app, KEYS.left, '›     Dates · Datumsangaben:  clear   keep  [shift]');
    const frame = await press(app, 'k', '› [x] Study data · Studiendaten');
    expect(lineWith(frame, 'Regenerate UIDs')).toBe('  [ ] Regenerate UIDs · UIDs neu generieren');
  });

  it('runs with the options chosen: with Patient data off, the patient name and ID survive', async () => {
    const workspace = createWorkspace({ 'greek.dcm': 'fodicom_chrGreek.dcm' });
    // greek.dcm is a secondary capture, at risk of burned-in text: accepted (as DICOM_BURNED_IN=accept
    // would), as this test is about the options chosen.
    const app = renderApp(workspace, { defaults: { ...DEFAULT_OPTIONS, burnedIn: 'accept' } });
    await toConfigure(app, 'Selected 1 DICOM file.');
    await press(app, 'j', '› [x] Remove private tags');
    await press(app, 'j', '› [x] Patient data');
    await press(app, KEYS.space, '› [ ] Patient data');
    await press(app, KEYS.enter, 'Done: 1 anonymized, 0 failed');
    const outputs = readdirSync(workspace.outDir);
    expect(outputs).toHaveLength(1);
    const values = Object.fromEntries(dumpJson(readDicomFile(path.join(workspace.outDir, outputs[0] ?? ''))).dataSet.map((element) => [element.keyword, element.value]));
    expect(values['PatientName']).toEqual(['Διονυσιος']);
    expect(values['PatientID']).toEqual(['SCSGREEK']);
  });

  it('changes the output folder with o (typing q does not quit), relative to the working folder', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await toConfigure(app);
    await press(app, 'o', `Output folder: ${workspace.outDir}▌`);
    await press(app, KEYS.ctrlU, 'Output folder: ▌');
    await type(app, 'quiet', (typed) => `Output folder: ${typed}▌`);
    let frame = await press(app, KEYS.enter, `Output folder: ${path.join(workspace.root, 'quiet')}`);
    expect(frame).not.toContain('▌');
    await press(app, 'o', '▌');
    frame = await press(app, KEYS.escape, (next) => !next.includes('▌'));
    expect(lineWith(frame, 'Output folder:')).toBe(`Output folder: ${path.join(workspace.root, 'quiet')}`);
  });

  it('goes back to the files with Esc, keeping the selection', async () => {
    const app = renderApp(createWorkspace());
    await toConfigure(app);
    const frame = await press(app, KEYS.escape, '[1 Pick files]');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 3 files, 6.6 KB');
    await press(app, KEYS.tab, 'Options for 3 files (6.6 KB)');
  });

  it('speaks German with the German messages, and fits 80×24', async () => {
    const app = renderApp(createWorkspace(), { language: 'de' });
    await waitForFrame(app, 'report.dcm');
    let frame = await press(app, 'a', '3 DICOM-Dateien ausgewählt.');
    expect(lineWith(frame, 'notes.txt')).toMatch(/13 B kein DICOM$/);
    expect(lineWith(frame, 'Ausgewählt:')).toBe('Ausgewählt: 3 Dateien, 6,6 KB');
    frame = await press(app, KEYS.tab, 'Profil: ');
    expect(lines(frame).slice(0, 18)).toEqual([
      'DICOM Tools  1 Dateien  [2 Einstellungen]  3 Anonymisieren  4 Prüfen & Download',
      'Einstellungen für 3 Dateien (6,6 KB)',
      '',
      '› [x] UIDs neu generieren',
      '      Neue UIDs aus Ihrem Schlüssel; Bezüge zwischen Dateien bleiben',
      '  [x] Private Tags entfernen',
      '      Herstellerspezifische Elemente entfernen (können Identität enthalten)',
      '  [x] Patientendaten',
      '      Name, ID, Geburtsdatum, Geschlecht, Alter, Adresse: Pseudonym/entfernt',
      '  [x] Institutionsdaten',
      '      Einrichtung, Abteilung, Personal, Station und Gerät',
      '  [x] Studiendaten',
      '      Accession-Nummer, Studien-ID, Prozedur-IDs und -beschreibungen',
      '      Datumsangaben: [löschen]  behalten   verschieben',
      '      löschen: laut Profil · behalten · verschieben: je Patient',
      '      Profil: [Basis]  Forschung',
      '      Nur das Basic Profile, ohne PS3.15-Optionen',
      '      PS3.15-Optionen… (0 aktiv)',
    ]);
    frame = await waitForFrame(app, 'Zuordnungsspeicher: SQLite ');
    expect(Math.max(...lines(frame).map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it('shows only the focused description when the terminal is short', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, { size: { columns: 80, rows: 16 } });
    let frame = await toConfigure(app);
    // The gap under the heading goes too: 13 lines of body hold the eight rows and one description.
    expect(lines(frame).slice(1, 14)).toEqual([
      'Options for 3 files (6.6 KB)',
      '› [x] Regenerate UIDs · UIDs neu generieren',
      '      New UIDs from your secret key; links between files stay intact',
      '  [x] Remove private tags · Private Tags entfernen',
      '  [x] Patient data · Patientendaten',
      '  [x] Institution data · Institutionsdaten',
      '  [x] Study data · Studiendaten',
      '      Dates · Datumsangaben: [clear]  keep   shift',
      '      Profile: [Basic]  Research',
      '      PS3.15 options… (0 on)',
      '',
      `Output folder: ${workspace.outDir}`,
      `Profile: DICOM PS3.15 ${PROFILE_EDITION}, Basic Application Level Confidentiality`,
    ]);
    expect(lines(frame)).toHaveLength(15);
    expect(lines(frame)[14]).toBe('Space ← → change · a PS3.15 options · o output · Enter start · Esc back · ? help');
    // Typing the output folder takes the notice line and the prompt's hint line: still 15 lines.
    frame = await press(app, 'o', '▌');
    expect(lines(frame)).toHaveLength(15);
    expect(lineWith(frame, 'PS3.15 options')).toBe('      PS3.15 options… (0 on)');
    expect(lines(frame)[13]).toBe(`Profile: DICOM PS3.15 ${PROFILE_EDITION}, Basic Application Level Confidentiality`);
  });

  it('names a long PostgreSQL store cut in the middle, on a spare line only: descriptions come first', async () => {
    const store = 'PostgreSQL postgres://dicom-tools-reader@mapping-database.imaging.hospital.example.org:5432/dicom_mapping';
    const terminal = renderAppInTerminal(createWorkspace(), 80, 24, { deps: { describeStore: async () => store } });
    await toConfigure(terminal);
    let frame = await waitForFrame(terminal, 'Mapping store: ');
    const line = lineWith(frame, 'Mapping store: ');
    expect(line).toBe('Mapping store: PostgreSQL postgres://dicom-tool…l.example.org:5432/dicom_mapping');
    expect(line).toHaveLength(80);
    expect(lines(frame)[20]).toBe(line); // between the output folder and the profile line
    // One row less: all descriptions, no store. Shorter still: one description and the store, until there is no spare line.
    const described = (frame: string) => frame.includes("Remove vendors' private elements");
    terminal.resize(80, 23);
    frame = await waitForFrame(terminal, (next) => described(next) && !next.includes('Mapping store: '));
    terminal.resize(80, 17);
    frame = await waitForFrame(terminal, (next) => !described(next) && next.includes('Mapping store: '));
    expect(lines(frame)).toHaveLength(16);
    terminal.resize(80, 16);
    frame = await waitForFrame(terminal, (next) => !described(next) && !next.includes('Mapping store: '));
    expect(lines(frame)).toHaveLength(15);
  });
});
