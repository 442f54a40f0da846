import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import type { RecordedFile } from '../src/store/mapping-record.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { cleanupApps, createWorkspace, renderApp, waitForStartFolder, type RenderedApp, type Workspace } from './helpers/ink-app.js';
import { KEYS, lines, lineWith, press, type, waitForFrame } from './helpers/ink-keys.js';

// Step 4: the results table, before/after per file, and the ZIP and mapping CSV exports.

afterEach(cleanupApps);

// greek.dcm and noextension (fodicom_chrGreek, fodicom_chrRuss) are secondary captures, so may carry burned-in text: accepted, as these tests are about the review.
const ACCEPTING = { defaults: { ...DEFAULT_OPTIONS, burnedIn: 'accept' } } as const;

/** Runs the standard input (every DICOM file and notes.txt) and opens the review. */
async function toReview(app: RenderedApp): Promise<string> {
  await waitForStartFolder(app);
  await press(app, 'a', 'Selected 3 DICOM files.');
  await press(app, KEYS.end, '› [x] report.dcm');
  await press(app, KEYS.up, '› [ ] notes.txt');
  await press(app, KEYS.space, '› [x] notes.txt');
  await press(app, KEYS.tab, '[2 Configure]');
  await press(app, KEYS.enter, '[3 Anonymize]');
  await waitForFrame(app, 'Done: 3 anonymized, 1 failed');
  return press(app, KEYS.enter, '[4 Review & download]');
}

function records(workspace: Workspace): RecordedFile[] {
  const store = SqliteMappingStore.open(workspace.dataDir);
  try {
    return store.records();
  } finally {
    store.close();
  }
}

const squeeze = (line: string) => line.replace(/ {2,}/g, ' ').trimEnd();

/** A CSV cell as RFC 4180 writes it: quoted when it holds a comma (a "(gggg,eeee)" label), quote or line break. */
const csvCell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

function zipEntries(zip: string): string[] {
  const script = 'import sys, zipfile; print("\\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))';
  return execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' }).trim().split('\n');
}

describe('TUI step 4: review and download', () => {
  it('tables every file: original and anonymized name, status, pseudonym, tags and UIDs changed', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, ACCEPTING);
    const frame = await toReview(app);
    expect(lines(frame)[1]).toBe('  Original              Anonymized           Status  Patient ID       Tags  UIDs');
    expect(lineWith(frame, 'notes.txt')).toBe('  notes.txt             -                    failed  -                   -     -');
    const mapped = records(workspace);
    expect(mapped).toHaveLength(3);
    for (const record of mapped) {
      const row = lineWith(frame, path.basename(record.originalFilename));
      // The table shows counts: the lengths of the recorded lists.
      expect(squeeze(row.slice(45))).toBe(`done ${record.anonymizedPatientId} ${record.tagsAnonymized?.length} ${record.uidsRegenerated?.length}`);
      expect(record.anonymizedFilename).toMatch(/^2\.25\.\d+\.dcm$/);
      expect(row.slice(24, 44)).toBe(`${record.anonymizedFilename.slice(0, 10)}…${record.anonymizedFilename.slice(-9)}`);
    }
    expect(lineWith(frame, '→')).toBe(`${path.join(workspace.input, 'greek.dcm')} → ${mapped.find((record) => record.originalFilename.endsWith('greek.dcm'))?.anonymizedFilename}`);
    const failed = await press(app, KEYS.down, '› notes.txt');
    expect(lines(failed).slice(14, 16)).toEqual([
      'Reason: notes.txt: File not recognized as DICOM: no DICM prefix at byte 128 and',
      'the first bytes are not a DICOM data set element (byte offset 0)',
    ]);
    expect(lines(failed)[22]).toBe('Enter before/after · p picture · z ZIP · m mapping CSV · Esc options · ? help');
  });

  it('shows attributes before and after side by side with Enter: identity replaced, clinical data kept', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, ACCEPTING);
    await toReview(app);
    const pseudonym = records(workspace).find((record) => record.originalFilename.endsWith('greek.dcm'))?.anonymizedPatientId ?? '';
    await press(app, KEYS.enter, 'Before and after: greek.dcm');
    let frame = await waitForFrame(app, '* SOPInstanceUID');
    expect(lines(frame)[2]).toBe('                           Before (original)          After (anonymized)');
    expect(lineWith(frame, '* SOPInstanceUID')).toMatch(/^\* SOPInstanceUID {11}1\.3\.6\.1\.4\.1\.5962\.1\.1\.0\.1\.… 2\.25\.\d{20}…$/);
    expect(lineWith(frame, 'changed')).toBe('* changed  - removed  + added · 1-17/48');
    expect(lines(frame)[22]).toBe('↑ ↓ scroll · c only changes · p picture · Esc back · ? help');
    frame = await press(app, KEYS.pageDown, '* changed  - removed  + added · 18-34/48');
    expect(lineWith(frame, 'PatientName')).toBe(`* PatientName              Διονυσιος                  ${pseudonym}`);
    expect(lineWith(frame, 'Modality')).toBe('  Modality                 OT                         OT');
    frame = await press(app, 'c', (next) => !next.includes('Modality'));
    expect(lineWith(frame, 'PatientID ')).toBe(`* PatientID                SCSGREEK                   ${pseudonym}`);
    expect(lineWith(frame, 'PatientIdentityRemoved')).toBe('+ PatientIdentityRemoved                              YES');
    expect(lineWith(frame, 'changed')).toMatch(/^\* changed {2}- removed {2}\+ added · 1-\d+\/\d+$/);
    await press(app, KEYS.escape, '  Original              Anonymized');
  });

  it('writes the ZIP of the anonymized files with z (never the mapping), confirming before it overwrites; n leaves the file and hands the keys back to the results', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, ACCEPTING);
    let frame = await toReview(app);
    expect(frame).toContain('The mapping CSV links anonymized files back to patients: keep it separate and');
    const zip = `${workspace.outDir}.zip`;
    await press(app, 'z', `Save ZIP as: ${zip}▌`);
    frame = await press(app, KEYS.enter, `ZIP: ${zip} (3 files)`);
    expect(zipEntries(zip)).toEqual(readdirSync(workspace.outDir).sort());
    writeFileSync(zip, 'spoiled');
    await press(app, 'z', `Save ZIP as: ${zip}▌`);
    await press(app, KEYS.enter, `${zip} exists. Overwrite it? (y/n)`);
    app.stdin.write('j'); // German for yes, but in English it moves in lists: no answer here
    frame = await press(app, 'n', 'Not saved: the file that exists is left as it is.');
    expect(frame).not.toContain('▌'); // no prompt reopened: the next key is the results'
    frame = await press(app, 'j', '› notes.txt');
    expect(frame).not.toContain('Save ZIP as:');
    await app.session.settle(); // an export a key might have started has ended
    expect(readFileSync(zip, 'utf8')).toBe('spoiled');
    await press(app, 'z', `Save ZIP as: ${zip}▌`);
    await press(app, KEYS.enter, 'Overwrite it? (y/n)');
    await press(app, 'y', (next) => !next.includes('Overwrite') && !next.includes('Writing…') && next.includes(`ZIP: ${zip} (3 files)`));
    expect(zipEntries(zip)).toEqual(readdirSync(workspace.outDir).sort());
  });

  it('writes the mapping CSV with m, readable by the owner only, and refuses to put it in the output folder', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, ACCEPTING);
    await toReview(app);
    await press(app, 'm', `Save mapping CSV as: ${workspace.outDir}-mapping.csv▌`);
    await press(app, KEYS.ctrlU, 'Save mapping CSV as: ▌');
    await type(app, 'out/map.csv', (typed) => `Save mapping CSV as: ${typed}▌`);
    await press(app, KEYS.enter, 'Save the mapping outside the output folder: it must never travel with the');
    expect(readdirSync(workspace.outDir).filter((name) => !name.endsWith('.dcm'))).toEqual([]);
    await press(app, KEYS.ctrlU, 'Save mapping CSV as: ▌');
    await type(app, 'mapping.csv', (typed) => `Save mapping CSV as: ${typed}▌`);
    const csv = path.join(workspace.root, 'mapping.csv');
    const frame = await press(app, KEYS.enter, `Mapping CSV: ${csv} (3 rows, readable by you only)`);
    expect(frame).not.toContain('Save the mapping outside');
    expect(statSync(csv).mode & 0o777).toBe(0o600);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('Original Filename,Anonymized Filename,Original Patient ID,Anonymized ID,Tags Anonymized,UIDs Regenerated');
    expect(rows.slice(1)).toEqual(
      records(workspace).map((record) =>
        [record.originalFilename, record.anonymizedFilename, record.originalPatientId, record.anonymizedPatientId, record.tagsAnonymized?.join(';') ?? '', record.uidsRegenerated?.join(';') ?? ''].map(csvCell).join(','),
      ),
    );
    expect(rows.slice(1).map((row) => row.split(',')[2]).sort()).toEqual(['55555', 'SCSGREEK', 'SCSRUSS']);
  });

  it('writes nothing but the outputs, the ZIP, the CSV and the mapping store; only the CSV and the store hold patient IDs', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, ACCEPTING);
    await toReview(app);
    await press(app, 'z', '▌');
    await press(app, KEYS.enter, 'ZIP: ');
    await press(app, 'm', '▌');
    await press(app, KEYS.enter, 'Mapping CSV: ');
    app.unmount();
    await app.session.settle();
    await app.session.close();
    const written = readdirSync(workspace.root, { recursive: true, encoding: 'utf8' })
      .filter((name) => !name.startsWith('in') && statSync(path.join(workspace.root, name)).isFile())
      .map((name) => (name.startsWith(`out${path.sep}`) ? `out/${name.endsWith('.dcm') ? '*.dcm' : name}` : name));
    expect([...new Set(written)].sort()).toEqual(['data/mapping.sqlite', 'out-mapping.csv', 'out.zip', 'out/*.dcm'].map((name) => name.split('/').join(path.sep)).sort());
    const patientIds = ['SCSGREEK', '55555', 'SCSRUSS'];
    for (const output of readdirSync(workspace.outDir)) {
      const bytes = readFileSync(path.join(workspace.outDir, output)).toString('latin1');
      for (const id of patientIds) expect(bytes.includes(id), `${output} contains ${id}`).toBe(false);
    }
    const csv = readFileSync(path.join(workspace.root, 'out-mapping.csv'), 'utf8');
    for (const id of patientIds) expect(csv).toContain(id);
  });
});
