import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MappingStore, Pseudonymizer } from '../src/index.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow, killLeftRunning, makeInstances, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';

// The watch daemon against uploads that try to get lost: replaced, paused, unreadable, copied over
// an output. A real daemon process on real folders; each test asserts where every upload ended.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-uploads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the upload hardening secret, 0123456789';
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const outputName = (sopUid: string) => `${keys.uid(sopUid)}.dcm`;

let counter = 0;
function setup(extraEnv: NodeJS.ProcessEnv = {}) {
  const base = path.join(root, `case-${++counter}`);
  const sources = path.join(base, 'sources');
  const quarantine = path.join(base, 'quarantine');
  const data = path.join(base, 'data');
  mkdirSync(sources, { recursive: true });
  const env = {
    DICOM_ANONYMIZE_ON_UPLOAD: 'true',
    DICOM_DATA_DIR: data,
    DICOM_QUARANTINE_DIR: quarantine,
    DICOM_ANON_SECRET: SECRET,
    DICOM_WATCH_STABLE_MS: '300',
    DICOM_WATCH_RETRY_MS: '100',
    ...extraEnv,
  };
  const start = () => {
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    return daemon;
  };
  const recordedOriginals = () => {
    const store = MappingStore.open(data);
    try {
      return store.records().map((record) => path.basename(record.originalFilename)).sort();
    } finally {
      store.close();
    }
  };
  return { base, sources, quarantine, start, recordedOriginals };
}

describe('the watch daemon never loses an upload', () => {
  it('takes a file renamed over an upload while the upload is processed as a new upload, and never removes it', async () => {
    const { base, sources, quarantine, start, recordedOriginals } = setup();
    // One group of many files: an upload whose output is being written waits for the rest of the
    // group (and its flush) before its original is removed, which leaves time to replace it.
    const uids = await makeInstances(ELE, sources, 60, 'IM');
    const [newUid] = await makeInstances(ELE, path.join(base, 'elsewhere'), 1, 'NEW');
    const byTemporary = new Map(uids.map((uid, index) => [outputName(uid), `IM${index + 1}`]));
    const daemon = start();
    let replaced: string | undefined;
    while (replaced === undefined) {
      for (const name of readdirSync(sources)) {
        const output = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name)?.[1];
        replaced = output === undefined ? undefined : byTemporary.get(output);
        if (replaced !== undefined) break;
      }
      if (daemon.child.exitCode !== null) throw new Error(`the daemon exited: ${daemon.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    renameSync(path.join(base, 'elsewhere', 'NEW1'), path.join(sources, replaced));

    const expected = [...uids, newUid ?? ''].map(outputName).sort();
    await waitUntil(() => JSON.stringify(filesBelow(sources)) === JSON.stringify(expected), 'every upload, the new one too, to be anonymized', 30_000);
    expect(daemon.output()).toContain(`${path.join(sources, replaced)} was replaced by a new upload while it was processed`);
    // Both files that were at that name are recorded: the one read first and the one renamed over it.
    expect(recordedOriginals().filter((name) => name === replaced)).toHaveLength(2);
    expect(filesBelow(quarantine)).toEqual([]);
  }, 90_000);
});
