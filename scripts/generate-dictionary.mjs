#!/usr/bin/env node
// Generates src/dicom/dictionary.generated.ts from ../shared/reference/dictionary.tsv
// (PS3.6 2024b). Usage: node scripts/generate-dictionary.mjs [path/to/dictionary.tsv]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? path.join(here, '..', '..', 'shared', 'reference', 'dictionary.tsv');
const target = path.join(here, '..', 'src', 'dicom', 'dictionary.generated.ts');

const lines = readFileSync(source, 'utf8').split('\n').filter((line) => line.length > 0);
const header = lines.shift();
if (header !== 'tag\tkeyword\tname\tvr\tvm\tretired') {
  throw new Error(`unexpected header in ${source}: ${header}`);
}

// PS3.6 writes multi-VR entries as "US or SS"; we keep them as "US|SS".
// Item and delimitation tags ("See Note 2") and the three retired entries without VR get "".
function normaliseVr(vr) {
  if (vr === '' || vr.startsWith('See Note')) return '';
  return vr.split(' or ').join('|');
}

const exact = [];
const repeating = [];
for (const line of lines) {
  const [tag, keyword, , vr, vm, retired] = line.split('\t');
  if (!/^[0-9A-Fx]{8}$/.test(tag)) throw new Error(`bad tag ${tag}`);
  const row = [keyword, normaliseVr(vr), vm, retired === 'Y' ? 1 : 0];
  if (tag.includes('x')) {
    const mask = tag.replace(/[0-9A-F]/g, 'F').replace(/x/g, '0');
    const value = tag.replace(/x/g, '0');
    repeating.push([`0x${mask}`, `0x${value}`, ...row]);
  } else {
    exact.push([`0x${tag}`, ...row]);
  }
}

const fmt = (row) => `[${row.map((v) => (typeof v === 'string' && !v.startsWith('0x') ? JSON.stringify(v) : v)).join(',')}]`;
const out = `// GENERATED FILE: do not edit by hand.
// Made by scripts/generate-dictionary.mjs from shared/reference/dictionary.tsv
// (DICOM PS3.6 data dictionary, edition 2024b; ${exact.length + repeating.length} entries).
// Row: [tag, keyword, vr ("US|SS" for multi-VR, "" for none), vm, retired (1/0)].

export type DictionaryRow = readonly [number, string, string, string, 0 | 1];
export type RepeatingRow = readonly [number, number, string, string, string, 0 | 1];

export const DICTIONARY_EDITION = '2024b';

export const EXACT_ROWS: readonly DictionaryRow[] = [
${exact.map((row) => `  ${fmt(row)},`).join('\n')}
];

/** Repeating-group entries: [mask, value, ...]; a tag matches when (tag & mask) === value. */
export const REPEATING_ROWS: readonly RepeatingRow[] = [
${repeating.map((row) => `  ${fmt(row)},`).join('\n')}
];
`;
writeFileSync(target, out);
console.log(`wrote ${path.relative(process.cwd(), target)}: ${exact.length} exact, ${repeating.length} repeating`);
