import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Sqlite from 'better-sqlite3';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { cleanupApps, createWorkspace, renderApp, STANDARD_INPUT, waitForStartFolder, type RenderedApp } from './helpers/ink-app.js';
import { KEYS, lines, lineWith, press, waitForFrame } from './helpers/ink-keys.js';
import { pacedRun, releasePacedRuns } from './helpers/ink-paced-run.js';

// Step 3: the real anonymizer with a progress bar, failures as they happen, and Esc to cancel.

// The standard input holds secondary captures (greek.dcm, series/noextension), at risk of burned-in
// text: the runs accept them (as DICOM_BURNED_IN=accept would), as this test is about the run screen.
const ACCEPTING: DeidOptions = { ...DEFAULT_OPTIONS, burnedIn: 'accept' };

afterEach(async () => {
  releasePacedRuns();
  await cleanupApps();
});

/** Selects every DICOM file, and optionally notes.txt (not DICOM), then starts the run from step 2. */
async function startRun(app: RenderedApp, withNotes = false): Promise<string> {
  await waitForStartFolder(app);
  await press(app, 'a', 'Selected 3 DICOM files.');
  if (withNotes) {
    await press(app, KEYS.down, '› [x] series/');
    await press(app, KEYS.down, '› [x] greek.dcm');
    await press(app, KEYS.down, '› [ ] notes.txt');
    await press(app, KEYS.space, '› [x] notes.txt');
  }
  await press(app, KEYS.tab, '[2 Configure]');
  return press(app, KEYS.enter, '[3 Anonymize]');
}

const bar = (filled: number, width: number) => `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;

describe('TUI step 3: anonymize', () => {
  it('anonymizes the selection into the output folder and lists each failure with its reason', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace, { defaults: ACCEPTING });
    await startRun(app, true);
    // The key hint follows the run: Esc no longer cancels once it is done.
    const frame = await waitForFrame(app, (shown) => /Done: 3 anonymized, 1 failed in \d+\.\d s\./.test(shown) && !shown.includes('Esc cancel'));
    expect(lineWith(frame, 'Anonymizing')).toBe(`Anonymizing 4 files into ${workspace.outDir}`);
    expect(lineWith(frame, 'files 100%')).toBe(`${bar(65, 65)} 4/4 files 100%`);
    expect(lineWith(frame, 'Failed (1):')).toBe('Failed (1):');
    expect(lineWith(frame, 'notes.txt:')).toBe('  notes.txt: File not recognized as DICOM: no DICM prefix at byte 128 and the f…');
    expect(lines(frame)[22]).toBe('Enter review · q quit · ? help');
    const outputs = readdirSync(workspace.outDir);
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(output).toMatch(/^2\.25\.\d+\.dcm$/);
  });

  it('records the subject-ID mark with the batch whose files used the list (DICOM_PATIENT_IDS)', async () => {
    const workspace = createWorkspace(STANDARD_INPUT, { DICOM_PATIENT_IDS: 'subjects.csv', DICOM_UNLISTED_PATIENTS: 'pseudonym' });
    writeFileSync(path.join(workspace.root, 'subjects.csv'), 'Original Patient ID,Subject ID\nSCSGREEK,SUBJECT-0042\n');
    const app = renderApp(workspace, { defaults: ACCEPTING });
    await startRun(app);
    await waitForFrame(app, (shown) => /Done: 3 anonymized, 0 failed/.test(shown));
    const withSubjectId = readdirSync(workspace.outDir).filter((name) => readFileSync(path.join(workspace.outDir, name)).includes('SUBJECT-0042'));
    expect(withSubjectId).toHaveLength(1);
    // The batch's row says what its outputs were made with: the list's mark, as for the CLI and the daemon.
    const db = new Sqlite(path.join(workspace.dataDir, 'mapping.sqlite'), { readonly: true });
    try {
      const stored = db.prepare("SELECT options FROM batches WHERE source = 'tui'").pluck().all() as string[];
      expect(stored).toHaveLength(1);
      expect((JSON.parse(stored[0]!) as DeidOptions).subjectIds).toBe(true);
    } finally {
      db.close();
    }
  });

  it('shows files done/total, files per second and time left by the clock as files finish', async () => {
    const workspace = createWorkspace();
    const paced = pacedRun();
    let time = 1_700_000_000_000;
    const app = renderApp(workspace, { defaults: ACCEPTING, deps: { anonymize: paced.anonymize, now: () => time } });
    let frame = await startRun(app);
    expect(lineWith(frame, 'files   0%')).toBe(`${bar(0, 65)} 0/3 files   0%`);
    expect(lines(frame)[22]).toBe('Esc cancel · Enter review when done · ? help');
    expect(lineWith(frame, 'files/s')).toBe('- files/s · 0:00 elapsed · about - left');
    time += 2000;
    await paced.release();
    frame = await waitForFrame(app, '1/3 files');
    expect(lineWith(frame, 'files  33%')).toBe(`${bar(21, 65)} 1/3 files  33%`);
    expect(lineWith(frame, 'files/s')).toBe('0.5 files/s · 0:02 elapsed · about 0:04 left');
    time += 6000;
    await paced.release();
    frame = await waitForFrame(app, '2/3 files');
    expect(lineWith(frame, 'files  66%')).toBe(`${bar(43, 65)} 2/3 files  66%`);
    expect(lineWith(frame, 'files/s')).toBe('0.3 files/s · 0:08 elapsed · about 0:04 left');
    await paced.release();
    frame = await waitForFrame(app, 'Done: 3 anonymized, 0 failed in 8.0 s.');
    expect(frame).not.toContain('Failed');
  });

  it('cancels with Esc: no new file starts, and every output written is complete', async () => {
    const workspace = createWorkspace();
    const paced = pacedRun();
    const app = renderApp(workspace, { defaults: ACCEPTING, deps: { anonymize: paced.anonymize } });
    await startRun(app);
    await paced.release();
    await waitForFrame(app, '1/3 files');
    let frame = await press(app, KEYS.escape, (shown) => shown.includes('Cancelling: files in progress finish, no new ones start…') && !shown.includes('Esc cancel'));
    expect(lines(frame)[22]).toBe('q quit · ? help');
    await paced.release(); // the run reaches its next file, sees the cancel, and stops
    frame = await waitForFrame(app, (shown) => shown.includes('Cancelled after 1 of 3 files. Every output written is complete.') && shown.includes('Enter review · q quit'));
    expect(lines(frame)[22]).toBe('Enter review · q quit · ? help');
    const outputs = readdirSync(workspace.outDir);
    expect(outputs).toHaveLength(1);
    expect(readDicomFile(path.join(workspace.outDir, outputs[0] ?? '')).dataSet.length).toBeGreaterThan(0);
    const store = SqliteMappingStore.open(workspace.dataDir);
    try {
      expect(store.records().map((record) => record.anonymizedFilename)).toEqual(outputs);
    } finally {
      store.close();
    }
    frame = await press(app, KEYS.enter, '[4 Review & download]');
    expect(lines(frame).filter((line) => / done +ANON-/.test(line))).toHaveLength(1);
  });

  it('quitting during a run lets the file in progress finish and starts no other', async () => {
    const workspace = createWorkspace();
    const paced = pacedRun();
    const app = renderApp(workspace, { defaults: ACCEPTING, deps: { anonymize: paced.anonymize } });
    await startRun(app);
    await paced.release();
    await waitForFrame(app, '1/3 files');
    app.unmount(); // what q does: the App goes away, its run is cancelled
    await paced.release();
    await app.session.settle();
    expect(readdirSync(workspace.outDir)).toHaveLength(1);
  });

  it('says plainly when the mapping store cannot be opened, and goes back with Esc', async () => {
    const workspace = createWorkspace();
    writeFileSync(workspace.dataDir, 'a file where the data folder should be');
    const app = renderApp(workspace, { defaults: ACCEPTING });
    await startRun(app);
    const frame = await waitForFrame(app, (shown) => shown.includes('Could not anonymize: ') && !shown.includes('Esc cancel'));
    expect(lineWith(frame, 'Could not anonymize:')).toContain(`${workspace.dataDir}: cannot create the data folder`);
    expect(lines(frame)[22]).toBe('Enter or Esc back to the options · q quit · ? help');
    await press(app, KEYS.escape, '[2 Configure]');
  });
});
