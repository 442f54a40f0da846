import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { writeDaemonStatus } from '../src/status/daemon-status.js';
import { cleanupApps, createWorkspace, renderApp, renderAppInTerminal, waitForStartFolder } from './helpers/ink-app.js';
import { KEYS, lines, lineWith, press, waitForFrame } from './helpers/ink-keys.js';
import { pacedRun, releasePacedRuns } from './helpers/ink-paced-run.js';

// The App around the steps: help, the daemon panel, quitting, and the terminal's size.

afterEach(async () => {
  releasePacedRuns();
  await cleanupApps();
});

describe('TUI app', () => {
  it('shows the keys of the current screen and the global ones with ?, and closes on any key (q too)', async () => {
    const app = renderApp(createWorkspace());
    await waitForFrame(app, 'report.dcm');
    let frame = await press(app, '?', 'Press any key to close.');
    expect(lines(frame).slice(1, 19)).toEqual([
      'Keys',
      '1 Pick files',
      '  ↑ ↓, j k      move',
      '  PgUp PgDn     move a page',
      '  Enter         open folder',
      '  Backspace     go up',
      '  Space         select file or folder',
      '  a             select every DICOM file below (with a filter: shown)',
      '  /             filter by name',
      '  c             clear the selection',
      '  p             picture of the file, its regions outlined',
      '  Tab           continue to the options',
      '',
      'Everywhere',
      '  ?             this help',
      '  d             watch daemon status',
      '  q, Ctrl-C     quit',
      '',
    ]);
    expect(lines(frame)[22]).toBe('Any key: close');
    frame = await press(app, 'q', 'report.dcm');
    expect(frame).toContain('[1 Pick files]');
    await press(app, 'j', '› [ ] series/'); // the browser has the keys again
  });

  it('shows the watch daemon status with d, refreshed every 2 s, and closes with Esc', async () => {
    const workspace = createWorkspace();
    const app = renderApp(workspace);
    await waitForFrame(app, 'report.dcm');
    let frame = await press(app, 'd', 'Watch daemon: has not run with this data folder.');
    expect(lines(frame)[22]).toBe('Esc back · q quit');
    const now = new Date().toISOString();
    writeDaemonStatus(workspace.dataDir, {
      pid: process.pid,
      runningSince: '2024-05-01T08:00:00.000Z',
      watchedFolder: '/srv/dicom/incoming',
      queueLength: 2,
      doneToday: 17,
      quarantined: 1,
      lastError: { at: '2024-05-01T09:30:00.000Z', message: 'x.dcm: File is truncated' },
      state: 'running',
      updatedAt: now,
    });
    frame = await waitForFrame(app, 'Queue: 2 files', { timeout: 5000 });
    expect(lines(frame).slice(1, 9)).toEqual([
      'Watch daemon',
      '',
      `Watch daemon: running (pid ${process.pid}) since 2024-05-01T08:00:00.000Z`,
      'Watched folder: /srv/dicom/incoming',
      'Queue: 2 files',
      'Anonymized today: 17',
      'Quarantined since start: 1',
      'Last error: 2024-05-01T09:30:00.000Z x.dcm: File is truncated',
    ]);
    expect(lineWith(frame, 'Refreshed')).toMatch(/^Refreshed every 2 s, last at \d\d:\d\d:\d\d\.$/);
    await press(app, KEYS.escape, 'report.dcm');
  });

  it("shows the daemon's mapping store and that it waits for it, wrapped within 80×24, cut to fit at 60×16", async () => {
    const workspace = createWorkspace();
    const terminal = renderAppInTerminal(workspace, 80, 24);
    await waitForStartFolder(terminal);
    const store = 'PostgreSQL postgres://dicom-watch@mapping-database.imaging.hospital.example.org:5432/dicom_mapping';
    writeDaemonStatus(workspace.dataDir, {
      pid: process.pid,
      runningSince: '2024-05-01T08:00:00.000Z',
      watchedFolder: '/srv/dicom/incoming',
      queueLength: 3,
      doneToday: 5,
      quarantined: 0,
      mappingStore: store,
      storeWaitingSince: '2024-05-01T09:15:00.000Z',
      lastError: { at: '2024-05-01T09:15:00.000Z', message: `${store}: cannot open the mapping store: cannot reach the server: the server refused the connection` },
      state: 'running',
      updatedAt: new Date().toISOString(),
    });
    let frame = await press(terminal, 'd', 'Queue: 3 files');
    expect(lines(frame).slice(1, 17)).toEqual([
      'Watch daemon',
      '',
      `Watch daemon: running (pid ${process.pid}) since 2024-05-01T08:00:00.000Z`,
      'Waiting for its mapping store since 2024-05-01T09:15:00.000Z: no file is taken',
      'meanwhile',
      "Daemon's mapping store: PostgreSQL",
      'postgres://dicom-watch@mapping-database.imaging.hospital.example.org:5432/dicom_',
      'mapping',
      'Watched folder: /srv/dicom/incoming',
      'Queue: 3 files',
      'Anonymized today: 5',
      'Quarantined since start: 0',
      'Last error: 2024-05-01T09:15:00.000Z PostgreSQL',
      'postgres://dicom-watch@mapping-database.imaging.hospital.example.org:5432/dicom_',
      'mapping: cannot open the mapping store: cannot reach the server: the server',
      'refused the connection',
    ]);
    expect(lineWith(frame, 'Refreshed')).toMatch(/^Refreshed every 2 s, last at /);
    expect(lines(frame)[22]).toBe('Esc back · q quit');
    // At the smallest size the longest lines, lower first, give up rows, ending in "…": the refresh line and the keys stay.
    terminal.resize(60, 16);
    frame = await waitForFrame(terminal, (next) => next.includes('Quarantined since start: 0') && lines(next)[14] === 'Esc back · q quit');
    expect(lines(frame).slice(1, 14)).toEqual([
      'Watch daemon',
      '',
      `Watch daemon: running (pid ${process.pid}) since`,
      '2024-05-01T08:00:00.000Z',
      'Waiting for its mapping store since 2024-05-01T09:15:00.000…',
      "Daemon's mapping store: PostgreSQL postgres://dicom-watch@m…",
      'Watched folder: /srv/dicom/incoming',
      'Queue: 3 files',
      'Anonymized today: 5',
      'Quarantined since start: 0',
      'Last error: 2024-05-01T09:15:00.000Z PostgreSQL postgres://…',
      '',
      expect.stringMatching(/^Refreshed every 2 s, last at /),
    ]);
  });

  it('quits with q, and with Ctrl-C even while a text field has the keys', async () => {
    const first = renderAppInTerminal(createWorkspace(), 80, 24);
    await waitForFrame(first, 'report.dcm');
    first.stdin.write('q');
    await first.exited;
    const second = renderAppInTerminal(createWorkspace(), 80, 24);
    await waitForFrame(second, 'report.dcm');
    await press(second, '/', 'Filter: ▌');
    await press(second, 'q', 'Filter: q▌');
    second.stdin.write(KEYS.ctrlC);
    await second.exited;
  });

  it('follows the terminal when it is resized, and says when it is too small', async () => {
    const names = Array.from({ length: 40 }, (_, index) => `image-${String(index + 1).padStart(2, '0')}.dcm`);
    const terminal = renderAppInTerminal(createWorkspace(Object.fromEntries(names.map((name) => [name, 'fodicom_chrGreek.dcm']))), 80, 24);
    let frame = await waitForFrame(terminal, '1-17 of 41');
    expect(lines(frame)).toHaveLength(23);
    await press(terminal, KEYS.down, '› [ ] image-01.dcm');
    await press(terminal, KEYS.space, 'Selected: 1 file, 1.9 KB');
    terminal.resize(100, 30);
    frame = await waitForFrame(terminal, '1-23 of 41');
    expect(lines(frame)).toHaveLength(29);
    expect(lineWith(frame, 'image-01.dcm')).toBe(`› [x] image-01.dcm${' '.repeat(65)}1.9 KB DICOM`); // 100 columns wide
    terminal.resize(50, 12);
    frame = await waitForFrame(terminal, 'too small');
    expect(lines(frame).join(' ')).toContain('The terminal is too small: 50×12, needs at least 60×16. Enlarge it, or q to quit.');
    terminal.resize(80, 24);
    frame = await waitForFrame(terminal, '1-17 of 41');
    expect(lineWith(frame, 'Selected:')).toBe('Selected: 1 file, 1.9 KB');
  });

  it('keeps a run going while the terminal is too small, and shows where it got when it is big again', async () => {
    const paced = pacedRun();
    // greek.dcm and noextension are secondary captures, so may carry burned-in text: accepted, as this test is about the terminal's size.
    const terminal = renderAppInTerminal(createWorkspace(), 80, 24, { deps: { anonymize: paced.anonymize }, defaults: { ...DEFAULT_OPTIONS, burnedIn: 'accept' } });
    await waitForFrame(terminal, 'report.dcm');
    await press(terminal, 'a', 'Selected 3 DICOM files.');
    await press(terminal, KEYS.tab, '[2 Configure]');
    await press(terminal, KEYS.enter, '0/3 files');
    terminal.resize(50, 12);
    await waitForFrame(terminal, 'too small');
    await paced.release();
    await paced.release();
    await paced.release();
    terminal.resize(80, 24);
    const frame = await waitForFrame(terminal, 'Done: 3 anonymized, 0 failed');
    expect(frame).toContain('3/3 files 100%');
  });
});
