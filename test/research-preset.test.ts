import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_EDITION, profileEntryFor } from '../src/deid/profile.js';
import { profileOptions, STANDARD_OPTIONS } from '../src/deid/standard-options.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { BURNED_IN_ACCEPTED_WARNING } from '../src/pixels/burned-in-risk.js';
import { corpusDir } from './helpers/corpus.js';
import { findPlanted, generatePlantedStudy, type PlantedStudy } from './helpers/planted-study.js';
import { runCli } from './helpers/run-cli.js';
import { writeCornerScript } from './helpers/corner-regions.js';

// --profile research end to end, as a site would prepare a research export: the TCIA set of
// options through the command line, what it keeps, its markers, the batch's record, and verify
// reading the options back from the outputs.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-research-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DICOM_DATA_DIR: path.join(root, 'data'), DICOM_ANON_SECRET: 'a secret for the research preset tests, 0123' };
const GE_MR = path.join(corpusDir, 'dcmqadeident_00001.dcm');
const PATIENT_NAME = 0x00100010;
const STUDY_DESCRIPTION = 0x00081030;
const SERIES_DESCRIPTION = 0x0008103e;

let study: PlantedStudy;
let out: string;
let report: { batchId: string; profile: string; anonymized: number };
beforeAll(async () => {
  study = await generatePlantedStudy(path.join(root, 'planted'), { files: 2, seed: 'RSP' });
  out = path.join(root, 'out');
  // The planted study fills the secondary capture device attributes, so its images are at risk of
  // burned-in text: the preset's Clean Pixel Data blanks a corner of them by a site list (this test
  // is about the header), so every output claims every option of the preset.
  const result = runCli(['anonymize', study.dir, GE_MR, '--out', out, '--profile', 'research', '--pixel-regions', writeCornerScript(root), '--json'], { env });
  expect(result.stderr).not.toContain(BURNED_IN_ACCEPTED_WARNING);
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
    // Modified Dates shifts dates; times of day and time zones under it stay as they are. Clean
    // Descriptors (and Patient Characteristics' C) keep text, cut only the file's identifying values.
    const keptByPreset = (tag: number) => {
      const entry = profileEntryFor(tag);
      const unshifted = entry?.actions.retainModifiedDates === 'C' && entry.vr !== 'DA' && entry.vr !== 'DT';
      const cleaned = entry?.actions.cleanDescriptors === 'C' || entry?.actions.retainPatientCharacteristics === 'C';
      return entry?.actions.retainPatientCharacteristics === 'K' || entry?.actions.retainDevice === 'K' || unshifted || cleaned;
    };
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((value) => !keptByPreset(value.tag)).map((value) => value.keyword)).toEqual([]);
  });

  it('keeps a descriptor readable with the patient cut out, and one without identity unchanged', async () => {
    const input = path.join(root, 'described', 'in.dcm');
    const original = readDicomFile(study.files[0] as string);
    const family = (textAt(original, [], PATIENT_NAME)[0] ?? '').split('^')[0] ?? '';
    expect(family.length).toBeGreaterThan(3);
    mkdirSync(path.dirname(input), { recursive: true });
    await writeDicomFile(original, new Map([
      [STUDY_DESCRIPTION, { op: 'set', vr: 'LO', value: `Thorax ${family} followup` }],
      [SERIES_DESCRIPTION, { op: 'set', vr: 'LO', value: 'T1 MPRAGE SAG' }],
    ]), input);
    const described = path.join(root, 'described', 'out');
    expect(runCli(['anonymize', input, '--out', described, '--profile', 'research', '--pixel-regions', writeCornerScript(root)], { env }).status).toBe(0);
    const [output] = readdirSync(described);
    const made = readDicomFile(path.join(described, output ?? ''));
    expect(textAt(made, [], STUDY_DESCRIPTION)).toEqual(['Thorax [removed] followup']);
    expect(textAt(made, [], SERIES_DESCRIPTION)).toEqual(['T1 MPRAGE SAG']);
    expect(readFileSync(path.join(described, output ?? '')).includes(Buffer.from(family))).toBe(false);
  });

  it('passes verify reading the options from each output, also as a leak gate', () => {
    const result = runCli(['verify', out, '--from-markers', '--against', study.dir, '--against', GE_MR, '--json'], { env });
    expect(JSON.parse(result.stdout)).toMatchObject({ files: 3, findings: [] });
    expect(result.status).toBe(0);
  });
});
