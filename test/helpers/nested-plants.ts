// Builds a file in which every sequence that PS3.15 Table E.1-1 keeps with its contents cleaned
// (actions D, Z/D, X/D, X/Z/D and X/Z/U*) holds an item, and inside it a nested item, each with a
// distinct identifying value planted in attributes the table does not name, of every text, date
// and UID VR; next to them values that must stay (an enumerated CS, numbers, a class UID, a concept
// code). The rows and the "not named by the table" check are read from the shared reference TSVs,
// not from our generated tables, so the test does not grade our code with our own data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ElementEdit, NewElement } from '../../src/dicom/edits.js';
import { readDicomFile } from '../../src/dicom/read-file.js';
import type { Tag } from '../../src/dicom/tag.js';
import type { Vr } from '../../src/dicom/vr.js';
import { writeDicomFile } from '../../src/dicom/write-dicom-file.js';
import { corpusDir, referenceDir } from './corpus.js';

export interface NestedPlant {
  readonly value: string;
  /** The sequence row the value was planted in, and at which depth (1: its item, 2: nested). */
  readonly sequence: string;
  readonly depth: 1 | 2;
  readonly keyword: string;
}

/** Attributes the table does not name, one per VR that may carry identity (no AE: every AE is a row). */
export const UNNAMED_PLANTS: readonly { readonly tag: Tag; readonly keyword: string; readonly vr: Vr }[] = [
  { tag: 0x0040a160, keyword: 'TextValue', vr: 'UT' },
  { tag: 0x00700006, keyword: 'UnformattedTextValue', vr: 'ST' },
  { tag: 0x00080108, keyword: 'ExtendedCodeMeaning', vr: 'LT' },
  { tag: 0x00080070, keyword: 'Manufacturer', vr: 'LO' },
  { tag: 0x00080100, keyword: 'CodeValue', vr: 'SH' },
  { tag: 0x00080102, keyword: 'CodingSchemeDesignator', vr: 'SH' },
  { tag: 0x00080104, keyword: 'CodeMeaning', vr: 'LO' },
  { tag: 0x00080119, keyword: 'LongCodeValue', vr: 'UC' },
  { tag: 0x00080120, keyword: 'URNCodeValue', vr: 'UR' },
  { tag: 0x00140104, keyword: 'SecondaryReviewerName', vr: 'PN' },
  { tag: 0x00140102, keyword: 'SecondaryReviewDate', vr: 'DA' },
  { tag: 0x00140103, keyword: 'SecondaryReviewTime', vr: 'TM' },
  { tag: 0x00080404, keyword: 'ItemInventoryDateTime', vr: 'DT' },
  { tag: 0x00081167, keyword: 'MultiFrameSourceSOPInstanceUID', vr: 'UI' },
];

/** Values that must come through unchanged: structure, numbers, a class UID, a concept's code. */
export const KEPT = {
  graphicLayer: { tag: 0x00700002, vr: 'CS', value: 'LAYER1' },
  referencedFrameNumber: { tag: 0x00081160, vr: 'IS', value: '7' },
  graphicData: { tag: 0x00700022, vr: 'FL', value: [1.5, 2.5] },
  referencedSopClassUid: { tag: 0x00081150, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
} as const;
export const CONCEPT_NAME_CODE_SEQUENCE: Tag = 0x0040a043;
export const CONCEPT_CODE = ['121071', 'DCM', 'Finding'] as const;
/** The unnamed sequence that holds the second level. */
export const NESTED_SEQUENCE: Tag = 0x00700008; // TextObjectSequence

const KEPT_CONTENT_ACTIONS = new Set(['D', 'Z/D', 'X/D', 'X/Z/D', 'X/Z/U*']);

interface TableRow {
  readonly tag: Tag;
  readonly keyword: string;
  readonly vr: string;
  readonly basic: string;
}

function tableRows(): TableRow[] {
  const [, ...lines] = readFileSync(path.join(referenceDir, 'ps3.15-table-e.1-1.tsv'), 'utf8').split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    const [tag = '', , keyword = '', vr = '', basic = ''] = line.split('\t');
    return { tag: Number.parseInt(tag, 16) >>> 0, keyword, vr, basic };
  });
}

/** The Table E.1-1 sequences whose contents the Basic Profile keeps (and cleans). */
export function keptSequenceRows(): TableRow[] {
  return tableRows().filter((row) => row.vr === 'SQ' && KEPT_CONTENT_ACTIONS.has(row.basic));
}

/** Fails loudly when a chosen "unnamed" attribute is a row of the table after all. */
export function assertUnnamed(): void {
  const named = new Set(tableRows().map((row) => row.tag));
  for (const plant of [...UNNAMED_PLANTS, ...Object.values(KEPT)]) {
    if (named.has(plant.tag)) throw new Error(`${plant.tag.toString(16)} is a row of Table E.1-1`);
  }
}

function plantValue(vr: Vr, row: number, depth: number, index: number): string {
  const token = `NQ${String(row).padStart(2, '0')}${depth}${String(index).padStart(2, '0')}`;
  switch (vr) {
    case 'PN':
      return `${token}^GIVEN`;
    case 'UT':
    case 'ST':
    case 'LT':
      return `${token} typed by Dr. Someone about the patient`;
    case 'UR':
      return `urn:plant:${token.toLowerCase()}`;
    case 'DA':
      return `19${31 + row}${String(depth * 3 + 1).padStart(2, '0')}${String(index + 1).padStart(2, '0')}`;
    case 'TM':
      return `${10 + depth}${String(row).padStart(2, '0')}${String(index).padStart(2, '0')}`;
    case 'DT':
      return `20${String(10 + row).padStart(2, '0')}${String(depth * 3 + 2).padStart(2, '0')}${String(index + 1).padStart(2, '0')}${13 + depth}${String(row).padStart(2, '0')}${String(index).padStart(2, '0')}`;
    case 'UI':
      return `1.2.826.0.1.3680043.10.9999.88.${row}.${depth}.${index}`;
    default:
      return token;
  }
}

function level(row: number, depth: 1 | 2, sequence: string, plants: NestedPlant[]): NewElement[] {
  const elements: NewElement[] = UNNAMED_PLANTS.map((plant, index) => {
    const value = plantValue(plant.vr, row, depth, index);
    plants.push({ value, sequence, depth, keyword: plant.keyword });
    return { tag: plant.tag, vr: plant.vr, value };
  });
  for (const kept of Object.values(KEPT)) elements.push({ tag: kept.tag, vr: kept.vr as Vr, value: kept.value });
  const [value, scheme, meaning] = CONCEPT_CODE;
  elements.push({
    tag: CONCEPT_NAME_CODE_SEQUENCE,
    vr: 'SQ',
    value: { items: [[{ tag: 0x00080100, vr: 'SH', value }, { tag: 0x00080102, vr: 'SH', value: scheme }, { tag: 0x00080104, vr: 'LO', value: meaning }]] },
  });
  return elements;
}

/** Writes the file to `outPath` from a small corpus MR image; returns what was planted. */
export async function writeNestedPlants(outPath: string): Promise<{ readonly plants: readonly NestedPlant[]; readonly sequences: readonly TableRow[] }> {
  assertUnnamed();
  const base = readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm'));
  const sequences = keptSequenceRows();
  const plants: NestedPlant[] = [];
  const edits = new Map<Tag, ElementEdit>();
  sequences.forEach((row, index) => {
    const item = level(index, 1, row.keyword, plants);
    item.push({ tag: NESTED_SEQUENCE, vr: 'SQ', value: { items: [level(index, 2, row.keyword, plants)] } });
    edits.set(row.tag, { op: 'set', vr: 'SQ', value: { items: [item] } });
  });
  await writeDicomFile(base, edits, outPath);
  return { plants, sequences };
}
