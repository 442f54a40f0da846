import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { corpusDir } from './helpers/corpus.js';
import { filesBelow, makeInstances, startDaemon, waitUntil, killLeftRunning, type DaemonProcess } from './helpers/daemon-process.js';

// The real daemon with DICOM_RULES: the rules shape every file it anonymizes and name themselves in
// its markers and its log; a malformed rules file keeps it from starting, and no file is touched.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-daemon-site-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ELE = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
const running: DaemonProcess[] = [];
afterEach(() => killLeftRunning(running));

const RULES = '{ "rules": [\n  { "keyword": "Manufacturer", "action": "replace", "value": "SITE SCANNER" },\n  { "keyword": "StudyDescription", "action": "keep" }\n] }\n';

let counter = 0;
function setup(rules: string) {
  const base = path.join(root, `case-${++counter}`);
  const sources = path.join(base, 'sources');
  mkdirSync(sources, { recursive: true });
  const rulesFile = path.join(base, 'daemon-rules.json');
  writeFileSync(rulesFile, rules);
  const env = {
    DICOM_ANONYMIZE_ON_UPLOAD: 'true',
    DICOM_DATA_DIR: path.join(base, 'data'),
    DICOM_QUARANTINE_DIR: path.join(base, 'quarantine'),
    DICOM_ANON_SECRET: 'the daemon site rules tests secret',
    DICOM_WATCH_STABLE_MS: '300',
    DICOM_RULES: rulesFile,
  };
  const start = () => {
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    return daemon;
  };
  return { sources, data: env.DICOM_DATA_DIR, quarantine: env.DICOM_QUARANTINE_DIR, rulesFile, start };
}

describe('the watch daemon with DICOM_RULES', () => {
  it('applies the rules to every file and names them in the markers and the log', async () => {
    const { sources, rulesFile, start } = setup(RULES);
    const original = readDicomFile(ELE);
    expect(textAt(original, [], 0x00081030)).not.toEqual([]);
    await makeInstances(ELE, sources, 2);
    const daemon = start();
    await waitUntil(() => filesBelow(sources).length === 2 && filesBelow(sources).every((name) => name.endsWith('.dcm')), 'the files to be anonymized');
    const sha = createHash('sha256').update(readFileSync(rulesFile)).digest('hex');
    for (const name of filesBelow(sources)) {
      const file = readDicomFile(path.join(sources, name));
      expect(textAt(file, [], 0x00080070)).toEqual(['SITE SCANNER']);
      expect(textAt(file, [], 0x00081030)).toEqual(textAt(original, [], 0x00081030));
      expect(textAt(file, [], 0x00120063)).toContain(`site rules daemon-rules.json sha256:${sha.slice(0, 12)}`);
    }
    expect(daemon.output()).toContain(`site rules daemon-rules.json sha256:${sha.slice(0, 12)}`);
  });

  it('does not start with a malformed rules file, naming the file and line, and touches no file', async () => {
    const { sources, data, quarantine, start } = setup('{ "rules": [\n  { "keyword": "Manufacturer", "action": "keep" },\n  { "keyword": "Manufacturer", "action": "remove" }\n] }\n');
    await makeInstances(ELE, sources, 1);
    const daemon = start();
    expect(await daemon.exited).toBe(2);
    expect(daemon.output()).toBe('dicom-tools watch: DICOM_RULES: daemon-rules.json: line 3, column 3: a second rule for Manufacturer (0008,0070) (the first is on line 2)\n');
    expect(filesBelow(sources)).toEqual(['IM1']);
    expect(existsSync(data)).toBe(false);
    expect(existsSync(quarantine)).toBe(false);
  });
});
