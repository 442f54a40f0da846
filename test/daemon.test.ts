import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { isTemporary } from '../src/io/temporary-name.js';
import { readDaemonStatus } from '../src/status/daemon-status.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { UploadJournal } from '../src/store/upload-journal.js';
import { LOCK_FILENAME } from '../daemon/instance-lock.js';
import { corpusDir } from './helpers/corpus.js';
import { daemonCase, filesBelow, makeInstances, startDaemon, waitUntil, killLeftRunning, type DaemonProcess } from './helpers/daemon-process.js';
import { parseCsv } from './helpers/parse-csv.js';
import { runCli } from './helpers/run-cli.js';

// The real daemon as a child process on real temporary folders. Each test asserts the end state of
// Sources, the quarantine and the mapping store.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-daemon-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the daemon tests secret, 0123456789';
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));

let counter = 0;
function setup(extraEnv: NodeJS.ProcessEnv = {}) {
  const { base, sources, quarantine, data, env } = daemonCase(path.join(root, `case-${++counter}`), SECRET, extraEnv);
  const start = (args: readonly string[] = [], cwd?: string) => {
    const daemon = startDaemon(sources, env, args, cwd);
    running.push(daemon);
    return daemon;
  };
  const records = () => {
    const store = SqliteMappingStore.open(data);
    try {
      return store.records();
    } finally {
      store.close();
    }
  };
  return { base, sources, quarantine, data, env, start, records };
}

const expectedName = (sopUid: string) => `${keys.uid(sopUid)}.dcm`;
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
// A small whole image (a CT header without Pixel Data cannot be whole: the daemon does not take it).
// A CT, not a secondary capture (fodicom_chrGreek), which would be refused as it may carry burned-in text.
const SMALL = path.join(corpusDir, 'fodicom_CT1_J2KI.dcm');

describe('the watch daemon', () => {
  it('does nothing to files and says so plainly when DICOM_ANONYMIZE_ON_UPLOAD is not true', async () => {
    const { sources, start } = setup({ DICOM_ANONYMIZE_ON_UPLOAD: 'false' });
    copyFileSync(ELE, path.join(sources, 'IM1'));
    const daemon = start();
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).toContain('DICOM_ANONYMIZE_ON_UPLOAD is not true: the watch daemon is off and will not touch any file.');
    expect(filesBelow(sources)).toEqual(['IM1']);
  });

  it('anonymizes what arrived while it was down and what lands later, in nested folders, leaving the rest alone', async () => {
    const { base, sources, quarantine, start, records, data } = setup();
    const outside = path.join(root, `outside-${counter}.dcm`);
    copyFileSync(ELE, outside);
    const [early] = await makeInstances(ELE, sources, 1, 'EARLY');
    const daemon = start();
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    const later = await makeInstances(ELE, path.join(sources, 'a', 'b'), 2, 'LATE');
    writeFileSync(path.join(sources, 'notes.txt'), 'not DICOM\n');
    copyFileSync(path.join(corpusDir, 'fodicom_GH179B.dcm'), path.join(sources, 'a', 'broken.dcm'));
    symlinkSync(outside, path.join(sources, 'link-out.dcm'));
    copyFileSync(SMALL, path.join(sources, 'read-only.dcm'));
    chmodSync(path.join(sources, 'read-only.dcm'), 0o444);
    const small = textAt(readDicomFile(SMALL), [], 0x00080018)[0] ?? '';
    const expected = [
      expectedName(early ?? ''),
      path.join('a', 'b', expectedName(later[0] ?? '')),
      path.join('a', 'b', expectedName(later[1] ?? '')),
      expectedName(small),
      'link-out.dcm',
      'notes.txt',
    ].sort();
    await waitUntil(() => JSON.stringify(filesBelow(sources)) === JSON.stringify(expected) && filesBelow(quarantine).length === 2, 'Sources and quarantine to settle');

    const [quarantined, reason] = filesBelow(quarantine);
    expect(quarantined).toMatch(/-broken\.dcm$/);
    expect(readFileSync(path.join(quarantine, reason ?? ''), 'utf8')).toContain('problem: ');
    expect(readFileSync(path.join(quarantine, reason ?? ''), 'utf8')).toContain('Malformed DICOM: invalid VR bytes (not two upper-case letters) (at (0028,0120), byte offset 1402)');
    expect(readFileSync(outside).equals(readFileSync(ELE))).toBe(true);
    expect(records().map((record) => path.basename(record.originalFilename)).sort()).toEqual(['EARLY1', 'LATE1', 'LATE2', 'read-only.dcm']);
    expect(daemon.output()).not.toContain('PATIENT-'); // Patient IDs never reach a log line
    expect(daemon.output()).toContain('left alone (not DICOM)');
    for (const record of records()) {
      expect(record.tagsAnonymized).toEqual(expect.arrayContaining(['SOPInstanceUID', 'PatientName', 'PatientID']));
      expect(record.uidsRegenerated).toContain('SOPInstanceUID');
    }
    const uidCsv = path.join(base, 'uids.csv');
    const patientCsv = path.join(base, 'patients.csv');
    expect(runCli(['mapping', 'export', '--uids', uidCsv, '--patients', patientCsv], { env: { DICOM_DATA_DIR: data } }).status).toBe(0);
    const eleStudy = textAt(readDicomFile(ELE), [], 0x0020000d)[0] ?? '';
    const uidRows = parseCsv(readFileSync(uidCsv, 'utf8'));
    expect(uidRows[0]).toEqual(['id_old', 'id_new']);
    expect(uidRows).toEqual(expect.arrayContaining([early, ...later, small, eleStudy].map((uid) => [uid, keys.uid(uid ?? '')])));
    expect(new Set(uidRows.map((row) => row[0])).size).toBe(uidRows.length);
    const patientPairs = records().map((record) => `${record.originalPatientId},${record.anonymizedPatientId}`);
    expect(readFileSync(patientCsv, 'utf8')).toBe(`id_old,id_new\n${[...new Set(patientPairs)].join('\n')}\n`);
    expect(new Set(patientPairs).size).toBe(3); // PATIENT-0 twice, PATIENT-1, and the small file's patient

    await waitUntil(() => readDaemonStatus(data)?.doneToday === 4 && readDaemonStatus(data)?.queueLength === 0, 'the status record to catch up');
    expect(readDaemonStatus(data)).toMatchObject({ state: 'running', watchedFolder: sources, doneToday: 4, quarantined: 1, queueLength: 0 });
    const shown = runCli(['status'], { env: { DICOM_DATA_DIR: data } });
    expect(shown.stdout).toContain(`Watched folder: ${sources}`);
    expect(shown.stdout).toContain('Anonymized today: 4');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(readDaemonStatus(data)?.state).toBe('stopped');
    expect(existsSync(path.join(sources, LOCK_FILENAME))).toBe(false);
    expect(runCli(['status'], { env: { DICOM_DATA_DIR: data } }).stdout).toContain('Watch daemon: not running');
  });

  it('leaves its outputs of an earlier run alone when started again: no new output, no new record', async () => {
    const { sources, start, records } = setup({ DICOM_WATCH_STABLE_MS: '100', DICOM_WATCH_POLL_MS: '100' });
    const first = await makeInstances(ELE, sources, 3, 'RUN');
    const daemon = start();
    await waitUntil(() => records().length === 3 && filesBelow(sources).length === 3 && filesBelow(sources).every((name) => name.startsWith('2.25.')), 'the first run');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const again = start();
    await waitUntil(() => again.output().includes('watching'), 'the second run to watch');
    // A new upload after the outputs were seen: once it is done, the outputs have been looked at
    // too. It is named by its UID, as PACS exports are: a name like ours is not enough to be left alone.
    const [late] = await makeInstances(ELE, path.join(root, `staging-${counter}`), 1, 'LATE');
    mkdirSync(path.join(sources, 'later'));
    copyFileSync(path.join(root, `staging-${counter}`, 'LATE1'), path.join(sources, 'later', `${late}.dcm`));
    await waitUntil(() => filesBelow(sources).includes(path.join('later', expectedName(late ?? ''))), 'the new upload');
    await new Promise((resolve) => setTimeout(resolve, 500));
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(filesBelow(sources)).toEqual([...first.map(expectedName), path.join('later', expectedName(late ?? ''))].sort());
    expect(records()).toHaveLength(4);
  });

  it('refuses to run twice on one Sources folder, and takes over the lock of a daemon that died', async () => {
    const { sources, start } = setup();
    const first = start();
    await waitUntil(() => first.output().includes('watching'), 'the first daemon to start');
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`another watch daemon (pid ${first.child.pid}) is already watching ${sources}; stop it first`);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(path.join(sources, LOCK_FILENAME))).toBe(true); // left behind by the killed daemon
    const third = start();
    await waitUntil(() => third.output().includes('watching'), 'a new daemon to take over the stale lock');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });

  it('waits until a slow upload has stopped growing', async () => {
    const { sources, start, records } = setup({ DICOM_WATCH_STABLE_MS: '600' });
    const daemon = start();
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    const bytes = readFileSync(ELE);
    const target = path.join(sources, 'slow-upload');
    const chunk = Math.ceil(bytes.length / 5);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      appendFileSync(target, bytes.subarray(offset, offset + chunk));
      await new Promise((resolve) => setTimeout(resolve, 250)); // an upload trickling in, slower than nothing
      expect(filesBelow(sources)).toEqual(['slow-upload']);
    }
    await waitUntil(() => records().length === 1, 'the upload to be anonymized');
    const output = path.join(sources, records()[0]?.anonymizedFilename ?? '');
    // The record is committed before the original goes (set aside, then removed): wait for that too.
    await waitUntil(() => filesBelow(sources).length === 1, 'the original to be removed');
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    expect(textAt(readDicomFile(output), [], 0x00100010)[0]).toMatch(/^ANON-/);
  });

  it('takes its tuning from .env in its working folder, the environment winning', async () => {
    // Only .env sets the tuning (the other tests set it in the environment); the retry time is also in the environment.
    const { base, sources, start, records } = setup({ DICOM_WATCH_STABLE_MS: undefined, DICOM_WATCH_RETRY_MS: '120' });
    const cwd = path.join(base, 'cwd');
    mkdirSync(cwd);
    writeFileSync(path.join(cwd, '.env'), 'DICOM_WATCH_STABLE_MS=100\nDICOM_WATCH_CONCURRENCY=3\nDICOM_WATCH_POLL_MS=100\nDICOM_WATCH_RETRY_MS=150\n');
    const daemon = start([], cwd);
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    expect(daemon.output()).toContain('taking files after 100 ms unchanged, 3 groups in flight, polling every 100 ms, retrying after 120 ms');
    const copied = Date.now();
    copyFileSync(SMALL, path.join(sources, 'IM1'));
    await waitUntil(() => records().length === 1, 'the file to be anonymized');
    // With the default DICOM_WATCH_STABLE_MS (2000) the file could not have been taken this soon.
    expect(Date.now() - copied).toBeLessThan(2000);
  });

  it('refuses a bad tuning value in .env, naming the variable, and touches nothing', async () => {
    const { base, sources, start } = setup({ DICOM_WATCH_STABLE_MS: undefined });
    writeFileSync(path.join(base, '.env'), 'DICOM_WATCH_STABLE_MS=2s\n');
    copyFileSync(SMALL, path.join(sources, 'IM1'));
    const daemon = start([], base);
    expect(await daemon.exited).toBe(2);
    expect(daemon.output()).toBe('dicom-tools watch: DICOM_WATCH_STABLE_MS must be a whole number from 1 to 86400000, not "2s"\n');
    expect(filesBelow(sources)).toEqual(['IM1']);
  });

  it('works through a burst of files steadily and writes JSON log lines on request', async () => {
    const { sources, start, records } = setup({ DICOM_WATCH_CONCURRENCY: '3' });
    const uids = await makeInstances(SMALL, path.join(root, `burst-${counter}`), 400);
    const daemon = start(['--log-format', 'json']);
    await waitUntil(() => daemon.output().includes('"event":"started"'), 'the daemon to start');
    for (let index = 0; index < uids.length; index++) copyFileSync(path.join(root, `burst-${counter}`, `IM${index + 1}`), path.join(sources, `IM${index + 1}`));
    await waitUntil(() => records().length === uids.length && filesBelow(sources).length === uids.length, 'the burst to be done', 60_000);
    expect(filesBelow(sources)).toEqual(uids.map(expectedName).sort());
    for (const line of daemon.output().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  }, 120_000);

  it('loses nothing, leaves no original or half-written file, and never anonymizes twice, when killed repeatedly', async () => {
    const { sources, quarantine, start, records, data } = setup({ DICOM_WATCH_CONCURRENCY: '2', DICOM_WATCH_STABLE_MS: '100' });
    const uids = await makeInstances(ELE, sources, 120);
    let kills = 0;
    for (let round = 0; round < 6; round++) {
      const daemon = start();
      const before = records().length;
      // Kill as soon as some work of this round is visible: in the middle of writing, recording or removing.
      await waitUntil(() => records().length > before + round || filesBelow(sources).some((name) => isTemporary(path.basename(name))), 'work to start', 30_000).catch(() => undefined);
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      kills++;
      if (records().length === uids.length) break;
    }
    expect(kills).toBeGreaterThan(1);
    const last = start();
    await waitUntil(() => records().length >= uids.length && filesBelow(sources).length === uids.length, 'the rest to be done', 60_000);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    expect(filesBelow(sources)).toEqual(uids.map(expectedName).sort()); // every original gone, one output each, no temporary file
    const mapped = records();
    expect(mapped).toHaveLength(uids.length); // nothing recorded twice
    expect(new Set(mapped.map((record) => record.originalFilename)).size).toBe(uids.length);
    expect(filesBelow(quarantine)).toEqual([]);
    const store = SqliteMappingStore.open(data);
    expect(UploadJournal.of(store).entries()).toEqual([]);
    // Recorded by whichever run finished a file, or by recovery after a kill: every pair is there once.
    const pairs = store.uidPairs();
    expect(pairs).toEqual(expect.arrayContaining(uids.map((uid) => ({ original: uid, anonymized: keys.uid(uid) }))));
    expect(new Set(pairs.map((pair) => pair.original)).size).toBe(pairs.length);
    store.close();
    for (const name of filesBelow(sources).slice(0, 10)) expect(() => readDicomFile(path.join(sources, name))).not.toThrow();
  }, 180_000);

  // An immutable file (chattr +i) cannot be removed even by root, while its folder stays writable:
  // the daemon can write the anonymized file beside it but not remove the original.
  const canMakeImmutable = (() => {
    const probe = path.join(root, 'immutable-probe');
    writeFileSync(probe, '');
    try {
      execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
      execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      rmSync(probe, { force: true });
    }
  })();

  it.skipIf(!canMakeImmutable)('records an upload once when its original cannot be removed, and removes it once it can', async () => {
    const { sources, data, start, records } = setup();
    const original = path.join(sources, 'IM1');
    copyFileSync(ELE, original);
    const output = path.join(sources, expectedName(textAt(readDicomFile(original), [], 0x00080018)[0] ?? ''));
    execFileSync('chattr', ['+i', original]);
    try {
      const daemon = start();
      // Three attempts, then quarantine, which cannot move the file either: it stays in Sources.
      await waitUntil(() => daemon.output().includes('cannot quarantine'), 'the attempts to run out', 30_000);
      expect(daemon.output()).toContain('anonymized, but the original cannot be removed');
      expect(existsSync(output)).toBe(true);
      expect(existsSync(original)).toBe(true);
      expect(records()).toHaveLength(1); // not recorded again on each attempt
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      const store = SqliteMappingStore.open(data);
      expect(UploadJournal.of(store).entries()).toEqual([{ originalPath: original, outputPath: output, state: 'written', originalIdentity: expect.stringMatching(/^\d+:\d+:\d+$/) }]);
      store.close();
      // Started again while the original still cannot go: recovery says so and the daemon runs.
      const blocked = start();
      await waitUntil(() => blocked.output().includes('watching'), 'the daemon to start despite the stuck original');
      expect(blocked.output()).toContain(`cannot finish interrupted work on ${keys.uploadId('IM1')}`); // named by its id (DICOM_LOG_NAMES)
      blocked.child.kill('SIGTERM');
      expect(await blocked.exited).toBe(0);
      expect(records()).toHaveLength(1);
    } finally {
      execFileSync('chattr', ['-i', original]);
    }
    const again = start();
    await waitUntil(() => !existsSync(original), 'the original to be removed on the next start');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(filesBelow(sources)).toEqual([path.basename(output)]);
    expect(records()).toHaveLength(1);
    const store = SqliteMappingStore.open(data);
    expect(UploadJournal.of(store).entries()).toEqual([]);
    store.close();
  }, 60_000);

  it('stops cleanly on SIGTERM during start-up, before it watches', async () => {
    const { sources, start } = setup();
    await makeInstances(ELE, sources, 300);
    const daemon = start();
    // Logged just before start-up (recovery, then the first scan of Sources) begins.
    await waitUntil(() => daemon.output().includes('mapping batch'), 'start-up to begin');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).toContain('stopped');
  });

  it('finishes the files in flight on SIGTERM and exits 0', async () => {
    const { sources, start, records } = setup({ DICOM_WATCH_CONCURRENCY: '2', DICOM_WATCH_STABLE_MS: '100' });
    // More files than one group takes: SIGTERM comes while later groups are still being prepared.
    const uids = await makeInstances(ELE, sources, 700);
    const daemon = start();
    await waitUntil(() => records().length > 0, 'the first group to be done');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).toContain('SIGTERM received');
    const names = filesBelow(sources);
    expect(names.filter((name) => isTemporary(path.basename(name)))).toEqual([]);
    const done = records().length;
    expect(names.filter((name) => name.startsWith('2.25.'))).toHaveLength(done); // each finished file: output present...
    expect(names.filter((name) => name.startsWith('IM'))).toHaveLength(uids.length - done); // ...and original gone; the rest untouched
    expect(done).toBeLessThan(uids.length);
    const again = start();
    await waitUntil(() => again.output().includes('watching'), 'the restarted daemon to watch');
    await waitUntil(() => records().length === uids.length && filesBelow(sources).length === uids.length, 'the rest after a restart', 60_000);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(existsSync(path.join(sources, 'IM1'))).toBe(false);
  }, 120_000);
});
