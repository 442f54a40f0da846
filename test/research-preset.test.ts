import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_EDITION, STANDARD_OPTIONS, profileEntryFor, profileOptions, readDicomFile, textAt, type DicomFile } from '../src/index.js';
import { corpusDir } from './helpers/corpus.js';
import { findPlanted, generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';

// --profile research end to end, as a site would prepare a research export: the TCIA set of
// options through the command line, what it keeps, its markers, the batch's record, and verify
// reading the options back from the outputs.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-research-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the research preset tests, 0123' };
const GE_MR = path.join(corpusDir, 'dcmqadeident_00001.dcm');

let study: PlantedStudy;
let out: string;
let report: { batchId: string; profile: string; anonymized: number };
beforeAll(async () => {
  study = await generatePlantedStudy(path.join(root, 'planted'), { files: 2, seed: 'RSP' });
  out = path.join(root, 'out');
  const result = runCli(['anonymize', study.dir, GE_MR, '--out', out, '--profile', 'research', '--json'], { env });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  report = JSON.parse(result.stdout) as typeof report;
});

const outputs = () => readdirSync(out).map((name) => path.join(out, name));
const codesOf = (file: DicomFile) =>
  (file.dataSet.find((element) => element.tag === 0x00120064)?.items ?? []).map((_item, index) => textAt(file, [{ tag: 0x00120064, item: index }], 0x00080100)[0]);

describe('--profile research', () => {
  it('claims the Basic Profile and exactly the preset options, and records the preset with the batch', () => {
    expect(report.anonymized).toBe(3);
    expect(report.profile).toBe(`PS3.15 ${PROFILE_EDITION} research`);
    const listed = runCli(['mapping', 'batches'], { env });
    expect(listed.stdout.trim().split('\t').at(-1)).toBe(`PS3.15 ${PROFILE_EDITION} research`);
    const expected = ['113100', ...profileOptions('research').map((option) => STANDARD_OPTIONS[option].code)].sort();
    // Ours lead; the GE file carries an earlier de-identification's code after them.
    for (const output of outputs()) expect(codesOf(readDicomFile(output)).slice(0, expected.length)).toEqual(expected);
  });

  it('lets through, of the planted values, only what one of its options keeps', () => {
    const left = outputs().flatMap((output) => findPlanted(readFileSync(output), study.planted));
    // Modified Dates shifts dates; times of day and time zones under it stay as they are.
    const keptByPreset = (tag: number) => {
      const entry = profileEntryFor(tag);
      const unshifted = entry?.actions.retainModifiedDates === 'C' && entry.vr !== 'DA' && entry.vr !== 'DT';
      return entry?.actions.retainPatientCharacteristics === 'K' || entry?.actions.retainDevice === 'K' || unshifted;
    };
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((value) => !keptByPreset(value.tag)).map((value) => value.keyword)).toEqual([]);
  });

  it('passes verify reading the options from each output, also as a leak gate', () => {
    const result = runCli(['verify', out, '--from-markers', '--against', study.dir, '--against', GE_MR, '--json'], { env });
    expect(JSON.parse(result.stdout)).toMatchObject({ files: 3, findings: [] });
    expect(result.status).toBe(0);
  });
});
