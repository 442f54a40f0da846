import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { addEdit, type ElementEdit, type NewItem, type PathStep } from '../src/dicom/edits.js';
import { textAt, valueAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { findLeaks, identifyingValues, verifyOutput } from '../src/pipeline/verify.js';
import { anonymizeOne as anonymizeInto } from './helpers/anonymize-one.js';
import { corpusDir } from './helpers/corpus.js';
import { parseDump, runDcmdump, type DumpLine } from './helpers/dcmdump.js';
import { TAG, codeItem, content, contentItems, type Code } from './helpers/sr-content.js';
import { survivors } from './helpers/visible-bytes.js';

// Real structured reports and presentation states: content-item-aware cleaning keeps what an SR
// means (its tree, concept names, codes, measurements, coordinates) and removes who it is about and
// who wrote it (TEXT, PNAME, DATE, TIME, DATETIME values; UIDREF values keyed).

const root = mkdtempSync(path.join(tmpdir(), 'dicom-sr-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('structured report secret, 32 b!!', 'utf8'));

async function anonymizeOne(input: string, name: string): Promise<string> {
  return (await anonymizeInto(input, path.join(root, name), DEFAULT_OPTIONS, keys)).output;
}

/** dcmdump's lines of the content tree (from the top-level ContentSequence on) for the given tags. */
function treeLines(file: string, tags: readonly string[]): DumpLine[] {
  const lines = parseDump(runDcmdump(file, ['+Qn'])).filter((line) => line.section === 'dataSet');
  const start = lines.findIndex((line) => line.depth === 0 && line.tag === '(0040,a730)');
  const after = lines.slice(start).findIndex((line, index) => index > 0 && line.depth === 0);
  return lines.slice(start, after < 0 ? undefined : start + after).filter((line) => tags.includes(line.tag));
}

describe('a real structured report whose items repeat the patient', () => {
  const patientName = 'Osterman^Phillip B.';
  const patientId = 'SRPID778899';
  const accession = 'SRACC55443';
  const birthDate = '19220909';
  let input: string;
  let output: string;
  let studyUid: string;

  it('is built from a real SR, with TEXT, PNAME, DATE, TIME, DATETIME and UIDREF items planted', async () => {
    const base = readDicomFile(path.join(corpusDir, 'dicomparser_report_dfl.dcm'));
    expect(textAt(base, [], 0x00100010)).toEqual([patientName]);
    studyUid = textAt(base, [], 0x0020000d)[0] ?? '';
    const edits = new Map<Tag, ElementEdit>([
      [0x00100020, { op: 'set', vr: 'LO', value: patientId }],
      [0x00080050, { op: 'set', vr: 'SH', value: accession }],
    ]);
    const texts = contentItems(base).filter((item) => item.valueType === 'TEXT');
    expect(texts.length).toBeGreaterThanOrEqual(8);
    const retype = (at: PathStep[], valueType: string, tag: Tag, vr: 'DA' | 'TM' | 'DT' | 'UI', value: string) => {
      addEdit(edits, at, TAG.ValueType, { op: 'set', vr: 'CS', value: valueType });
      addEdit(edits, at, TAG.TextValue, { op: 'remove' });
      addEdit(edits, at, tag, { op: 'set', vr, value });
    };
    const [date, time, datetime, uidref, ...rest] = texts;
    retype(date?.path ?? [], 'DATE', TAG.Date, 'DA', birthDate);
    retype(time?.path ?? [], 'TIME', TAG.Time, 'TM', '093015');
    retype(datetime?.path ?? [], 'DATETIME', TAG.DateTime, 'DT', `${birthDate}093015`);
    retype(uidref?.path ?? [], 'UIDREF', TAG.UID, 'UI', studyUid);
    for (const text of rest) addEdit(edits, text.path, TAG.TextValue, { op: 'set', vr: 'UT', value: `Seen ${patientName}, ID ${patientId}, accession ${accession}.` });
    for (const pname of contentItems(base).filter((item) => item.valueType === 'PNAME')) addEdit(edits, pname.path, TAG.PersonName, { op: 'set', vr: 'PN', value: patientName });
    input = path.join(root, 'report.dcm');
    await writeDicomFile(base, edits, input);
    expect(survivors(input, [patientId, accession, 'Osterman', birthDate, '093015'])).toHaveLength(5);
    runDcmdump(input);
    output = await anonymizeOne(input, 'report');
  });

  it('leaves none of the patient in the output (bytes and inflated data set), and dcmdump reads it', () => {
    expect(survivors(output, [patientId, accession, 'Osterman', 'Phillip', birthDate, '093015', studyUid])).toEqual([]);
    runDcmdump(output);
    expect(verifyOutput(output, DEFAULT_OPTIONS)).toEqual([]);
    expect(findLeaks(output, identifyingValues(input, DEFAULT_OPTIONS))).toEqual([]);
  });

  it('keeps the tree: value types, relationships and concept names, in order', () => {
    const tags = ['(0040,a010)', '(0040,a040)', '(0008,0100)', '(0008,0102)', '(0008,0104)'];
    expect(treeLines(output, tags)).toEqual(treeLines(input, tags));
  });

  it('gives TEXT, PNAME, DATE, TIME and DATETIME values dummies, and the UIDREF the study\'s keyed UID', () => {
    const out = readDicomFile(output);
    const byType = (type: string) => contentItems(out).filter((item) => item.valueType === type);
    for (const item of byType('TEXT')) expect(textAt(out, item.path, TAG.TextValue)).toEqual(['ANONYMIZED']);
    for (const item of byType('PNAME')) expect(textAt(out, item.path, TAG.PersonName)).toEqual(['ANONYMIZED']);
    expect(byType('DATE').map((item) => textAt(out, item.path, TAG.Date)[0])).toEqual(['19000101']);
    expect(byType('TIME').map((item) => textAt(out, item.path, TAG.Time)[0])).toEqual(['000000']);
    expect(byType('DATETIME').map((item) => textAt(out, item.path, TAG.DateTime)[0])).toEqual(['19000101000000']);
    const keyed = keys.uid(studyUid);
    expect(byType('UIDREF').map((item) => textAt(out, item.path, TAG.UID)[0])).toEqual([keyed]);
    expect(textAt(out, [], 0x0020000d)).toEqual([keyed]);
  });
});

describe('a radiation dose SR', () => {
  const planted = {
    observer: 'Radtech^Rita',
    deviceName: 'CT-SCANNER-ROOM7',
    serial: 'SN-99887766',
    organisation: 'St. Elsewhere Hospital',
    protocol: 'HEAD ROUTINE DR SMITH',
    eventUid: '1.2.826.0.1.3680043.10.9999.77.1',
    deviceUid: '1.2.826.0.1.3680043.10.9999.77.2',
    start: '20240102030405',
  };
  const dcm = (value: string, meaning: string): Code => [value, 'DCM', meaning];
  const mGy: Code = ['mGy', 'UCUM', 'mGy'];
  const mGycm: Code = ['mGy.cm', 'UCUM', 'mGy.cm'];
  let input: string;
  let output: string;

  it('is built as TID 10011 with observer context, accumulated dose and one CT acquisition', async () => {
    const tree: NewItem[] = [
      content.code('HAS CONCEPT MOD', dcm('121058', 'Procedure reported'), ['P5-08000', 'SRT', 'Computed Tomography X-Ray']),
      content.pname('HAS OBS CONTEXT', dcm('121008', 'Person Observer Name'), planted.observer),
      content.text('HAS OBS CONTEXT', dcm('121009', "Person Observer's Organization Name"), planted.organisation),
      content.uidref('HAS OBS CONTEXT', dcm('121012', 'Device Observer UID'), planted.deviceUid),
      content.text('HAS OBS CONTEXT', dcm('121013', 'Device Observer Name'), planted.deviceName),
      content.text('HAS OBS CONTEXT', dcm('121016', 'Device Observer Serial Number'), planted.serial),
      content.datetime('HAS OBS CONTEXT', dcm('113809', 'Start of X-Ray Irradiation'), planted.start),
      content.container('CONTAINS', dcm('113811', 'CT Accumulated Dose Data'), [
        content.num('CONTAINS', dcm('113812', 'Total Number of Irradiation Events'), '1', ['{events}', 'UCUM', 'events']),
        content.num('CONTAINS', dcm('113813', 'CT Dose Length Product Total'), '345.67', mGycm),
      ]),
      content.container('CONTAINS', dcm('113819', 'CT Acquisition'), [
        content.text('CONTAINS', dcm('125203', 'Acquisition Protocol'), planted.protocol),
        content.code('CONTAINS', dcm('123014', 'Target Region'), ['T-D1100', 'SRT', 'Head']),
        content.code('CONTAINS', dcm('113820', 'CT Acquisition Type'), ['P5-08001', 'SRT', 'Spiral Acquisition']),
        content.uidref('CONTAINS', dcm('113769', 'Irradiation Event UID'), planted.eventUid),
        content.container('CONTAINS', dcm('113829', 'CT Dose'), [
          content.num('CONTAINS', dcm('113830', 'Mean CTDIvol'), '12.34', mGy),
          content.num('CONTAINS', dcm('113838', 'DLP'), '345.67', mGycm),
          content.code('CONTAINS', dcm('113835', 'CTDIw Phantom Type'), dcm('113690', 'IEC Head Dosimetry Phantom')),
        ]),
      ]),
    ];
    const base = readDicomFile(path.join(corpusDir, 'dcmjs_sample-sr.dcm'));
    const edits = new Map<Tag, ElementEdit>([
      [0x00080016, { op: 'set', vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.88.67' }],
      [TAG.ConceptNameCodeSequence, { op: 'set', vr: 'SQ', value: { items: [codeItem(dcm('113701', 'X-Ray Radiation Dose Report'))] } }],
      [TAG.ContentSequence, { op: 'set', vr: 'SQ', value: { items: tree } }],
    ]);
    input = path.join(root, 'dose.dcm');
    await writeDicomFile(base, edits, input);
    runDcmdump(input);
    output = await anonymizeOne(input, 'dose');
  });

  it('keeps every dose value, unit and code, and the tree, as dcmdump reads them', () => {
    const tags = ['(0040,a010)', '(0040,a040)', '(0008,0100)', '(0008,0102)', '(0008,0104)', '(0040,a30a)'];
    const before = treeLines(input, tags);
    expect(before.filter((line) => line.tag === '(0040,a30a)').map((line) => line.value)).toEqual(['[1]', '[345.67]', '[12.34]', '[345.67]']);
    expect(treeLines(output, tags)).toEqual(before);
    const out = readDicomFile(output);
    expect(textAt(out, [{ tag: TAG.ConceptNameCodeSequence, item: 0 }], 0x00080100)).toEqual(['113701']);
    expect(textAt(out, [], 0x00080016)).toEqual(['1.2.840.10008.5.1.4.1.1.88.67']);
  });

  it('cleans the observer context and the free text, and keys the UIDs', () => {
    expect(survivors(output, Object.values(planted))).toEqual([]);
    const out = readDicomFile(output);
    const uids = contentItems(out).filter((item) => item.valueType === 'UIDREF').map((item) => textAt(out, item.path, TAG.UID)[0]);
    expect(uids).toEqual([keys.uid(planted.deviceUid), keys.uid(planted.eventUid)]);
    runDcmdump(output);
    expect(verifyOutput(output, DEFAULT_OPTIONS)).toEqual([]);
  });
});

describe('a presentation state with a text annotation', () => {
  const note = 'Osterman, MRN SRPID778899: lesion, see Dr. Who';
  const referenced = '1.2.826.0.1.3680043.10.9999.66.1';
  let input: string;
  let output: string;

  it('is built as a GSPS whose annotation references an image and carries text and a polyline', async () => {
    const base = readDicomFile(path.join(corpusDir, 'dcmjs_sample-sr.dcm'));
    const annotation: NewItem = [
      { tag: 0x00081140, vr: 'SQ', value: { items: [[{ tag: 0x00081150, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' }, { tag: 0x00081155, vr: 'UI', value: referenced }]] } },
      { tag: 0x00700002, vr: 'CS', value: 'ANNOTATION' },
      {
        tag: 0x00700008,
        vr: 'SQ',
        value: { items: [[
          { tag: 0x00700003, vr: 'CS', value: 'PIXEL' },
          { tag: 0x00700006, vr: 'ST', value: note },
          { tag: 0x00700010, vr: 'FL', value: [10, 12] },
          { tag: 0x00700011, vr: 'FL', value: [200, 40] },
          { tag: 0x00700012, vr: 'CS', value: 'LEFT' },
        ]] },
      },
      {
        tag: 0x00700009,
        vr: 'SQ',
        value: { items: [[
          { tag: 0x00700005, vr: 'CS', value: 'PIXEL' },
          { tag: 0x00700020, vr: 'US', value: 2 },
          { tag: 0x00700021, vr: 'US', value: 2 },
          { tag: 0x00700022, vr: 'FL', value: [1.5, 2.5, 30.25, 40.75] },
          { tag: 0x00700023, vr: 'CS', value: 'POLYLINE' },
          { tag: 0x00700024, vr: 'CS', value: 'N' },
        ]] },
      },
    ];
    const edits = new Map<Tag, ElementEdit>([
      [0x00080016, { op: 'set', vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.11.1' }],
      [0x00080060, { op: 'set', vr: 'CS', value: 'PR' }],
      [TAG.ContentSequence, { op: 'remove' }],
      [0x00700001, { op: 'set', vr: 'SQ', value: { items: [annotation] } }],
      [0x00700080, { op: 'set', vr: 'CS', value: 'ANNOTATIONS' }],
    ]);
    input = path.join(root, 'gsps.dcm');
    await writeDicomFile(base, edits, input);
    runDcmdump(input);
    output = await anonymizeOne(input, 'gsps');
  });

  it('removes the typed text and keeps the graphics, the layer and the (keyed) image reference', () => {
    expect(survivors(output, [note, 'Osterman', 'SRPID778899', referenced])).toEqual([]);
    const out = readDicomFile(output);
    const at = [{ tag: 0x00700001, item: 0 }];
    expect(textAt(out, [...at, { tag: 0x00700008, item: 0 }], 0x00700006)).toEqual(['ANONYMIZED']);
    expect(textAt(out, at, 0x00700002)).toEqual(['ANNOTATION']);
    expect(textAt(out, [...at, { tag: 0x00081140, item: 0 }], 0x00081155)).toEqual([keys.uid(referenced)]);
    expect(textAt(out, [...at, { tag: 0x00081140, item: 0 }], 0x00081150)).toEqual(['1.2.840.10008.5.1.4.1.1.2']);
    const graphics = valueAt(out, [...at, { tag: 0x00700009, item: 0 }], 0x00700022);
    expect(graphics?.kind === 'numbers' ? [...graphics.values] : graphics).toEqual([1.5, 2.5, 30.25, 40.75]);
    const box = valueAt(out, [...at, { tag: 0x00700008, item: 0 }], 0x00700011);
    expect(box?.kind === 'numbers' ? [...box.values] : box).toEqual([200, 40]);
    const tags = ['(0070,0002)', '(0070,0003)', '(0070,0005)', '(0070,0010)', '(0070,0011)', '(0070,0020)', '(0070,0021)', '(0070,0022)', '(0070,0023)'];
    const graphicLines = (file: string) => parseDump(runDcmdump(file, ['+Qn'])).filter((line) => tags.includes(line.tag));
    expect(graphicLines(output)).toEqual(graphicLines(input));
    expect(verifyOutput(output, DEFAULT_OPTIONS)).toEqual([]);
  });
});
