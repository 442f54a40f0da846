import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { StandardOption } from '../src/deid/standard-options.js';
import { tagForKeyword } from '../src/dicom/dictionary.js';
import { addEdit, type ElementEdit, type NewItem, type PathStep } from '../src/dicom/edits.js';
import { textAt, valueBytes } from '../src/dicom/element-access.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { findLeaks, identifyingValues, verifyOutput } from '../src/pipeline/verify.js';
import { anonymizeOne } from './helpers/anonymize-one.js';
import { corpusDir } from './helpers/corpus.js';
import { runDcmdump } from './helpers/dcmdump.js';
import { contentItems, TAG } from './helpers/sr-content.js';
import { survivors } from './helpers/visible-bytes.js';

// The Clean options on planted files: descriptors, SR content and presentation-state text keep
// what they say with the file's identifying values cut out; what holds nothing identifying comes
// through byte for byte; names, dates and UIDs inside still follow the Basic Profile.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-clean-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('clean options test secret, 32 b!', 'utf8'));
const withOptions = (...standardOptions: StandardOption[]): DeidOptions => ({ ...DEFAULT_OPTIONS, standardOptions });
const tag = (keyword: string): Tag => {
  const found = tagForKeyword(keyword);
  if (found === undefined) throw new Error(`no keyword ${keyword}`);
  return found;
};

const bytesOf = (file: DicomFile, keyword: string) => {
  const element = file.dataSet.find((candidate) => candidate.tag === tag(keyword));
  return element ? Buffer.from(valueBytes(file, element) ?? []).toString('hex') : undefined;
};

function expectValid(input: string, output: string, options: DeidOptions): void {
  runDcmdump(output);
  expect(verifyOutput(output, options)).toEqual([]);
  expect(findLeaks(output, identifyingValues(input, options))).toEqual([]);
}

describe('Clean Descriptors on a planted study', () => {
  const identity = {
    PatientName: 'Mustermann^Max^M',
    PatientID: 'PID4711X',
    PatientBirthDate: '19610823',
    AccessionNumber: 'ACC20240099',
    StudyDate: '20240312',
    StudyID: '12',
    InstitutionName: 'Klinikum Nordstadt',
    ReferringPhysicianName: 'Schmidt^Anna^^Dr.',
    PerformingPhysicianName: 'Weißenfels^Jörg',
    OperatorsName: 'Keller^Tom',
    PatientTelephoneNumbers: '+49 30 1234567',
    PatientAddress: 'Hauptstraße 5, 12345 Berlin',
    OtherPatientIDs: 'KIS-998877',
    MilitaryRank: 'YES',
  };
  const descriptors = {
    StudyDescription: 'Thorax Mustermann followup',
    SeriesDescription: 'T1 MPRAGE SAG',
    ProtocolName: 'Max 23.08.1961 PID4711X',
    ImageComments:
      'Born 1961-08-23, study 12. März 2024, seen 03/12/2024 by Dr. Schmidt and Dr. Weissenfels (Jörg); call +49 (30) 123-4567. ' +
      'Accession ACC20240099 at Klinikum Nordstadt, operator KELLER, other ID KIS-998877, lives Hauptstraße 5 in Berlin.',
    StudyComments: 'Study on 12 Mar 2024 and March 12, 2024; birth 23.8.1961; DOB 19610823; 08/23/1961; 23-08-1961.',
    Occupation: 'Max Keller Tom X',
    AcquisitionDeviceProcessingDescription: 'Filter M YES',
    DerivationDescription: 'Slab 12 mm',
  };
  const expected = {
    StudyDescription: 'Thorax [removed] followup',
    ProtocolName: '[removed] [removed] [removed]',
    ImageComments:
      'Born [removed], study [removed], seen [removed] by Dr. [removed] and Dr. [removed] ([removed]); call +[removed]. ' +
      'Accession [removed] at [removed], operator [removed], other ID [removed], lives [removed] in [removed].',
    StudyComments: 'Study on [removed] and [removed]; birth [removed]; DOB [removed]; [removed]; [removed].',
    // SH holds 16 characters: the marker is shortened so the value stays valid.
    Occupation: '[x] [x] [x] X',
  };
  const unchanged = ['SeriesDescription', 'AcquisitionDeviceProcessingDescription', 'DerivationDescription'];
  const options = withOptions('clean-descriptors');
  let input: string;
  let output: string;

  beforeAll(async () => {
    const base = readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm'));
    expect(textAt(base, [], 0x00080005)).toEqual(['ISO_IR 100']); // Latin-1: umlauts and ß
    const edits = new Map<Tag, ElementEdit>();
    for (const [keyword, value] of Object.entries({ ...identity, ...descriptors })) edits.set(tag(keyword), { op: 'set', value });
    input = path.join(root, 'planted.dcm');
    await writeDicomFile(base, edits, input);
    output = (await anonymizeOne(input, path.join(root, 'clean-descriptors'), options, keys)).output;
  });

  it('cuts names, IDs, accession, institution, staff, phone, address and dates out of descriptors, and keeps the rest of the text', () => {
    const out = readDicomFile(output);
    for (const [keyword, value] of Object.entries(expected)) expect([keyword, textAt(out, [], tag(keyword))]).toEqual([keyword, [value]]);
  });

  it('copies a descriptor with nothing identifying in it byte for byte (generic values, initials and short numbers are no needles)', () => {
    const before = readDicomFile(input);
    const after = readDicomFile(output);
    for (const keyword of unchanged) expect([keyword, bytesOf(after, keyword)]).toEqual([keyword, bytesOf(before, keyword)]);
  });

  it('still obeys the Basic Profile elsewhere, claims 113105, and dcmdump, verify and the leak gate agree', () => {
    const out = readDicomFile(output);
    expect(survivors(output, ['Mustermann', 'PID4711X', 'ACC20240099', 'Klinikum', 'Schmidt', 'Weißenfels', 'KIS-998877', '19610823', '20240312'])).toEqual([]);
    expect(textAt(out, [], tag('PatientBirthDate'))).toEqual([]);
    const codes = (out.dataSet.find((element) => element.tag === 0x00120064)?.items ?? []).map((_item, index) => textAt(out, [{ tag: 0x00120064, item: index }], 0x00080100)[0]);
    expect(codes).toEqual(['113100', '113105']);
    expect(textAt(out, [], 0x00120063)).toContain('Clean Descriptors Option');
    expectValid(input, output, options);
  });

  it('removes the descriptors as before without the option', async () => {
    const plain = (await anonymizeOne(input, path.join(root, 'plain'), DEFAULT_OPTIONS, keys)).output;
    const out = readDicomFile(plain);
    for (const keyword of ['StudyDescription', 'ImageComments', 'StudyComments', 'SeriesDescription']) expect([keyword, bytesOf(out, keyword)]).toEqual([keyword, undefined]);
    expect(survivors(plain, ['followup', 'MPRAGE'])).toEqual([]);
    expectValid(input, plain, DEFAULT_OPTIONS);
  });

  it('verify finds a descriptor that still holds a name of the original', async () => {
    const leaky = path.join(root, 'leaky.dcm');
    await writeDicomFile(readDicomFile(output), new Map([[tag('StudyDescription'), { op: 'set', value: 'Thorax Mustermann followup' }]]), leaky);
    expect(verifyOutput(leaky, options)).toEqual([]);
    const leaks = findLeaks(leaky, identifyingValues(input, options));
    expect(leaks.map((leak) => leak.tag)).toEqual(['(0010,0010)']);
  });
});

describe('Clean Structured Content on a real structured report', () => {
  const patientId = 'SRPID778899';
  const accession = 'SRACC55443';
  const options = withOptions('clean-structured-content');
  let input: string;
  let output: string;
  let plainTexts: { path: PathStep[]; value: string }[];

  beforeAll(async () => {
    const base = readDicomFile(path.join(corpusDir, 'dicomparser_report_dfl.dcm'));
    expect(textAt(base, [], 0x00100010)).toEqual(['Osterman^Phillip B.']);
    const edits = new Map<Tag, ElementEdit>([
      [0x00100020, { op: 'set', vr: 'LO', value: patientId }],
      [0x00080050, { op: 'set', vr: 'SH', value: accession }],
      [0x00100030, { op: 'set', vr: 'DA', value: '19220909' }],
    ]);
    const texts = contentItems(base).filter((item) => item.valueType === 'TEXT');
    expect(texts.length).toBeGreaterThanOrEqual(4);
    const [first, second, ...rest] = texts;
    addEdit(edits, first?.path ?? [], TAG.TextValue, { op: 'set', vr: 'UT', value: `Seen Osterman, ID ${patientId}, accession ${accession}, born 09.09.1922.` });
    addEdit(edits, second?.path ?? [], TAG.TextValue, { op: 'set', vr: 'UT', value: 'Phillip reports no pain.' });
    for (const pname of contentItems(base).filter((item) => item.valueType === 'PNAME')) addEdit(edits, pname.path, TAG.PersonName, { op: 'set', vr: 'PN', value: 'Osterman^Phillip' });
    input = path.join(root, 'report.dcm');
    await writeDicomFile(base, edits, input);
    plainTexts = rest.map((item) => ({ path: item.path, value: textAt(base, item.path, TAG.TextValue)[0] ?? '' }));
    output = (await anonymizeOne(input, path.join(root, 'clean-sr'), options, keys)).output;
  });

  it('cleans TEXT values instead of dummying them, and keeps those with nothing identifying as they were', () => {
    const out = readDicomFile(output);
    const texts = contentItems(out).filter((item) => item.valueType === 'TEXT').map((item) => textAt(out, item.path, TAG.TextValue)[0]);
    expect(texts.slice(0, 2)).toEqual(['Seen [removed], ID [removed], accession [removed], born [removed].', '[removed] reports no pain.']);
    expect(plainTexts.length).toBeGreaterThan(0);
    for (const item of plainTexts) expect(textAt(out, item.path, TAG.TextValue)).toEqual([item.value]);
  });

  it('still dummies PNAME values and keeps the concept names', () => {
    const out = readDicomFile(output);
    const pnames = contentItems(out).filter((item) => item.valueType === 'PNAME');
    expect(pnames.length).toBeGreaterThan(0);
    for (const item of pnames) expect(textAt(out, item.path, TAG.PersonName)).toEqual(['ANONYMIZED']);
    expect(survivors(output, ['Osterman', 'Phillip', patientId, accession, '19220909'])).toEqual([]);
    expectValid(input, output, options);
  });

  it('without the option, TEXT values are dummies as before', async () => {
    const plain = (await anonymizeOne(input, path.join(root, 'plain-sr'), DEFAULT_OPTIONS, keys)).output;
    const out = readDicomFile(plain);
    for (const item of contentItems(out).filter((entry) => entry.valueType === 'TEXT')) expect(textAt(out, item.path, TAG.TextValue)).toEqual(['ANONYMIZED']);
  });
});

describe('Clean Graphics on a presentation state', () => {
  const options = withOptions('clean-graphics');
  const annotation: NewItem = [
    { tag: 0x00700002, vr: 'CS', value: 'ANNOTATION' },
    {
      tag: 0x00700008,
      vr: 'SQ',
      value: { items: [
        [{ tag: 0x00700003, vr: 'CS', value: 'PIXEL' }, { tag: 0x00700006, vr: 'ST', value: 'Osterman, MRN SRPID778899: lesion, see Dr. Who' }, { tag: 0x00700010, vr: 'FL', value: [10, 12] }, { tag: 0x00700011, vr: 'FL', value: [200, 40] }],
        [{ tag: 0x00700003, vr: 'CS', value: 'PIXEL' }, { tag: 0x00700006, vr: 'ST', value: 'L' }, { tag: 0x00700010, vr: 'FL', value: [1, 1] }, { tag: 0x00700011, vr: 'FL', value: [9, 9] }],
      ] },
    },
  ];
  let input: string;
  let output: string;

  beforeAll(async () => {
    const base = readDicomFile(path.join(corpusDir, 'dcmjs_sample-sr.dcm'));
    const edits = new Map<Tag, ElementEdit>([
      [0x00080016, { op: 'set', vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.11.1' }],
      [0x00080060, { op: 'set', vr: 'CS', value: 'PR' }],
      [0x00100010, { op: 'set', vr: 'PN', value: 'Osterman^Phillip' }],
      [0x00100020, { op: 'set', vr: 'LO', value: 'SRPID778899' }],
      [TAG.ContentSequence, { op: 'remove' }],
      [0x00700001, { op: 'set', vr: 'SQ', value: { items: [annotation] } }],
      [0x60004000, { op: 'set', vr: 'LT', value: 'Marked for Osterman' }],
      [0x60003000, { op: 'set', vr: 'OW', value: new Uint8Array(8).fill(0xff) }],
    ]);
    input = path.join(root, 'gsps.dcm');
    await writeDicomFile(base, edits, input);
    output = (await anonymizeOne(input, path.join(root, 'clean-gsps'), options, keys)).output;
  });

  it('cleans the text objects and overlay comments, keeps the graphics, and removes the overlay bitmap', () => {
    const out = readDicomFile(output);
    const at = (item: number) => [{ tag: 0x00700001, item: 0 }, { tag: 0x00700008, item }];
    expect(textAt(out, at(0), 0x00700006)).toEqual(['[removed], MRN [removed]: lesion, see Dr. Who']);
    expect(textAt(out, at(1), 0x00700006)).toEqual(['L']);
    expect(textAt(out, [], 0x60004000)).toEqual(['Marked for [removed]']);
    expect(out.dataSet.some((element) => element.tag === 0x60003000)).toBe(false);
    expect(textAt(out, [{ tag: 0x00700001, item: 0 }], 0x00700002)).toEqual(['ANNOTATION']);
    expectValid(input, output, options);
  });

  it('without the option, the typed text is a dummy and the overlay comments go', async () => {
    const plain = (await anonymizeOne(input, path.join(root, 'plain-gsps'), DEFAULT_OPTIONS, keys)).output;
    const out = readDicomFile(plain);
    expect(textAt(out, [{ tag: 0x00700001, item: 0 }, { tag: 0x00700008, item: 0 }], 0x00700006)).toEqual(['ANONYMIZED']);
    expect(out.dataSet.some((element) => element.tag === 0x60004000)).toBe(false);
  });
});
