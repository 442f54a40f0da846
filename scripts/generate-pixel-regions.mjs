#!/usr/bin/env node
// Generates src/pixels/shipped-regions.generated.ts from ../shared/reference/pixel-regions.json
// (RSNA CTP's burned-in annotation library, transcribed). Usage: node scripts/generate-pixel-regions.mjs [path/to/pixel-regions.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? path.join(here, '..', '..', 'shared', 'reference', 'pixel-regions.json');
const target = path.join(here, '..', 'src', 'pixels', 'shipped-regions.generated.ts');

const TESTS = new Set(['equals', 'equalsIgnoreCase', 'contains', 'containsIgnoreCase', 'startsWith', 'startsWithIgnoreCase', 'endsWith', 'endsWithIgnoreCase', 'matches', 'isLessThan', 'isGreaterThan']);
const library = JSON.parse(readFileSync(source, 'utf8'));
const commit = library.source?.commit;
if (!/^[0-9a-f]{40}$/.test(commit ?? '')) throw new Error(`${source}: source.commit is not a commit hash`);

/** The match tree as region-list.ts reads it: tags as numbers, nothing else carried over. */
function match(node, where) {
  if (Array.isArray(node.all)) return `{ all: [${node.all.map((child) => match(child, where)).join(', ')}] }`;
  if (Array.isArray(node.any)) return `{ any: [${node.any.map((child) => match(child, where)).join(', ')}] }`;
  if (node.not !== undefined) return `{ not: ${match(node.not, where)} }`;
  if (!/^[0-9A-Fa-f]{8}$/.test(node.tag ?? '') || !TESTS.has(node.test) || typeof node.value !== 'string') throw new Error(`${where}: a test that is not a tag, a known test and a text value`);
  return `{ tag: 0x${node.tag.toLowerCase()}, test: '${node.test}', value: ${JSON.stringify(node.value)} }`;
}

const entries = library.signatures.map((signature) => {
  const where = `entry ${signature.id} (line ${signature.line} of CTP's script)`;
  for (const region of signature.regions) if (region.length !== 4 || !region.every(Number.isInteger) || region[2] <= 0 || region[3] <= 0) throw new Error(`${where}: a region that is not [x, y, width, height]`);
  return `  { where: ${JSON.stringify(where)}, label: ${JSON.stringify(signature.label ?? "")}, match: ${match(signature.match, where)}, regions: [${signature.regions.map((region) => `[${region.join(', ')}]`).join(', ')}] },`;
});

const out = `// GENERATED FILE: do not edit by hand.
// Made by scripts/generate-pixel-regions.mjs from shared/reference/pixel-regions.json: the burned-in
// annotation library of RSNA's Clinical Trial Processor (${library.source.file} at commit
// ${commit}), ${entries.length} entries in their order (the first that matches wins).
import type { RegionList } from './region-list.js';

export const SHIPPED_REGION_LIST: RegionList = {
  name: 'dicom-tools regions from CTP ${commit.slice(0, 12)}',
  entries: [
${entries.join('\n')}
  ],
};
`;
writeFileSync(target, out);
console.log(`wrote ${path.relative(process.cwd(), target)}: ${entries.length} entries`);
