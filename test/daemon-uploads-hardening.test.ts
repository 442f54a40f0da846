import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { TruncatedDicomError } from '../src/dicom/errors.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { PIXEL_DATA } from '../src/dicom/tag.js';
import { whyNotWhole } from '../src/dicom/whole-file.js';
import { isTemporary } from '../src/io/temporary-name.js';
import { readDaemonStatus } from '../src/status/daemon-status.js';
import { SqliteMappingStore } from '../src/store/sqlite-mapping-store.js';
import { corpusDir } from './helpers/corpus.js';
import { daemonCase, filesBelow, killLeftRunning, makeInstances, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';

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
  // These tests follow each upload by its path in the log; names-hardening tests the hidden names.
  const { base, sources, quarantine, data, env } = daemonCase(path.join(root, `case-${++counter}`), SECRET, { DICOM_LOG_NAMES: 'show', ...extraEnv });
  const start = () => {
    const daemon = startDaemon(sources, env);
    running.push(daemon);
    return daemon;
  };
  const recordedOriginals = () => {
    const store = SqliteMappingStore.open(data);
    try {
      return store.records().map((record) => path.basename(record.originalFilename)).sort();
    } finally {
      store.close();
    }
  };
  return { base, sources, quarantine, data, start, recordedOriginals };
}

describe('the watch daemon never loses an upload', () => {
  it('takes a file renamed over an upload while the upload is processed as a new upload, and never removes it', async () => {
    const { base, sources, quarantine, start, recordedOriginals } = setup();
    // One group of many files: an upload whose output is being written waits for the rest of the
    // group (and its flush) before its original is removed, which leaves time to replace it.
    const uids = await makeInstances(ELE, sources, 60, 'IM');
    const [newUid] = await makeInstances(ELE, path.join(base, 'elsewhere'), 1, 'NEW');
    const byOutput = new Map(uids.map((uid, index) => [outputName(uid), `IM${index + 1}`]));
    // An output's temporary file is named after it: ".<output name>.<unique>.tmp".
    const uploadWritten = (name: string) => (isTemporary(name) ? [...byOutput].find(([output]) => name.startsWith(`.${output}.`))?.[1] : undefined);
    const daemon = start();
    // The first upload whose output is written: once a second one's appears, the first was read whole.
    const written: string[] = [];
    while (written.length < 2) {
      for (const name of readdirSync(sources)) {
        const upload = uploadWritten(name);
        if (upload !== undefined && !written.includes(upload)) written.push(upload);
      }
      if (daemon.child.exitCode !== null) throw new Error(`the daemon exited: ${daemon.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const replaced = written[0] ?? '';
    renameSync(path.join(base, 'elsewhere', 'NEW1'), path.join(sources, replaced));

    const expected = [...uids, newUid ?? ''].map(outputName).sort();
    await waitUntil(() => JSON.stringify(filesBelow(sources)) === JSON.stringify(expected), 'every upload, the new one too, to be anonymized', 30_000);
    expect(daemon.output()).toContain(`${path.join(sources, replaced)} was replaced by a new upload while it was processed`);
    // Both files that were at that name are recorded: the one read first and the one renamed over it.
    expect(recordedOriginals().filter((name) => name === replaced)).toHaveLength(2);
    expect(filesBelow(quarantine)).toEqual([]);
  }, 90_000);
});

/** The bytes of Pixel Data's value. */
function pixelBytes(file: string): Buffer {
  const pixels = readDicomFile(file).dataSet.find((element) => element.tag === PIXEL_DATA);
  if (pixels === undefined) throw new Error(`${file} holds no Pixel Data`);
  return readFileSync(file).subarray(pixels.valueOffset, pixels.valueOffset + pixels.valueLength);
}

/** Where ELE's data set holds its first element of group `group` or above: an element boundary. */
function boundaryBefore(file: DicomFile, group: number): number {
  const element = file.dataSet.find((candidate) => candidate.tag >>> 16 >= group);
  if (element === undefined) throw new Error(`no element of group ${group} or above`);
  return element.start;
}

describe('whyNotWhole: a file that cannot be all its writer meant', () => {
  const ele = readDicomFile(ELE);
  const eleBytes = readFileSync(ELE);
  const part = (name: string, bytes: Uint8Array) => {
    const file = path.join(root, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('takes a whole image and a file that is no image as they are', () => {
    expect(whyNotWhole(ele)).toBeUndefined();
    expect(whyNotWhole(readDicomFile(path.join(corpusDir, 'fodicom_chrGreek.dcm')))).toBeUndefined();
    expect(whyNotWhole(readDicomFile(path.join(corpusDir, 'dcm4che_US-PAL-8-10x-echo.dcm')))).toBeUndefined();
    // An RT Plan: no image, no Pixel Data.
    expect(whyNotWhole(readDicomFile(path.join(corpusDir, 'dicompyler_rtplan.dcm')))).toBeUndefined();
  });

  it('refuses an image SOP Class cut before its image attributes and Pixel Data', () => {
    const cut = readDicomFile(part('cut-before-0028', eleBytes.subarray(0, boundaryBefore(ele, 0x0028))));
    expect(whyNotWhole(cut)).toBe('it is an image (its SOP Class) but holds no Pixel Data');
  });

  it('refuses native Pixel Data shorter than its image attributes call for', () => {
    const pixels = ele.dataSet.find((element) => element.tag === PIXEL_DATA);
    const start = pixels?.start ?? 0;
    // Explicit VR OW: tag, VR, two reserved bytes, then the 4-byte length; 1000 bytes of the value kept.
    const bytes = Buffer.from(eleBytes.subarray(0, start + 12 + 1000));
    bytes.writeUInt32LE(1000, start + 8);
    expect(whyNotWhole(readDicomFile(part('short-pixels', bytes)))).toBe('its Pixel Data holds 1000 bytes, fewer than the 294912 its image attributes call for');
  });

  it('encapsulated Pixel Data without its Sequence Delimitation Item does not read at all', () => {
    const rle = readFileSync(path.join(corpusDir, 'dcm4che_US-PAL-8-10x-echo.dcm'));
    expect(() => readDicomFile(part('no-delimiter', rle.subarray(0, rle.length - 8)))).toThrow(TruncatedDicomError);
  });
});

describe('the watch daemon takes only whole files', () => {
  it('waits for a copy that pauses on an element boundary, and takes it once it is whole', async () => {
    const { sources, quarantine, start } = setup();
    const ele = readDicomFile(ELE);
    const bytes = readFileSync(ELE);
    const cut = boundaryBefore(ele, 0x0020);
    const daemon = start();
    await waitUntil(() => daemon.output().includes('watching'), 'the daemon to start');
    const upload = path.join(sources, 'IM1');
    const copier = openSync(upload, 'w');
    writeSync(copier, bytes, 0, cut);
    await waitUntil(() => daemon.output().includes(`${upload}: File is truncated: it is an image (its SOP Class) but holds no Pixel Data; attempt 1 of`) || filesBelow(sources).join() !== 'IM1', 'the daemon to look at the first part');
    expect(filesBelow(sources)).toEqual(['IM1']);
    writeSync(copier, bytes, cut, bytes.length - cut);
    closeSync(copier);

    const output = outputName(textAt(ele, [], 0x00080018)[0] ?? '');
    await waitUntil(() => filesBelow(sources).join() === output, 'the whole upload to be anonymized');
    expect(pixelBytes(path.join(sources, output)).equals(pixelBytes(ELE))).toBe(true);
    expect(filesBelow(quarantine)).toEqual([]);
  }, 30_000);

  it('quarantines an image without Pixel Data after the last attempt, intact', async () => {
    const { sources, quarantine, start } = setup();
    const noPixels = path.join(corpusDir, 'fodicom_GH178.dcm');
    copyFileSync(noPixels, path.join(sources, 'screen.dcm'));
    const daemon = start();
    await waitUntil(() => filesBelow(quarantine).length === 2, 'the file to be quarantined');
    const [kept, reason] = filesBelow(quarantine);
    expect(readFileSync(path.join(quarantine, kept ?? '')).equals(readFileSync(noPixels))).toBe(true);
    expect(readFileSync(path.join(quarantine, reason ?? ''), 'utf8')).toContain('File is truncated: it is an image (its SOP Class) but holds no Pixel Data');
    expect(daemon.output()).toContain('attempt 2 of 3, trying again');
    expect(filesBelow(sources)).toEqual([]);
  }, 30_000);
});

describe('the watch daemon and uploads it cannot read', () => {
  // Root reads any file: these run unprivileged (CI runs the files that ask for getuid again so).
  it.skipIf(process.getuid?.() === 0)('logs an upload without read permission, retries it, then quarantines it', async () => {
    const { sources, quarantine, data, start } = setup();
    const upload = path.join(sources, 'locked.dcm');
    copyFileSync(ELE, upload);
    chmodSync(upload, 0o000);
    mkdirSync(path.join(sources, 'closed'), { mode: 0o000 });
    const daemon = start();
    await waitUntil(() => filesBelow(quarantine).length === 2, 'the unreadable upload to be quarantined');
    expect(daemon.output()).toContain(`${upload}: cannot open file for reading: permission denied; attempt 1 of 3, trying again`);
    expect(daemon.output()).toContain(`cannot read the folder ${path.join(sources, 'closed')}: permission denied`);
    const [kept] = filesBelow(quarantine);
    chmodSync(path.join(quarantine, kept ?? ''), 0o600);
    expect(readFileSync(path.join(quarantine, kept ?? '')).equals(readFileSync(ELE))).toBe(true);
    await waitUntil(() => readDaemonStatus(data)?.quarantined === 1, 'the status to count it');
    chmodSync(path.join(sources, 'closed'), 0o700);
  }, 30_000);
});

describe('the watch daemon and its outputs', () => {
  it('takes a file copied over one of its outputs as a new upload', async () => {
    const { base, sources, quarantine, start, recordedOriginals } = setup();
    const [first] = await makeInstances(ELE, sources, 1, 'FIRST');
    const [second] = await makeInstances(ELE, path.join(base, 'elsewhere'), 1, 'SECOND');
    const daemon = start();
    const output = outputName(first ?? '');
    // Logged once the daemon is done with it (and no longer polls its output).
    await waitUntil(() => daemon.output().includes(`-> ${path.join(sources, output)}`), 'the first upload to be anonymized');
    // Over the output, in place (same file, new content), as cp does.
    copyFileSync(path.join(base, 'elsewhere', 'SECOND1'), path.join(sources, output));
    const logged = `anonymized ${path.join(sources, output)} -> ${path.join(sources, outputName(second ?? ''))}`;
    await waitUntil(() => daemon.output().includes(logged), 'the file copied over the output to be anonymized');
    expect(filesBelow(sources)).toEqual([outputName(second ?? '')]);
    expect(recordedOriginals()).toEqual(['FIRST1', output].sort());
    expect(filesBelow(quarantine)).toEqual([]);
  }, 30_000);
});
