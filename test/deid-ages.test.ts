import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import { textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { verifyOutput } from '../src/pipeline/verify.js';
import type { MappingRecord } from '../src/store/mapping-record.js';
import { anonymizeOne as anonymizeInto } from './helpers/anonymize-one.js';
import { corpusDir } from './helpers/corpus.js';
import { runDcmdump } from './helpers/dcmdump.js';

// HIPAA Safe Harbor: wherever an age is kept, an age over 89 years is the one category "90 or older".

const root = mkdtempSync(path.join(tmpdir(), 'dicom-ages-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('ages secret, at least 32 bytes!!', 'utf8'));
const KEEP_PATIENT: DeidOptions = { ...DEFAULT_OPTIONS, patient: false };
const PATIENT_AGE: Tag = 0x00101010;
const SELECTOR_AS_VALUE: Tag = 0x0072005f;
const NESTED: Tag = 0x00081115; // ReferencedSeriesSequence, kept

async function fileWithAge(name: string, age: string, nestedAge = age): Promise<string> {
  const base = readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm'));
  const edits = new Map<Tag, ElementEdit>([
    [PATIENT_AGE, { op: 'set', vr: 'AS', value: age }],
    [NESTED, { op: 'set', vr: 'SQ', value: { items: [[{ tag: SELECTOR_AS_VALUE, vr: 'AS', value: nestedAge }]] } }],
  ]);
  const file = path.join(root, `${name}.dcm`);
  await writeDicomFile(base, edits, file);
  return file;
}

async function anonymize(input: string, options: DeidOptions): Promise<{ output: string; record: MappingRecord | undefined }> {
  const outDir = path.join(root, `out-${path.basename(input)}-${String(options.patient)}-${options.standardOptions?.join() ?? ''}`);
  return anonymizeInto(input, outDir, options, keys);
}

describe('kept ages', () => {
  it('over 89 years become 090Y, at the top level and inside a sequence, and are listed as changed', async () => {
    const { output, record } = await anonymize(await fileWithAge('old', '095Y', '102Y'), KEEP_PATIENT);
    const file = readDicomFile(output);
    expect(textAt(file, [], PATIENT_AGE)).toEqual(['090Y']);
    expect(textAt(file, [{ tag: NESTED, item: 0 }], SELECTOR_AS_VALUE)).toEqual(['090Y']);
    expect(record?.tagsAnonymized).toContain('PatientAge');
    expect(runDcmdump(output)).toContain('(0010,1010) AS [090Y]');
    expect(verifyOutput(output, KEEP_PATIENT).map((finding) => finding.detail)).toEqual([]);
  });

  it('of 89 years and younger, or in months, weeks or days, stay as they are', async () => {
    for (const [age, nested] of [['089Y', '045Y'], ['095M', '099W'], ['030D', '090Y']] as const) {
      const { output } = await anonymize(await fileWithAge(`young-${age}`, age, nested), KEEP_PATIENT);
      const file = readDicomFile(output);
      expect(textAt(file, [], PATIENT_AGE)).toEqual([age]);
      expect(textAt(file, [{ tag: NESTED, item: 0 }], SELECTOR_AS_VALUE)).toEqual([nested]);
    }
  });

  it('over 89 become 090Y when Retain Patient Characteristics keeps them', async () => {
    const options: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: ['retain-patient-characteristics'] };
    const { output } = await anonymize(await fileWithAge('characteristics', '093Y'), options);
    expect(textAt(readDicomFile(output), [], PATIENT_AGE)).toEqual(['090Y']);
    expect(verifyOutput(output, options)).toEqual([]);
  });

  it('are removed by the Basic Profile as before', async () => {
    const { output } = await anonymize(await fileWithAge('basic', '095Y'), DEFAULT_OPTIONS);
    expect(textAt(readDicomFile(output), [], PATIENT_AGE)).toEqual([]);
  });

  it('over 89 are a finding of verify when an output keeps one', async () => {
    const findings = verifyOutput(await fileWithAge('unchecked', '097Y', '040Y'), KEEP_PATIENT);
    expect(findings.filter((finding) => finding.kind === 'age-over-89').map((finding) => finding.tag)).toEqual(['(0010,1010)']);
  });
});
