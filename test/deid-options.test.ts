import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftDa } from '../src/deid/date-shift.js';
import { methodCodes } from '../src/deid/markers.js';
import { dataGroupOf, type DataGroup } from '../src/deid/option-groups.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { profileEntryFor } from '../src/deid/profile.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { anonymizeFiles } from '../src/pipeline/anonymize-files.js';
import { findPlanted, generatePlantedStudy, type PlantedStudy, type PlantedValue } from './helpers/planted-study.js';

// Each of the product's six options, switched off, keeps exactly its group and nothing else.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-options-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('options test secret of 32 bytes!', 'utf8'));
let study: PlantedStudy;
beforeAll(async () => {
  study = await generatePlantedStudy(path.join(root, 'in'), { files: 2, seed: 'OPT' });
});

async function run(name: string, change: Partial<DeidOptions>): Promise<{ options: DeidOptions; outputs: string[]; inputs: string[] }> {
  // The planted study holds values in the secondary capture device attributes, so its images count as
  // at risk of burned-in text: accepted, as this test is about the header.
  const options: DeidOptions = { ...DEFAULT_OPTIONS, burnedIn: 'accept', ...change };
  const summary = await anonymizeFiles({ inputs: [study.dir], outDir: path.join(root, name), run: { options }, keys, batchId: name });
  expect(summary.failed).toBe(0);
  return { options, outputs: summary.results.map((result) => result.output ?? ''), inputs: summary.results.map((result) => result.input) };
}

function survivors(outputs: readonly string[]): PlantedValue[] {
  const found = new Map<string, PlantedValue>();
  for (const output of outputs) {
    const file = readDicomFile(output);
    for (const bytes of [readFileSync(output), ...(file.inflated ? [file.inflated] : [])]) {
      for (const value of findPlanted(bytes, study.planted)) found.set(`${value.location}:${value.value}`, value);
    }
  }
  return [...found.values()];
}

const groupOfPlant = (value: PlantedValue): DataGroup | undefined => {
  const entry = profileEntryFor(value.tag);
  return entry ? dataGroupOf(entry) : undefined;
};

describe.each<[string, Partial<DeidOptions>, DataGroup]>([
  ['Patientendaten', { patient: false }, 'patient'],
  ['Institutionsdaten', { institution: false }, 'institution'],
  ['Studiendaten', { study: false }, 'study'],
])('%s off', (name, change, group) => {
  it(`keeps the ${group} attributes at every depth, and only those`, async () => {
    const { outputs } = await run(name, change);
    const kept = survivors(outputs).filter((value) => value.location === 'top' || value.location === 'nested');
    const expected = study.planted.filter((value) => (value.location === 'top' || value.location === 'nested') && groupOfPlant(value) === group && !isDateOrUid(value));
    expect(expected.length).toBeGreaterThan(5);
    expect(kept.map((value) => value.keyword).sort()).toEqual(expect.arrayContaining(expected.map((value) => value.keyword).sort()));
    expect(kept.filter((value) => groupOfPlant(value) !== group).map((value) => value.keyword)).toEqual([]);
    expect(survivors(outputs).filter((value) => value.location === 'private' || value.location === 'private-sequence')).toEqual([]);
  });
});

function isDateOrUid(value: PlantedValue): boolean {
  const entry = profileEntryFor(value.tag);
  return entry?.actions.retainFullDates === 'K' || entry?.actions.retainUids === 'K';
}

describe('UIDs neu generieren off', () => {
  it('keeps every UID and nothing else', async () => {
    const { outputs, inputs } = await run('keep-uids', { regenerateUids: false });
    for (const [index, output] of outputs.entries()) {
      const before = readDicomFile(inputs[index] ?? '');
      const after = readDicomFile(output);
      for (const tag of [0x00080018, 0x0020000d, 0x0020000e, 0x00200052]) expect(textAt(after, [], tag)).toEqual(textAt(before, [], tag));
    }
    const others = survivors(outputs).filter((value) => profileEntryFor(value.tag)?.actions.retainUids !== 'K');
    expect(others).toEqual([]);
  });
});

describe('Private Tags entfernen off', () => {
  it('keeps private elements but still cleans the standard attributes inside private sequences', async () => {
    const { outputs } = await run('keep-private', { removePrivate: false });
    const left = survivors(outputs);
    expect(left.some((value) => value.location === 'private')).toBe(true);
    // Values planted in private elements survive (some are copies of the patient's name and ID); no other does.
    const inPrivateElements = new Set([study.patientName, study.patientId, ...study.planted.filter((value) => value.keyword === 'PrivateTag').map((value) => value.value)]);
    expect(left.filter((value) => !inPrivateElements.has(value.value))).toEqual([]);
    expect(left.some((value) => value.location === 'private-sequence' && value.keyword === 'PrivateTag')).toBe(true);
  });
});

describe('Datumsangaben', () => {
  let clear: DicomFile;
  beforeAll(async () => {
    clear = readDicomFile((await run('dates-clear', {})).outputs[0] ?? '');
  });

  it('keep: dates and times survive unchanged, nothing else does', async () => {
    const { outputs, inputs } = await run('dates-keep', { dates: 'keep' });
    const before = readDicomFile(inputs[0] ?? '');
    const after = readDicomFile(outputs[0] ?? '');
    for (const tag of [0x00080020, 0x00080021, 0x00080030, 0x0008002a]) expect(textAt(after, [], tag)).toEqual(textAt(before, [], tag));
    expect(textAt(after, [], 0x00100030)).toEqual([]); // the birth date is patient data, not a study date
    expect(survivors(outputs).filter((value) => profileEntryFor(value.tag)?.actions.retainFullDates !== 'K')).toEqual([]);
    expect(textAt(after, [], 0x00280303)).toEqual(['UNMODIFIED']);
    expect(textAt(clear, [], 0x00280303)).toEqual(['REMOVED']);
  });

  it('shift: every date of the patient moves by the same offset, valid, intervals kept', async () => {
    const { outputs, inputs } = await run('dates-shift', { dates: 'shift' });
    const days = keys.dateShiftDays({ id: study.patientId, issuer: study.issuerOfPatientId });
    for (const [index, output] of outputs.entries()) {
      const before = readDicomFile(inputs[index] ?? '');
      const after = readDicomFile(output);
      for (const tag of [0x00080020, 0x00080021, 0x00080022, 0x00080023]) {
        const original = textAt(before, [], tag)[0];
        if (original) expect(textAt(after, [], tag)).toEqual([shiftDa(original, days)]);
      }
      expect(textAt(after, [], 0x00080030)).toEqual(textAt(before, [], 0x00080030)); // times of day are kept
      expect(textAt(after, [], 0x00280303)).toEqual(['MODIFIED']);
    }
    expect(survivors(outputs).filter((value) => profileEntryFor(value.tag)?.actions.retainFullDates === 'K' && value.value.length === 8)).toEqual([]);
  });
});

describe('conformance markers', () => {
  it('name the profile and the options applied (CID 7050)', async () => {
    const { outputs } = await run('markers', { dates: 'shift', institution: false });
    const file = readDicomFile(outputs[0] ?? '');
    expect(textAt(file, [], 0x00120062)).toEqual(['YES']);
    expect(textAt(file, [], 0x00120063)).toEqual(['DICOM Tools', 'PS3.15 2024b Basic Application Confidentiality Profile', 'institution data retained', 'dates shifted', 'burned-in pixel data accepted']);
    const codes = file.dataSet.find((element) => element.tag === 0x00120064)?.items?.map((_item, index) => textAt(file, [{ tag: 0x00120064, item: index }], 0x00080100)[0]);
    expect(codes).toEqual(methodCodes({ ...DEFAULT_OPTIONS, dates: 'shift', institution: false, burnedIn: 'accept' }).map(([code]) => code));
    expect(codes).toEqual(['113100', '113107', '113109', '113112']);
  });
});
