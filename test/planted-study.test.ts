import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupTag } from '../src/dicom/dictionary.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { isPixelDataTag, type Tag } from '../src/dicom/tag.js';
import { dcmdumpElements, type DumpedElement } from './helpers/dcmdump-elements.js';
import {
  NESTED_PATH,
  PRIVATE_SEQUENCE,
  findPlanted,
  generatePlantedStudy,
  plantableRows,
  type PlantOptions,
  type PlantedStudy,
  type PlantedValue,
} from './helpers/planted-study.js';

const root = mkdtempSync(path.join(tmpdir(), 'dicom-planted-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SOP_INSTANCE_UID = 0x00080018;

/** The bytes a de-identifier's output is searched in: the file, or the inflated data set of a deflated file. */
function dataSetBytes(file: string): Buffer {
  return readDicomFile(file).inflated ?? readFileSync(file);
}

function pixelBytes(filePath: string): Buffer | undefined {
  const file = readDicomFile(filePath);
  const pixel = file.dataSet.find((element) => isPixelDataTag(element.tag));
  if (!pixel) return undefined;
  if (file.inflated) return file.inflated.subarray(pixel.valueOffset, pixel.end);
  const fd = openSync(filePath, 'r');
  try {
    const bytes = Buffer.alloc(pixel.end - pixel.valueOffset);
    readSync(fd, bytes, 0, bytes.length, pixel.valueOffset);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** A dumped value as text: "?? 50\4c\41" (a tag DCMTK's dictionary lacks, implicit VR) decoded, +Qn markup undone, UID padding dropped. */
function dumpedText(element: DumpedElement): string {
  const hex = /^[0-9a-f]{2}(\\[0-9a-f]{2})*$/;
  const text = (element.vr === '??' || element.vr === 'UN') && hex.test(element.value)
    ? Buffer.from(element.value.split('\\').map((byte) => Number.parseInt(byte, 16))).toString('latin1').replace(/[ \0]+$/, '')
    : element.value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
  return text.replace(/\0+$/, '');
}

function dumpedValues(dump: readonly DumpedElement[], trail: readonly Tag[], tag: Tag): string[] {
  return dump.filter((element) => element.tag === tag && element.path.join() === trail.join()).flatMap((element) => dumpedText(element).split('\\'));
}

const CASES: readonly (PlantOptions & { readonly base: string })[] = [
  { base: 'dcmqats_1_ELE.dcm', seed: 'A' },
  { base: 'dcmqats_2_ILE.dcm', seed: 'B', withoutExtension: true },
  { base: 'dcmqats_3_EBE.dcm', seed: 'C' },
  { base: 'dicomparser_report_dfl.dcm', seed: 'D' },
];

describe.each(CASES)('a planted study built from $base', (options) => {
  let study: PlantedStudy;
  let dumps: DumpedElement[][];
  const at = (location: PlantedValue['location']) => study.planted.filter((entry) => entry.location === location);

  beforeAll(async () => {
    study = await generatePlantedStudy(path.join(root, options.base), options);
    dumps = study.files.map((file) => dcmdumpElements(file));
  });

  it('plants every profile row at the top level, 40+ rows three levels deep, private elements and the file names', () => {
    expect(study.files).toHaveLength(3);
    expect(study.sopInstanceUids).toHaveLength(3);
    expect(new Set(study.sopInstanceUids).size).toBe(3);
    const topTags = new Set(at('top').map((entry) => entry.tag));
    const listable = plantableRows().filter((row) => !['AS', 'DS', 'IS'].includes(row.vr));
    expect(listable.filter((row) => !topTags.has(row.tag)).map((row) => row.keyword)).toEqual([]);
    expect(at('top').length).toBeGreaterThanOrEqual(500);
    const nestedVrs = new Set(at('nested').map((entry) => lookupTag(entry.tag)?.vrs[0]));
    expect(at('nested').length).toBeGreaterThanOrEqual(40);
    for (const vr of ['PN', 'LO', 'SH', 'DA', 'DT', 'TM', 'UI', 'LT', 'ST', 'UT', 'AE', 'UC', 'UR']) expect(nestedVrs).toContain(vr);
    expect(at('private').length).toBeGreaterThanOrEqual(3);
    expect(at('private-sequence').map((entry) => entry.keyword).sort()).toEqual(
      ['InstitutionName', 'OtherPatientNames', 'PatientID', 'PatientName', 'PrivateTag', 'StudyDate'],
    );
    expect(at('file-name').map((entry) => entry.value)).toEqual([study.patientName.replace(/\^/g, '_'), study.patientId]);
    for (const keyword of ['PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID']) {
      expect(at('top').filter((entry) => entry.keyword === keyword)).toHaveLength(1);
    }
    expect(at('top').filter((entry) => entry.keyword === 'SOPInstanceUID').map((entry) => entry.value)).toEqual(study.sopInstanceUids);
  });

  it('names the files after the patient', () => {
    const extension = options.withoutExtension ? '' : '.dcm';
    expect(study.files.map((file) => path.basename(file))).toEqual(
      [1, 2, 3].map((index) => `${study.patientName.replace(/\^/g, '_')}_${study.patientId}_IM${index}${extension}`),
    );
    for (const file of study.files) {
      expect(path.dirname(file)).toBe(study.dir);
      for (const entry of at('file-name')) expect(path.basename(file)).toContain(entry.value);
    }
  });

  it('writes files our reader and DCMTK read, with the study identity at the top level', () => {
    study.files.forEach((file, index) => {
      const read = readDicomFile(file);
      expect(read.warnings).toEqual([]);
      expect(read.transferSyntax.uid).toBe(readDicomFile(study.baseFile).transferSyntax.uid);
      expect(textAt(read, [], 0x00100010)).toEqual([study.patientName]);
      expect(textAt(read, [], 0x00100020)).toEqual([study.patientId]);
      expect(textAt(read, [], 0x00100021)).toEqual([study.issuerOfPatientId]);
      expect(textAt(read, [], 0x0020000d)).toEqual([study.studyInstanceUid]);
      expect(textAt(read, [], 0x0020000e)).toEqual([study.seriesInstanceUid]);
      expect(textAt(read, [], 0x00200052)).toEqual([study.frameOfReferenceUid]);
      expect(textAt(read, [], SOP_INSTANCE_UID)).toEqual([study.sopInstanceUids[index]]);
      expect(dumps[index]?.length).toBeGreaterThan(600);
    });
  });

  it('refers each file to the one before it', () => {
    study.files.forEach((file, index) => {
      const read = readDicomFile(file);
      for (const sequence of [0x00081140, 0x00082112]) {
        const expected = index === 0 ? [] : [study.sopInstanceUids[index - 1]];
        expect(textAt(read, [{ tag: sequence, item: 0 }], 0x00081155)).toEqual(expected);
        expect(dumpedValues(dumps[index] ?? [], [sequence], 0x00081155)).toEqual(expected);
      }
    });
  });

  it('puts every planted value into every file', () => {
    study.files.forEach((file, index) => {
      const bytes = dataSetBytes(file);
      // Its own SOP Instance UID, the previous file's (referenced) and the first file's (in the nested references).
      const referenced = new Set([study.sopInstanceUids[index], study.sopInstanceUids[index - 1], study.sopInstanceUids[0]]);
      const expected = study.planted.filter((entry) => entry.location !== 'file-name' && (entry.tag !== SOP_INSTANCE_UID || referenced.has(entry.value)));
      expect(expected.filter((entry) => !findPlanted(bytes, [entry]).length).map((entry) => `${entry.location} ${entry.keyword}`)).toEqual([]);
      const others = study.sopInstanceUids.filter((uid) => !referenced.has(uid));
      expect(others.filter((uid) => bytes.includes(uid))).toEqual([]);
    });
  });

  it('puts the top-level values at the top level and the nested ones three sequence levels deep (per DCMTK)', () => {
    study.files.forEach((_file, index) => {
      const dump = dumps[index] ?? [];
      const misplaced = (location: PlantedValue['location'], trail: readonly Tag[]) =>
        study.planted
          .filter((entry) => entry.location === location && (entry.tag !== SOP_INSTANCE_UID || entry.value === study.sopInstanceUids[index]))
          .filter((entry) => !dumpedValues(dump, trail, entry.tag).includes(entry.value))
          .map((entry) => entry.keyword);
      expect(misplaced('top', [])).toEqual([]);
      expect(misplaced('nested', NESTED_PATH)).toEqual([]);
      for (const entry of at('nested')) {
        expect(dump.filter((element) => element.tag === entry.tag && element.depth === 3).map(dumpedText)).toContain(entry.value);
      }
      const file = readDicomFile(study.files[index] ?? '');
      if (file.encoding.explicitVr) expect(misplaced('private-sequence', [PRIVATE_SEQUENCE])).toEqual([]);
      // Without VRs in the file, a defined-length private sequence is a run of bytes to every reader.
      else expect(dump.find((element) => element.tag === PRIVATE_SEQUENCE)?.vr).toMatch(/^(\?\?|UN)$/);
      expect(misplaced('private', [])).toEqual([]);
    });
  });

  it('keeps the pixel data byte for byte', () => {
    const original = pixelBytes(study.baseFile);
    if (options.base === 'dicomparser_report_dfl.dcm') expect(original).toBeUndefined();
    else expect(original?.length).toBeGreaterThan(1000);
    for (const file of study.files) expect(pixelBytes(file)?.equals(original ?? Buffer.alloc(0)) ?? original === undefined).toBe(true);
  });

  it('plants no value the base file already holds', () => {
    expect(findPlanted(dataSetBytes(study.baseFile), study.planted)).toEqual([]);
    expect(findPlanted(Buffer.from(path.basename(study.baseFile)), study.planted)).toEqual([]);
  });
});

describe('planted values', () => {
  let first: PlantedStudy;
  let again: PlantedStudy;
  let other: PlantedStudy;

  beforeAll(async () => {
    first = await generatePlantedStudy(path.join(root, 'first'), { files: 2 });
    again = await generatePlantedStudy(path.join(root, 'again'), { files: 2 });
    other = await generatePlantedStudy(path.join(root, 'other'), { files: 2, seed: 'zz9' });
  });

  it('are at least 6 bytes and none is a substring of another, in one study and across seeds', () => {
    const listed = [...first.planted, ...other.planted];
    expect(listed.filter((entry) => entry.value.length < 6)).toEqual([]);
    const values = [...new Set(listed.map((entry) => entry.value))];
    const clashes: string[] = [];
    for (const a of values) for (const b of values) if (a !== b && b.includes(a)) clashes.push(`${a} in ${b}`);
    expect(clashes).toEqual([]);
    // The only value listed twice: the Patient ID, in the data set and in the file name.
    const twice = first.planted.filter((entry, index) => first.planted.findIndex((earlier) => earlier.value === entry.value) !== index);
    expect(twice).toEqual([{ value: first.patientId, keyword: 'PatientID', tag: 0x00100020, location: 'file-name' }]);
  });

  it('are the same, and give the same bytes, for the same options', () => {
    expect(again.planted).toEqual(first.planted);
    first.files.forEach((file, index) => expect(readFileSync(again.files[index] ?? '').equals(readFileSync(file))).toBe(true));
  });

  it('differ for another seed', () => {
    expect(findPlanted(Buffer.from(other.planted.map((entry) => entry.value).join('|')), first.planted)).toEqual([]);
    expect(other.patientName).not.toBe(first.patientName);
  });

  it('are found by findPlanted in bytes that hold them', () => {
    const sample = first.planted.slice(0, 5);
    const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(sample[1]?.value ?? ''), Buffer.from(sample[3]?.value ?? '', 'latin1'), Buffer.from('yy')]);
    expect(findPlanted(bytes, first.planted)).toEqual([sample[1], sample[3]]);
    expect(findPlanted(new Uint8Array(bytes).subarray(2), first.planted)).toEqual([sample[1], sample[3]]);
    expect(findPlanted(Buffer.from('nothing planted here'), first.planted)).toEqual([]);
  });
});
