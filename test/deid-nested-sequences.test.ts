import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { PathStep } from '../src/dicom/edits.js';
import { textAt, valueAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { findLeaks, identifyingValues, verifyOutput } from '../src/pipeline/verify.js';
import { anonymizeOne as anonymizeInto } from './helpers/anonymize-one.js';
import { runDcmdump } from './helpers/dcmdump.js';
import {
  CONCEPT_CODE,
  CONCEPT_NAME_CODE_SEQUENCE,
  KEPT,
  NESTED_SEQUENCE,
  UNNAMED_PLANTS,
  writeNestedPlants,
  type NestedPlant,
} from './helpers/nested-plants.js';

// Every sequence the profile keeps with its contents cleaned (D, Z/D, X/D, X/Z/D, X/Z/U*) carries,
// one and two items deep, identifying values in attributes the table does not name. None may
// survive; structure, numbers, class UIDs and concept codes must.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-nested-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('nested sequences secret, 32 b!!!', 'utf8'));

async function anonymizeOne(input: string, name: string, options: DeidOptions = DEFAULT_OPTIONS): Promise<string> {
  return (await anonymizeInto(input, path.join(root, name), options, keys)).output;
}

let input: string;
let output: string;
let plants: readonly NestedPlant[];
let sequences: readonly { readonly tag: Tag; readonly keyword: string }[];

beforeAll(async () => {
  input = path.join(root, 'nested.dcm');
  ({ plants, sequences } = await writeNestedPlants(input));
  output = await anonymizeOne(input, 'default');
});

describe('sequences the profile dummies, planted two items deep', () => {
  it('covers every such sequence of the table, and the planted file reads cleanly', () => {
    expect(sequences.map((row) => row.keyword).sort()).toEqual([
      'ContentSequence', 'FlowIdentifierSequence', 'GraphicAnnotationSequence', 'InstitutionCodeSequence',
      'OperatorIdentificationSequence', 'PersonIdentificationCodeSequence', 'ReferencedImageSequence',
      'ReferencedPerformedProcedureStepSequence', 'SourceImageSequence', 'VerifyingObserverSequence',
    ]);
    expect(plants).toHaveLength(sequences.length * 2 * UNNAMED_PLANTS.length);
    const bytes = readFileSync(input);
    for (const plant of plants) expect(bytes.includes(Buffer.from(plant.value, 'latin1')), plant.value).toBe(true);
    runDcmdump(input);
  });

  it('leaves no planted value anywhere in the output, and dcmdump reads it cleanly', () => {
    const bytes = readFileSync(output);
    const survivors = plants.filter((plant) => bytes.includes(Buffer.from(plant.value, 'latin1')));
    expect(survivors.map((plant) => `${plant.sequence} depth ${plant.depth} ${plant.keyword}`)).toEqual([]);
    const dump = runDcmdump(output, ['+Qn']);
    for (const plant of plants) expect(dump.includes(plant.value), plant.value).toBe(false);
  });

  it('keeps structure, numbers, class UIDs and concept codes at both depths', () => {
    const file = readDicomFile(output);
    for (const row of sequences) {
      for (const depth of [1, 2]) {
        const at: PathStep[] = [{ tag: row.tag, item: 0 }, ...(depth === 2 ? [{ tag: NESTED_SEQUENCE, item: 0 }] : [])];
        const where = `${row.keyword} depth ${depth}`;
        expect(textAt(file, at, KEPT.graphicLayer.tag), where).toEqual([KEPT.graphicLayer.value]);
        expect(textAt(file, at, KEPT.referencedFrameNumber.tag), where).toEqual([KEPT.referencedFrameNumber.value]);
        expect(textAt(file, at, KEPT.referencedSopClassUid.tag), where).toEqual([KEPT.referencedSopClassUid.value]);
        const graphicData = valueAt(file, at, KEPT.graphicData.tag);
        expect(graphicData?.kind === 'numbers' ? [...graphicData.values] : graphicData, where).toEqual([...KEPT.graphicData.value]);
        const code = [0x00080100, 0x00080102, 0x00080104].map((tag) => textAt(file, [...at, { tag: CONCEPT_NAME_CODE_SEQUENCE, item: 0 }], tag)[0]);
        expect(code, where).toEqual([...CONCEPT_CODE]);
      }
    }
  });

  it('gives text, names and dates VR-valid dummies and UIDs keyed UIDs', () => {
    const file = readDicomFile(output);
    const at: PathStep[] = [{ tag: 0x0040a730, item: 0 }, { tag: NESTED_SEQUENCE, item: 0 }];
    expect(textAt(file, at, 0x0040a160)).toEqual(['ANONYMIZED']);
    expect(textAt(file, at, 0x00140104)).toEqual([]); // a name beyond the table: emptied, as Content Creator's Name is
    expect(textAt(file, at, 0x00140102)).toEqual(['19000101']);
    expect(textAt(file, at, 0x00140103)).toEqual(['000000']);
    expect(textAt(file, at, 0x00080120)).toEqual(['urn:anonymized']);
    const original = plants.find((plant) => plant.sequence === 'ContentSequence' && plant.depth === 2 && plant.keyword === 'MultiFrameSourceSOPInstanceUID');
    expect(textAt(file, at, 0x00081167)).toEqual([keys.uid(original?.value ?? '')]);
  });

  it('passes verify, whose leak gate takes every planted value as a needle', () => {
    expect(verifyOutput(output, DEFAULT_OPTIONS)).toEqual([]);
    const needles = new Set(identifyingValues(input, DEFAULT_OPTIONS).map((entry) => entry.value));
    expect(plants.filter((plant) => plant.value.length >= 5 && !needles.has(plant.value.trim()))).toEqual([]);
    expect(findLeaks(output, identifyingValues(input, DEFAULT_OPTIONS))).toEqual([]);
    // The original itself, taken as an output, leaks every one of them.
    const leaked = findLeaks(input, identifyingValues(input, DEFAULT_OPTIONS));
    expect(leaked.length).toBeGreaterThanOrEqual(plants.length);
  });

  it('follows the date and UID options for attributes the table does not name', async () => {
    const kept = readDicomFile(await anonymizeOne(input, 'retain', { ...DEFAULT_OPTIONS, dates: 'keep', regenerateUids: false }));
    const at: PathStep[] = [{ tag: 0x0040a730, item: 0 }];
    const planted = (keyword: string) => plants.find((plant) => plant.sequence === 'ContentSequence' && plant.depth === 1 && plant.keyword === keyword)?.value;
    expect(textAt(kept, at, 0x00140102)).toEqual([planted('SecondaryReviewDate')]);
    expect(textAt(kept, at, 0x00081167)).toEqual([planted('MultiFrameSourceSOPInstanceUID')]);
    expect(textAt(kept, at, 0x0040a160)).toEqual(['ANONYMIZED']);

    const shifted = readDicomFile(await anonymizeOne(input, 'shift', { ...DEFAULT_OPTIONS, dates: 'shift' }));
    const date = textAt(shifted, at, 0x00140102)[0] ?? '';
    expect(date).toMatch(/^\d{8}$/);
    expect(date).not.toBe(planted('SecondaryReviewDate'));
    expect(date).not.toBe('19000101');
  });
});
