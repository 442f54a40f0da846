import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow, makeInstances, startDaemon, waitUntil, killLeftRunning, type DaemonProcess } from './helpers/daemon-process.js';

// The real daemon with DICOM_PATIENT_IDS: listed patients get their subject ID, an unlisted
// patient's file is quarantined with its reason, and no ID reaches the log.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-daemon-subjects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the daemon subject-ID tests secret';
const keys = new Pseudonymizer(Buffer.from(SECRET, 'utf8'));
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));

let counter = 0;
function setup(list: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const base = path.join(root, `case-${++counter}`);
  const sources = path.join(base, 'sources');
  mkdirSync(sources, { recursive: true });
  const listFile = path.join(base, 'subjects.csv');
  writeFileSync(listFile, list);
  const env = {
    DICOM_ANONYMIZE_ON_UPLOAD: 'true',
    DICOM_DATA_DIR: path.join(base, 'data'),
    DICOM_QUARANTINE_DIR: path.join(base, 'quarantine'),
    DICOM_ANON_SECRET: SECRET,
    DICOM_WATCH_STABLE_MS: '300',
    DICOM_PATIENT_IDS: listFile,
    ...extraEnv,
  };
  const start = () => {
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    return daemon;
  };
  return { base, sources, quarantine: env.DICOM_QUARANTINE_DIR, data: env.DICOM_DATA_DIR, listFile, start };
}

// makeInstances gives the files Patient IDs PATIENT-0, PATIENT-1, PATIENT-2, ...
const LIST = 'Original Patient ID,Subject ID\nPATIENT-0,TRIAL-SUBJ-0\nPATIENT-1,TRIAL-SUBJ-1\n';

describe('the watch daemon with DICOM_PATIENT_IDS', () => {
  it('gives listed patients their subject ID and quarantines an unlisted patient\'s file with the reason', async () => {
    const { sources, quarantine, data, listFile, start } = setup(LIST);
    const uids = await makeInstances(ELE, sources, 3);
    const daemon = start();
    await waitUntil(() => filesBelow(quarantine).length === 2 && filesBelow(sources).length === 2, 'Sources and quarantine to settle');
    expect(filesBelow(sources)).toEqual(uids.slice(0, 2).map((uid) => `${keys.uid(uid)}.dcm`).sort());
    for (const name of filesBelow(sources)) {
      const file = readDicomFile(path.join(sources, name));
      const subject = textAt(file, [], 0x00100020)[0];
      expect(['TRIAL-SUBJ-0', 'TRIAL-SUBJ-1']).toContain(subject);
      expect(textAt(file, [], 0x00100010)[0]).toBe(subject);
      expect(textAt(file, [], 0x00120063)).toContain('pre-assigned subject IDs');
    }
    const [quarantined, reason] = filesBelow(quarantine);
    expect(quarantined).toMatch(/-IM3$/);
    expect(readFileSync(path.join(quarantine, reason ?? ''), 'utf8')).toContain(`patient not in the subject-ID list ${listFile} (add the patient to the list, or give --unlisted-patients pseudonym)`);
    const store = SqliteMappingStore.open(data);
    try {
      expect(store.records().map((record) => `${record.originalPatientId} -> ${record.anonymizedPatientId}`).sort()).toEqual(['PATIENT-0 -> TRIAL-SUBJ-0', 'PATIENT-1 -> TRIAL-SUBJ-1']);
    } finally {
      store.close();
    }
    expect(daemon.output()).toContain('pre-assigned subject IDs');
    expect(daemon.output()).not.toContain('PATIENT-');
    expect(daemon.output()).not.toContain('TRIAL-SUBJ');
  });

  it('gives an unlisted patient the keyed pseudonym with DICOM_UNLISTED_PATIENTS=pseudonym', async () => {
    const { sources, quarantine, start } = setup(LIST, { DICOM_UNLISTED_PATIENTS: 'pseudonym' });
    const uids = await makeInstances(ELE, sources, 3);
    start();
    const third = `${keys.uid(uids[2] ?? '')}.dcm`;
    await waitUntil(() => filesBelow(sources).includes(third) && filesBelow(sources).length === 3, 'the files to be anonymized');
    expect(textAt(readDicomFile(path.join(sources, third)), [], 0x00100020)[0]).toBe(keys.patient({ id: 'PATIENT-2', issuer: textAt(readDicomFile(ELE), [], 0x00100021)[0] ?? '' }));
    expect(filesBelow(quarantine)).toEqual([]);
  });

  it('does not start with a malformed list, naming the file and line, and touches no file', async () => {
    const { sources, listFile, start } = setup('Original Patient ID,Subject ID\nPATIENT-0,TRIAL-SUBJ-0\nPATIENT-1,TRIAL-SUBJ-0\n');
    await makeInstances(ELE, sources, 1);
    const daemon = start();
    expect(await daemon.exited).toBe(1);
    expect(daemon.output()).toBe(`dicom-tools watch: ${listFile}: line 3: the Subject ID is already assigned on line 2 to another patient\n`);
    expect(filesBelow(sources)).toEqual(['IM1']);
  });
});
