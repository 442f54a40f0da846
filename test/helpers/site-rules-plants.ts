// A planted study for the site rules: the same attributes at the top level and two sequence levels
// down (RequestAttributesSequence > TextObjectSequence), each with a distinct value, and a private
// block of one creator at block 10 on top and at block 42 below, next to another creator's block.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ElementEdit, NewElement } from '../../src/dicom/edits.js';
import { readDicomFile } from '../../src/dicom/read-file.js';
import type { Tag } from '../../src/dicom/tag.js';
import { writeDicomFile } from '../../src/dicom/write-dicom-file.js';
import { corpusDir } from './corpus.js';

export const RULES_CREATOR = 'SITE TEST CREATOR';
export const OTHER_CREATOR = 'OTHER CREATOR';
export const REQUEST_ATTRIBUTES_SEQUENCE: Tag = 0x00400275;
export const TEXT_OBJECT_SEQUENCE: Tag = 0x00700008;

/** The planted values of one level: `depth` 0 on top, 2 inside the nested item. */
export function plantedAt(depth: 0 | 2) {
  const at = depth === 0 ? 'TOP' : 'DEEP';
  return {
    studyDescription: `SR-KEEP-${at}-STUDYDESC`,
    manufacturer: `SR-REMOVE-${at}-MAKER`,
    patientAge: depth === 0 ? '045Y' : '047Y',
    sponsor: `SR-REPLACE-${at}-SPONSOR`,
    otherPatientIds: `SR-HASH-${at}-OTHERID`,
    acquisitionDate: depth === 0 ? '20200315' : '20190704',
    privateKept: `SR-PRIV-KEEP-${at}`,
    privateGone: `SR-PRIV-GONE-${at}`,
    otherCreatorValue: `SR-PRIV-OTHER-${at}`,
    frameOfReferenceUid: depth === 0 ? '1.2.826.0.1.3680043.10.9999.77.1' : '1.2.826.0.1.3680043.10.9999.77.2',
  };
}

/** The attributes of one level; `block` is where the rules' creator reserves its private block. */
function levelElements(depth: 0 | 2, block: number): NewElement[] {
  const values = plantedAt(depth);
  const privateTag = (blockNumber: number, offset: number) => ((0x0029 << 16) | (blockNumber << 8) | offset) >>> 0;
  return [
    { tag: 0x00080022, vr: 'DA', value: values.acquisitionDate },
    { tag: 0x00080070, vr: 'LO', value: values.manufacturer },
    { tag: 0x00081030, vr: 'LO', value: values.studyDescription },
    { tag: 0x00101000, vr: 'LO', value: values.otherPatientIds },
    { tag: 0x00101010, vr: 'AS', value: values.patientAge },
    { tag: 0x00120010, vr: 'LO', value: values.sponsor },
    { tag: 0x00200052, vr: 'UI', value: values.frameOfReferenceUid },
    { tag: (0x0029 << 16) | block, vr: 'LO', value: RULES_CREATOR },
    { tag: (0x0029 << 16) | (block + 1), vr: 'LO', value: OTHER_CREATOR },
    { tag: privateTag(block, 0x08), vr: 'LO', value: values.privateKept },
    { tag: privateTag(block, 0x09), vr: 'LO', value: values.privateGone },
    { tag: privateTag(block + 1, 0x08), vr: 'LO', value: values.otherCreatorValue },
  ];
}

/** Block numbers of the rules' creator: 10 on top, 42 in the nested item. */
export const TOP_BLOCK = 0x10;
export const DEEP_BLOCK = 0x42;

/**
 * Writes the planted file from a real corpus MR image (explicit VR little endian) to `outPath`. The
 * outer item holds TextValue, which the profile scrubs there: a kept sequence's items are cleaned.
 */
export async function writeSiteRulesPlants(outPath: string): Promise<void> {
  const base = readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm'));
  const edits = new Map<Tag, ElementEdit>();
  for (const element of levelElements(0, TOP_BLOCK)) edits.set(element.tag, { op: 'set', vr: element.vr ?? 'LO', value: element.value });
  const nested: NewElement = { tag: TEXT_OBJECT_SEQUENCE, vr: 'SQ', value: { items: [levelElements(2, DEEP_BLOCK)] } };
  const outerItem: NewElement[] = [{ tag: 0x0040a160, vr: 'UT', value: 'SR-SCRUBBED-OUTER-TEXT typed about the patient' }, nested];
  edits.set(REQUEST_ATTRIBUTES_SEQUENCE, { op: 'set', vr: 'SQ', value: { items: [outerItem] } });
  await writeDicomFile(base, edits, outPath);
}

/** Every action once, by keyword, tag and private creator; the outer sequence kept so that depth 2 survives. */
export const ALL_ACTIONS_RULES = `{
  "comment": "site rules for the planted study",
  "rules": [
    { "keyword": "StudyDescription", "action": "keep" },
    { "keyword": "Manufacturer", "action": "remove" },
    { "tag": "(0010,1010)", "action": "empty" },
    { "keyword": "ClinicalTrialSponsorName", "action": "replace", "value": "ACME TRIAL" },
    { "tag": "00101000", "action": "hash" },
    { "keyword": "AcquisitionDate", "action": "shift" },
    { "keyword": "FrameOfReferenceUID", "action": "hash" },
    { "keyword": "RequestAttributesSequence", "action": "keep", "comment": "its items are cleaned as the profile would" },
    { "creator": "${RULES_CREATOR}", "group": "0029", "element": "08", "action": "keep" }
  ]
}
`;

export function writeRules(file: string, text: string = ALL_ACTIONS_RULES): string {
  writeFileSync(file, text);
  return file;
}
