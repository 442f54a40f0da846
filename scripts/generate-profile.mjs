#!/usr/bin/env node
// Generates src/deid/profile.generated.ts from ../shared/reference/ps3.15-table-e.1-1.tsv
// (DICOM PS3.15 Table E.1-1, edition 2024b). Usage: node scripts/generate-profile.mjs [path/to/table.tsv]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? path.join(here, '..', '..', 'shared', 'reference', 'ps3.15-table-e.1-1.tsv');
const target = path.join(here, '..', 'src', 'deid', 'profile.generated.ts');

const COLUMNS = [
  'tag', 'name', 'keyword', 'vr', 'basic_profile', 'retain_safe_private', 'retain_uids', 'retain_device_identity',
  'retain_institution_identity', 'retain_patient_characteristics', 'retain_long_full_dates', 'retain_long_modified_dates',
  'clean_descriptors', 'clean_structured_content', 'clean_graphics', 'in_std_comp_iod', 'retired',
];
const lines = readFileSync(source, 'utf8').split('\n').filter((line) => line.length > 0);
const header = lines.shift().split('\t');
if (header.join() !== COLUMNS.join()) throw new Error(`unexpected header in ${source}`);

const rows = [];
let privateRow;
for (const line of lines) {
  const cells = line.split('\t');
  const get = (name) => cells[COLUMNS.indexOf(name)] ?? '';
  const tag = get('tag');
  const actions = {
    basic: get('basic_profile'),
    retainSafePrivate: get('retain_safe_private'),
    retainUids: get('retain_uids'),
    retainDevice: get('retain_device_identity'),
    retainInstitution: get('retain_institution_identity'),
    retainPatientCharacteristics: get('retain_patient_characteristics'),
    retainFullDates: get('retain_long_full_dates'),
    retainModifiedDates: get('retain_long_modified_dates'),
    cleanDescriptors: get('clean_descriptors'),
    cleanStructuredContent: get('clean_structured_content'),
    cleanGraphics: get('clean_graphics'),
  };
  if (tag === 'ggggeeee') {
    privateRow = actions;
    continue;
  }
  if (!/^[0-9A-Fx]{8}$/.test(tag)) throw new Error(`bad tag ${tag}`);
  const mask = tag.replace(/[0-9A-F]/g, 'F').replace(/x/g, '0');
  const value = tag.replace(/x/g, '0');
  const keyword = get('keyword') || get('name').replace(/[^A-Za-z]/g, '');
  rows.push({ value, mask, keyword, name: get('name'), vr: get('vr'), ...actions });
}
if (!privateRow) throw new Error('no private attributes row');

const ACTION_KEYS = ['basic', 'retainUids', 'retainDevice', 'retainInstitution', 'retainPatientCharacteristics', 'retainFullDates', 'retainModifiedDates', 'cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'];
const quote = (text) => JSON.stringify(text);
const out = `// GENERATED FILE: do not edit by hand.
// Made by scripts/generate-profile.mjs from shared/reference/ps3.15-table-e.1-1.tsv:
// DICOM PS3.15 Table E.1-1 "Application Level Confidentiality Profile Attributes", edition 2024b,
// ${rows.length + 1} rows (${rows.length} attributes and the private-attributes rule). Action codes are the standard's own.

export const PROFILE_EDITION = '2024b';

/** The action columns of Table E.1-1 we use, in this order; "" = the option does not change the row. */
export const ACTION_COLUMNS = ${JSON.stringify(ACTION_KEYS)} as const;

/** [tag value, tag mask (0 nibbles = "x" in the standard), keyword, VR, ...actions in ACTION_COLUMNS order]. */
export type ProfileRow = readonly [number, number, string, string, ...string[]];

export const PROFILE_ROWS: readonly ProfileRow[] = [
${rows.map((row) => `  [0x${row.value}, 0x${row.mask}, ${quote(row.keyword)}, ${quote(row.vr)}, ${ACTION_KEYS.map((key) => quote(row[key])).join(', ')}],`).join('\n')}
];

/** The "Private Attributes" row (ggggeeee): every element of an odd group. */
export const PRIVATE_ATTRIBUTES_ROW = { basic: ${quote(privateRow.basic)}, retainSafePrivate: ${quote(privateRow.retainSafePrivate)} } as const;
`;
writeFileSync(target, out);
console.log(`wrote ${path.relative(process.cwd(), target)}: ${rows.length} attribute rows + private rule`);
