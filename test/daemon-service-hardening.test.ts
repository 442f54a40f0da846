import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { readDaemonStatus } from '../src/status/daemon-status.js';
import { MAPPING_STORE_FILENAME } from '../src/store/sqlite-mapping-store.js';
import { LOCK_FILENAME } from '../daemon/instance-lock.js';
import { corpusDir } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';
import { daemonCase, filesBelow, killLeftRunning, makeInstances, recordsIn, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';

// The watch daemon as a service meets an unlucky administrator: its store or Sources folder removed
// under it, a stale lock, a full disk. A real daemon process on real folders each time.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-daemon-service-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the daemon service tests secret, 0123';
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
// A whole file: an image SOP class without Pixel Data (fodicom_GH223) now waits as an upload still arriving.
// A CT, not a secondary capture (fodicom_chrGreek): these tests are about the service, not the burned-in refusal.
const SMALL = path.join(corpusDir, 'fodicom_CT1_J2KI.dcm');
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));

let counter = 0;
function setup() {
  const { base, sources, data, env } = daemonCase(path.join(root, `case-${++counter}`), SECRET);
  const start = () => {
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    return daemon;
  };
  return { base, sources, data, env, start, records: () => recordsIn(data) };
}

const outputName = (sopUid: string | undefined) => `${keys.uid(sopUid ?? '')}.dcm`;

describe('the watch daemon as a service', () => {
  it('stops taking files when its SQLite store is removed under it, saves what the store held, and carries on from that copy after a restart', async () => {
    const { sources, data, start, records } = setup();
    const daemon = start();
    const [first] = await makeInstances(SMALL, sources, 1, 'FIRST');
    await waitUntil(() => filesBelow(sources).join() === outputName(first), 'the first upload to be anonymized');
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(data, `${MAPPING_STORE_FILENAME}${suffix}`), { force: true });

    const [second] = await makeInstances(SMALL, sources, 1, 'SECOND');
    const upload = readFileSync(path.join(sources, 'SECOND1'));
    // The check runs when a group would take the settled upload: past it, the upload was due.
    await waitUntil(() => daemon.output().includes('the database file was removed or replaced while the mapping store was open'), 'the daemon to notice');
    await waitUntil(() => typeof readDaemonStatus(data)?.storeWaitingSince === 'string', 'the status to say it waits');
    expect(filesBelow(sources)).toEqual([outputName(first), 'SECOND1'].sort());
    expect(readFileSync(path.join(sources, 'SECOND1')).equals(upload)).toBe(true);
    const saved = readdirSync(data).filter((name) => name.startsWith(`${MAPPING_STORE_FILENAME}.saved-`));
    expect(saved).toHaveLength(1);
    expect(statSync(path.join(data, saved[0] ?? '')).mode & 0o777).toBe(0o600);
    expect(daemon.output()).toContain(`the mappings it holds are saved in ${path.join(data, saved[0] ?? '')}: stop the daemon, move that file to ${path.join(data, MAPPING_STORE_FILENAME)}`);
    expect(readDaemonStatus(data)?.lastError?.message).toContain('was removed or replaced');

    // The operator does what the log says.
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(data, `${MAPPING_STORE_FILENAME}${suffix}`), { force: true });
    renameSync(path.join(data, saved[0] ?? ''), path.join(data, MAPPING_STORE_FILENAME));
    start();
    await waitUntil(() => filesBelow(sources).join() === [outputName(first), outputName(second)].sort().join(), 'the second upload to be anonymized');
    expect(records().map((record) => record.originalFilename).sort()).toEqual([path.join(sources, 'FIRST1'), path.join(sources, 'SECOND1')]);
    expect(existsSync(path.join(data, MAPPING_STORE_FILENAME))).toBe(true);
  });

  it('says in its status that Sources is missing while it is, and watches the folder made again', async () => {
    const { sources, data, start } = setup();
    const daemon = start();
    const [before] = await makeInstances(SMALL, sources, 1, 'BEFORE');
    await waitUntil(() => filesBelow(sources).join() === outputName(before), 'the first upload to be anonymized');

    rmSync(sources, { recursive: true });
    await waitUntil(() => typeof readDaemonStatus(data)?.sourcesMissingSince === 'string', 'the status to say Sources is missing');
    const shown = runCli(['status'], { env: { DICOM_DATA_DIR: data } }).stdout;
    expect(shown).toContain(`Watched folder missing since ${readDaemonStatus(data)?.sourcesMissingSince}: it is watched again once it is there`);
    expect(shown).toContain(`the Sources folder ${sources} is missing (removed or not a folder); nothing is taken until it is there again`);

    mkdirSync(sources);
    const [after] = await makeInstances(SMALL, sources, 1, 'AFTER');
    await waitUntil(() => filesBelow(sources).join() === outputName(after), 'an upload into the new folder to be anonymized');
    expect(daemon.output()).toContain(`the Sources folder ${sources} is there again; watching it`);
    expect(readDaemonStatus(data)?.sourcesMissingSince).toBeNull();
    expect(runCli(['status'], { env: { DICOM_DATA_DIR: data } }).stdout).not.toContain('Watched folder missing');
    // The new folder is locked too: a second daemon is refused.
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`another watch daemon (pid ${daemon.child.pid}) is already watching ${sources}`);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });

  it('starts despite a lock file naming a pid that another process now uses', async () => {
    const { sources, start } = setup();
    // What a daemon of an earlier version left when killed, its pid since taken by a live process (this test's).
    writeFileSync(path.join(sources, LOCK_FILENAME), `${process.pid}\n`);
    const daemon = start();
    const [upload] = await makeInstances(SMALL, sources, 1, 'AFTER');
    await waitUntil(() => filesBelow(sources).join() === outputName(upload), `the upload to be anonymized: ${daemon.output()}`);
    expect(daemon.output()).not.toContain('already watching');
    // It still keeps a second daemon off, naming the first.
    const second = start();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`another watch daemon (pid ${daemon.child.pid}) is already watching ${sources}; stop it first`);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(existsSync(path.join(sources, LOCK_FILENAME))).toBe(false);
  });

  it('starts again at once after being killed with SIGKILL, five times in a row', async () => {
    const { sources, start } = setup();
    // Each started the moment the previous one is sent SIGKILL, as `kill -9 PID; dicom-tools watch` does.
    for (let round = 1; round <= 5; round++) {
      const daemon = start();
      await waitUntil(() => daemon.output().includes('watching') || daemon.child.exitCode !== null, `daemon ${round} to start`);
      expect(daemon.output(), `round ${round}`).not.toContain('already watching');
      expect(daemon.child.exitCode, `round ${round}`).toBeNull();
      daemon.child.kill('SIGKILL');
    }
    const last = start();
    const [upload] = await makeInstances(SMALL, sources, 1, 'LAST');
    await waitUntil(() => filesBelow(sources).join() === outputName(upload), `the upload to be anonymized: ${last.output()}`);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
  });

  // A full disk, for real: a 1 MiB tmpfs as the data folder (mounting needs root; skipped without).
  const full = path.join(root, 'full-data');
  mkdirSync(full);
  const canMount = (() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', full], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  afterAll(() => {
    if (canMount) execFileSync('umount', [full]);
  });

  it.skipIf(!canMount)('leaves no temporary status file behind while its data folder is full, and says so once', async () => {
    const { sources, env } = setup();
    const daemon = startDaemon(sources, { ...env, DICOM_DATA_DIR: full });
    running.push(daemon);
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    const filler = path.join(full, 'filler');
    try {
      for (;;) appendFileSync(filler, Buffer.alloc(16 << 10));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const [upload] = await makeInstances(SMALL, sources, 1, 'FULL');
    await waitUntil(() => daemon.output().includes('waiting for the mapping store'), 'the daemon to wait for its store');
    await waitUntil(() => daemon.output().includes('cannot write the status record: ENOSPC'), 'a status write to fail');
    expect(readdirSync(full).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    rmSync(filler);
    await waitUntil(() => filesBelow(sources).join() === outputName(upload), 'the upload to be anonymized once there is room');
    await waitUntil(() => daemon.output().includes('the status record is written again'), 'the status record to be written again');
    expect(readdirSync(full).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(daemon.output().split('cannot write the status record').length - 1).toBe(1);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });
});
