import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteOrderOf } from '../src/dicom/byte-order.js';
import { decodeValue } from '../src/dicom/decode-value.js';
import { tagForKeyword } from '../src/dicom/dictionary.js';
import { textAt, valueBytes, valueVrOf } from '../src/dicom/element-access.js';
import type { DicomElement } from '../src/dicom/model.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { corpusDir } from './helpers/corpus.js';
import { parseCsv } from './helpers/parse-csv.js';
import { generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';

// The built CLI end to end: a planted study anonymized with --mapping, then the store's exports
// (--out, --uids, --patients) checked against what the output files hold.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-mapping-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the mapping export tests, 0123456789' };

const TAG = {
  PatientID: 0x00100020,
  SOPInstanceUID: 0x00080018,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  FrameOfReferenceUID: 0x00200052,
} as const;

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

function readCsv(file: string): string[][] {
  return parseCsv(readFileSync(file, 'utf8'));
}

/** The tag a list entry names: a keyword, or "(gggg,eeee)" for a tag without one. */
function tagOf(label: string): Tag {
  const match = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(label);
  const tag = match ? Number.parseInt(`${match[1]}${match[2]}`, 16) : tagForKeyword(label);
  if (tag === undefined) throw new Error(`not a keyword or tag: ${label}`);
  return tag;
}

/** In tag order with no entry twice: each tag strictly after the one before. */
function inStrictTagOrder(labels: readonly string[]): boolean {
  return labels.every((label, index) => index === 0 || tagOf(labels[index - 1] as string) < tagOf(label));
}

interface Anonymized {
  readonly study: PlantedStudy;
  readonly outDir: string;
  /** The output of each input, same order as `study.files`. */
  readonly outputs: readonly string[];
}

/** The original-to-new UID pairs the outputs of `run` show: study, series, frame of reference, every instance. */
function uidPairsShownBy(run: Anonymized): string[][] {
  const first = readDicomFile(run.outputs[0] as string);
  const pairs = [
    [run.study.studyInstanceUid, textAt(first, [], TAG.StudyInstanceUID)[0]],
    [run.study.seriesInstanceUid, textAt(first, [], TAG.SeriesInstanceUID)[0]],
    [run.study.frameOfReferenceUid, textAt(first, [], TAG.FrameOfReferenceUID)[0]],
    ...run.study.sopInstanceUids.map((uid, index) => [uid, textAt(readDicomFile(run.outputs[index] as string), [], TAG.SOPInstanceUID)[0]]),
  ];
  for (const [original, anonymized] of pairs) expect(anonymized, `the output's replacement of ${original}`).toMatch(/^2\.25\.\d+$/);
  return pairs as string[][];
}

/** The values of the UI elements among `elements`, at any depth. */
function uidValues(file: DicomFile, elements: readonly DicomElement[]): string[] {
  return elements.flatMap((element) => {
    const nested = element.items?.flatMap((item) => uidValues(file, item.elements)) ?? [];
    const bytes = valueVrOf(element) === 'UI' ? valueBytes(file, element) : undefined;
    const decoded = bytes ? decodeValue('UI', bytes, byteOrderOf(true), []) : undefined;
    return [...nested, ...(decoded?.kind === 'text' ? decoded.values : [])];
  });
}

function uidsIn(paths: readonly string[]): string[] {
  return paths.flatMap((input) => {
    const file = readDicomFile(input);
    return [...uidValues(file, file.meta), ...uidValues(file, file.dataSet)];
  });
}

/** Every new UID in the outputs of `runs`, at any depth and in the meta header: keyed ones (2.25.) no original holds. */
function keyedUidsIn(runs: readonly Anonymized[]): Set<string> {
  const original = new Set(uidsIn(runs.flatMap((run) => run.study.files)));
  return new Set(uidsIn(runs.flatMap((run) => run.outputs)).filter((uid) => uid.startsWith('2.25.') && !original.has(uid)));
}

function pseudonymOf(run: Anonymized): string {
  return textAt(readDicomFile(run.outputs[0] as string), [], TAG.PatientID)[0] ?? '';
}

describe('the mapping exports of anonymized planted studies', () => {
  let first: Anonymized;
  let second: Anonymized;
  let mapping: string[][];
  let batches: string[];

  beforeAll(async () => {
    const anonymize = async (seed: string, files: number, extra: readonly string[] = []): Promise<Anonymized> => {
      const study = await generatePlantedStudy(path.join(root, `in-${seed}`), { seed, files });
      const outDir = path.join(root, `out-${seed}`);
      // The planted study fills the secondary capture device attributes, so its images are at risk of
      // burned-in text: accepted, as this test is about the mapping.
      const result = runCli(['anonymize', study.dir, '--out', outDir, '--burned-in', 'accept', ...extra], { env });
      expect(result.stderr).toContain(`Anonymized ${files} files into`);
      expect(result.status).toBe(0);
      const csv = readCsv(path.join(root, `mapping-${seed}.csv`));
      const outputOf = new Map(csv.slice(1).map((row) => [row[0], path.join(outDir, row[1] as string)]));
      return { study, outDir, outputs: study.files.map((file) => outputOf.get(file) ?? '') };
    };
    first = await anonymize('A', 3, ['--mapping', path.join(root, 'mapping-A.csv')]);
    mapping = readCsv(path.join(root, 'mapping-A.csv'));
    second = await anonymize('B', 2, ['--mapping', path.join(root, 'mapping-B.csv')]);
    const listed = runCli(['mapping', 'batches'], { env });
    expect(listed.status).toBe(0);
    batches = listed.stdout.trim().split('\n').map((line) => line.split('\t')[0] as string);
    expect(batches).toHaveLength(2);
  }, 120_000);

  it('the CSV lists the attributes changed and the UID attributes regenerated, keywords in tag order, each once', () => {
    expect(mapping[0]).toEqual(['Original Filename', 'Anonymized Filename', 'Original Patient ID', 'Anonymized ID', 'Tags Anonymized', 'UIDs Regenerated']);
    const rows = mapping.slice(1);
    expect(rows.map((row) => row[0]).sort()).toEqual([...first.study.files].sort());
    expect(modeOf(path.join(root, 'mapping-A.csv'))).toBe(0o600);
    for (const row of rows) {
      expect(row).toHaveLength(6);
      const tags = (row[4] ?? '').split(';');
      const uids = (row[5] ?? '').split(';');
      expect(tags).toEqual(expect.arrayContaining(['PatientName', 'PatientID', 'StudyInstanceUID', 'SOPInstanceUID', 'InstitutionName']));
      expect(tags.length).toBeGreaterThan(100);
      expect(uids).toEqual(expect.arrayContaining(['SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID']));
      expect(inStrictTagOrder(tags), tags.join(';')).toBe(true);
      expect(inStrictTagOrder(uids), uids.join(';')).toBe(true);
      // Every regenerated UID attribute was changed too.
      expect(tags).toEqual(expect.arrayContaining(uids));
    }
  });

  it('--uids writes every UID pair of both batches once, the new values those in the outputs, mode 0600', () => {
    const out = path.join(root, 'uids.csv');
    const result = runCli(['mapping', 'export', '--uids', out], { env });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^Wrote \d+ UID pairs to .*uids\.csv \(mode 0600: keep it separate and secure\)\.\n$/);

    const rows = readCsv(out);
    expect(rows[0]).toEqual(['id_old', 'id_new']);
    const pairs = rows.slice(1);
    expect(new Set(pairs.map((pair) => pair[0])).size).toBe(pairs.length);
    for (const pair of pairs) expect(pair).toHaveLength(2);
    expect(pairs).toEqual(expect.arrayContaining([...uidPairsShownBy(first), ...uidPairsShownBy(second)]));
    // And no more, no fewer: each new UID in the export is one the outputs hold, and each the outputs hold is in it.
    expect(new Set(pairs.map((pair) => pair[1]))).toEqual(keyedUidsIn([first, second]));
    expect(modeOf(out)).toBe(0o600);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--patients writes each original-to-pseudonymous patient ID pair once, mode 0600, and --out alongside', () => {
    const patients = path.join(root, 'patients.csv');
    const all = path.join(root, 'all.csv');
    const result = runCli(['mapping', 'export', '--patients', patients, '--out', all], { env });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`Wrote 5 mapping rows to ${all}`);
    expect(result.stderr).toContain(`Wrote 2 patient ID pairs to ${patients}`);
    for (const study of [first.study, second.study]) expect(result.stderr).not.toContain(study.patientId);

    expect(readCsv(patients)).toEqual([
      ['id_old', 'id_new'],
      [first.study.patientId, pseudonymOf(first)],
      [second.study.patientId, pseudonymOf(second)],
    ]);
    expect(pseudonymOf(first)).toMatch(/^ANON-[A-Z2-7]{10}$/);
    expect(modeOf(patients)).toBe(0o600);
    expect(readCsv(all).slice(1, 4)).toEqual(mapping.slice(1));
    expect(modeOf(all)).toBe(0o600);
  });

  it('--batch keeps to one batch', () => {
    const uids = path.join(root, 'uids-second.csv');
    const patients = path.join(root, 'patients-second.csv');
    const result = runCli(['mapping', 'export', '--batch', batches[1] as string, '--uids', uids, '--patients', patients], { env });
    expect(result.status).toBe(0);

    const pairs = readCsv(uids).slice(1);
    expect(pairs).toEqual(expect.arrayContaining(uidPairsShownBy(second)));
    const originals = pairs.map((pair) => pair[0]);
    for (const [original] of uidPairsShownBy(first)) expect(originals).not.toContain(original);
    expect(readCsv(patients)).toEqual([
      ['id_old', 'id_new'],
      [second.study.patientId, pseudonymOf(second)],
    ]);
  });

  it('needs at least one of --out, --uids, --patients, each its own file', () => {
    const none = runCli(['mapping', 'export', '--batch', batches[0] as string], { env });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('dicom-tools mapping: mapping export needs --out FILE.csv, --uids FILE.csv or --patients FILE.csv');

    const same = runCli(['mapping', 'export', '--uids', path.join(root, 'x.csv'), '--patients', path.join(root, '.', 'x.csv')], { env });
    expect(same.status).toBe(2);
    expect(same.stderr).toContain(`--patients ${path.join(root, '.', 'x.csv')}: the same file as --uids; give each a file of its own`);
    expect(readdirSync(root)).not.toContain('x.csv');
  });
});

describe('mapping export --pixels on real at-risk and plain images', () => {
  // An ultrasound image with two regions (cleaned outside them) and a CT (not at risk), in a store of their own.
  const ultrasound = path.join(corpusDir, 'dicomparser_IM00001.implicit_little_endian.dcm');
  const ct = path.join(corpusDir, 'dcmqats_1_ELE.dcm');
  const pixelsEnv = { ...env, DICOM_DATA_DIR: path.join(root, 'data-pixels') };

  beforeAll(() => {
    const result = runCli(['anonymize', ultrasound, ct, '--out', path.join(root, 'out-pixels'), '--option', 'clean-pixel-data'], { env: pixelsEnv });
    expect(result.stderr).toContain('Anonymized 2 files into');
    expect(result.status).toBe(0);
  }, 60_000);

  it('adds the Pixel Cleaning column: the ultrasound regions for the ultrasound image, empty for the CT', () => {
    const out = path.join(root, 'pixels.csv');
    const result = runCli(['mapping', 'export', '--out', out, '--pixels'], { env: pixelsEnv });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`Wrote 2 mapping rows to ${out}`);

    const rows = readCsv(out);
    expect(rows[0]).toEqual(['Original Filename', 'Anonymized Filename', 'Original Patient ID', 'Anonymized ID', 'Tags Anonymized', 'UIDs Regenerated', 'Pixel Cleaning']);
    expect(new Map(rows.slice(1).map((row) => [row[0], { columns: row.length, pixelCleaning: row[6] }]))).toEqual(
      new Map([
        [ultrasound, { columns: 7, pixelCleaning: 'outside the 2 ultrasound regions' }],
        [ct, { columns: 7, pixelCleaning: '' }],
      ]),
    );
    expect(modeOf(out)).toBe(0o600);
  });

  it('keeps the product’s six columns without --pixels, and refuses --pixels without --out', () => {
    const out = path.join(root, 'no-pixels.csv');
    expect(runCli(['mapping', 'export', '--out', out], { env: pixelsEnv }).status).toBe(0);
    const rows = readCsv(out);
    expect(rows[0]).toEqual(['Original Filename', 'Anonymized Filename', 'Original Patient ID', 'Anonymized ID', 'Tags Anonymized', 'UIDs Regenerated']);
    for (const row of rows.slice(1)) expect(row).toHaveLength(6);
    expect(readFileSync(out, 'utf8')).not.toContain('ultrasound region');

    const uids = path.join(root, 'pixels-uids.csv');
    const refused = runCli(['mapping', 'export', '--uids', uids, '--pixels'], { env: pixelsEnv });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('dicom-tools mapping: --pixels adds a column to the mapping CSV: give --out FILE.csv too');
    expect(readdirSync(root)).not.toContain('pixels-uids.csv');
  });
});
