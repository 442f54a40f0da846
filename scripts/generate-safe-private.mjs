#!/usr/bin/env node
// Generates src/deid/safe-private.generated.ts from ../shared/reference/safe-private-attributes.tsv
// (PS3.15 Table E.3.10-1 and PixelMed's safe private list, keyed by private creator).
// Usage: node scripts/generate-safe-private.mjs [path/to/safe-private-attributes.tsv]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? path.join(here, '..', '..', 'shared', 'reference', 'safe-private-attributes.tsv');
const target = path.join(here, '..', 'src', 'deid', 'safe-private.generated.ts');

const COLUMNS = ['creator', 'group', 'element', 'vr', 'name', 'condition', 'source'];
const lines = readFileSync(source, 'utf8').split('\n').filter((line) => line.length > 0);
const header = lines.shift().split('\t');
if (header.join() !== COLUMNS.join()) throw new Error(`unexpected header in ${source}`);

// The conditions are plain English; each must be classified here by hand, so a new one stops the build.
const CONDITION_KINDS = [
  [/not really a UID: keep it unchanged/, 'K'], // keep as it is, never remapped
  [/^a real UID\b.*action U/, 'U'], // keyed UID replacement, like every other UID
  [/fixed (code|view-marker) string/, 'C'], // only a short code string, never free text
];
function conditionKind(condition, key) {
  if (condition === '') return '';
  const found = CONDITION_KINDS.find(([pattern]) => pattern.test(condition));
  if (!found) throw new Error(`${key}: unclassified condition ${JSON.stringify(condition)}`);
  return found[1];
}

const blocks = new Map();
const seen = new Set();
const kinds = { K: 0, U: 0, C: 0 };
for (const line of lines) {
  const cells = line.split('\t');
  const get = (name) => cells[COLUMNS.indexOf(name)] ?? '';
  const creator = get('creator');
  const group = get('group');
  const element = get('element');
  const vr = get('vr');
  const key = `${creator} (${group},xx${element})`;
  if (creator === '' || creator !== creator.trimEnd()) throw new Error(`${key}: bad creator`);
  if (!/^[0-9A-F]{3}[13579BDF]$/.test(group)) throw new Error(`${key}: not an odd group`);
  if (!/^[0-9A-F]{2}$/.test(element)) throw new Error(`${key}: bad element offset`);
  if (vr !== '' && !/^[A-Z]{2}$/.test(vr)) throw new Error(`${key}: bad VR`);
  if (seen.has(key)) throw new Error(`${key}: listed twice`);
  seen.add(key);
  const kind = conditionKind(get('condition'), key);
  if (kind) kinds[kind] += 1;
  const blockKey = `${creator}\t${group}`;
  if (!blocks.has(blockKey)) blocks.set(blockKey, { creator, group, elements: [] });
  blocks.get(blockKey).elements.push(`${element}${vr ? `:${vr}` : ''}${kind ? `/${kind}` : ''}`);
}

const quote = (text) => JSON.stringify(text);
const creators = new Set([...blocks.values()].map((block) => block.creator));
const out = `// GENERATED FILE: do not edit by hand.
// Made by scripts/generate-safe-private.mjs from shared/reference/safe-private-attributes.tsv:
// PS3.15 Table E.3.10-1 "Safe Private Attributes" and PixelMed's isSafePrivateAttribute, merged;
// ${seen.size} elements of ${creators.size} private creators in ${blocks.size} (creator, group) blocks.

/** How many elements the list names. */
export const SAFE_PRIVATE_COUNT = ${seen.size};

/**
 * [private creator, odd group, elements]. Each element is its offset in the block (the EE of
 * (gggg,xxEE), hex), then ":VR" when the list gives one, then the condition it is kept under:
 * "/K" keep unchanged (VR UI, but not really a UID), "/U" a real UID, kept only as a keyed UID
 * (action U), "/C" only a short fixed code string, never free text. ${kinds.K} K, ${kinds.U} U, ${kinds.C} C.
 */
export const SAFE_PRIVATE_BLOCKS: readonly (readonly [creator: string, group: number, elements: string])[] = [
${[...blocks.values()].map((block) => `  [${quote(block.creator)}, 0x${block.group}, ${quote(block.elements.join(' '))}],`).join('\n')}
];
`;
writeFileSync(target, out);
console.log(`wrote ${path.relative(process.cwd(), target)}: ${seen.size} safe private elements in ${blocks.size} blocks`);
