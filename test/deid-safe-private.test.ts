import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { methodCodes, methodText } from '../src/deid/markers.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { ElementEdit, NewElement } from '../src/dicom/edits.js';
import { textAt, valueBytes } from '../src/dicom/element-access.js';
import type { DicomElement } from '../src/dicom/model.js';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { findLeaks, identifyingValues, verifyOutput } from '../src/pipeline/verify.js';
import { SAFE_PRIVATE_COUNT } from '../src/deid/safe-private.generated.js';
import { anonymizeOne } from './helpers/anonymize-one.js';
import { corpusDir, referenceDir } from './helpers/corpus.js';
import { parseDump, runDcmdump, type DumpLine } from './helpers/dcmdump.js';
import { runCli } from './helpers/run-cli.js';

// PS3.15 Retain Safe Private Option: the private elements of the shared safe private list are kept,
// found by their private creator (never by raw tag) at any depth and byte for byte; every other
// private element goes, and so does a creator whose block keeps nothing. The expectations come from
// the shared TSV and from dcmdump, not from our generated table.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-safe-private-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('safe private test secret, 32 b!!', 'utf8'));
const SAFE: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: ['retain-safe-private'] };

/** (creator, group, offset) → condition, straight from the shared list. */
const LISTED: ReadonlyMap<string, string> = new Map(
  readFileSync(path.join(referenceDir, 'safe-private-attributes.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const [creator = '', group = '', element = '', , , condition = ''] = line.split('\t');
      return [`${creator}|${group.toLowerCase()}|${element.toLowerCase()}`, condition] as const;
    }),
);

const isPrivateLine = (line: DumpLine) => /^\([0-9a-f]{3}[13579bdf],/.test(line.tag);
const isCreatorLine = (line: DumpLine) => /,00[1-9a-f][0-9a-f]\)$/.test(line.tag);
const creatorText = (value: string) => value.replace(/^\[|\]$/g, '');

/**
 * The top-level private lines of an input's dump that the option must keep: each listed element of
 * a block whose creator is listed for that group (condition-free rows only), and the creators of
 * the blocks that keep one.
 */
function expectedTopLevel(lines: readonly DumpLine[]): DumpLine[] {
  const top = lines.filter((line) => line.section === 'dataSet' && line.depth === 0 && isPrivateLine(line));
  const creators = new Map(top.filter(isCreatorLine).map((line) => [line.tag.slice(1, 5) + line.tag.slice(8, 10), creatorText(line.value)]));
  const keptBlocks = new Set<string>();
  const kept = top.filter((line) => {
    const [group, element] = [line.tag.slice(1, 5), line.tag.slice(6, 10)];
    if (Number.parseInt(element, 16) < 0x1000) return false;
    const condition = LISTED.get(`${creators.get(group + element.slice(0, 2)) ?? ''}|${group}|${element.slice(2)}`);
    if (condition === undefined) return false;
    expect(condition).toBe(''); // the corpus has no conditioned row; those are planted below
    keptBlocks.add(group + element.slice(0, 2));
    return true;
  });
  return top.filter((line) => kept.includes(line) || (isCreatorLine(line) && keptBlocks.has(line.tag.slice(1, 5) + line.tag.slice(8, 10))));
}

function element(elements: readonly DicomElement[], tag: Tag): DicomElement | undefined {
  return elements.find((candidate) => candidate.tag === tag);
}

function itemElements(elements: readonly DicomElement[], ...tags: Tag[]): readonly DicomElement[] {
  let level = elements;
  for (const tag of tags) level = element(level, tag)?.items?.[0]?.elements ?? [];
  return level;
}

const hex = (file: DicomFile, found: DicomElement | undefined) => (found ? Buffer.from(valueBytes(file, found) ?? []).toString('hex') : undefined);

/** Each tag's value bytes are the same in both data sets (present in the input). */
function expectSameBytes(before: DicomFile, beforeLevel: readonly DicomElement[], after: DicomFile, afterLevel: readonly DicomElement[], tags: readonly Tag[]): void {
  for (const tag of tags) {
    const original = hex(before, element(beforeLevel, tag));
    expect([tag.toString(16), original]).not.toEqual([tag.toString(16), undefined]);
    expect([tag.toString(16), hex(after, element(afterLevel, tag))]).toEqual([tag.toString(16), original]);
  }
}

describe('the list', () => {
  it('is the shared TSV, every row, with the counts the README gives', () => {
    expect(SAFE_PRIVATE_COUNT).toBe(LISTED.size);
    const keys = [...LISTED.keys()].map((key) => key.split('|'));
    const creators = new Set(keys.map(([creator]) => creator)).size;
    const blocks = new Set(keys.map(([creator, group]) => `${creator}|${group}`)).size;
    const conditions = [...LISTED.values()].filter((condition) => condition !== '').length;
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`${LISTED.size} elements of ${creators} private creators, in ${blocks}\n(creator, odd group) blocks`);
    expect(readme).toContain(`**The ${conditions} rows with a condition.**`);
  });
});

describe('real files with listed creators', () => {
  it.each([
    ['dcmqadeident_00001.dcm', ['(0019,109e)', '(0025,1007)', '(0043,1039)']], // GE MR: GEMS_ACQU_01, GEMS_SERS_01, GEMS_PARM_01
    ['fodicom_GH133.dcm', ['(0045,101b)', '(0045,1029)']], // GE mammography: GEMS_SENO_02
    ['fodicom_GH177_BigEndian_undefined_length.dcm', ['(0019,0010)']], // GE CT, Explicit VR Big Endian
    ['dcmqats_2_ILE.dcm', []], // Siemens MR, Implicit VR: SIEMENS MR HEADER, none of its four listed elements
  ])('%s: exactly the listed elements and their creators stay, as dcmdump reads them, byte for byte', async (name, mustKeep) => {
    const input = path.join(corpusDir, name);
    const { output } = await anonymizeOne(input, path.join(root, `corpus-${name}`), SAFE, keys);
    const before = parseDump(runDcmdump(input, ['+Qn']));
    const after = parseDump(runDcmdump(output, ['+Qn']));
    const expected = expectedTopLevel(before);
    for (const tag of mustKeep) expect(expected.map((line) => line.tag)).toContain(tag);
    expect(before.filter((line) => line.depth === 0 && isPrivateLine(line)).length).toBeGreaterThan(expected.length);
    // Whole lines: tag, VR, value and length as dcmdump prints them.
    expect(after.filter((line) => line.depth === 0 && isPrivateLine(line))).toEqual(expected);
    const original = readDicomFile(input);
    const written = readDicomFile(output);
    const tags = expected.map((line) => Number.parseInt(line.tag.replace(/[(),]/g, ''), 16));
    expectSameBytes(original, original.dataSet, written, written.dataSet, tags);
    expect(verifyOutput(output, SAFE)).toEqual([]);
    expect(findLeaks(output, identifyingValues(input, SAFE))).toEqual([]);
    if (tags.length > 0) expect(verifyOutput(output, DEFAULT_OPTIONS).filter((finding) => finding.kind === 'private').length).toBe(tags.length);
  });

  it('Philips enhanced MR: a kept private sequence keeps its own listed elements, in its item too; unlisted private sequences go with what they hold', async () => {
    const input = path.join(corpusDir, 'dcmqaenh_Philips_IM_0027_fMAP.dcm');
    const { output } = await anonymizeOne(input, path.join(root, 'philips'), SAFE, keys);
    const before = parseDump(runDcmdump(input, ['+Qn']));
    const after = parseDump(runDcmdump(output, ['+Qn']));
    expect(after.filter((line) => line.depth === 0 && isPrivateLine(line))).toEqual(expectedTopLevel(before));
    // Stack Sequence (2001,xx5F) of Philips Imaging DD 001 is listed (SQ): its item keeps the listed
    // elements under its own (2001,0010), and loses the creators of Philips MR Imaging DD 001/005/006.
    const stack = 0x2001105f;
    const original = readDicomFile(input);
    const written = readDicomFile(output);
    const inItem = (file: DicomFile) => itemElements(file.dataSet, stack);
    expect(inItem(original).map((found) => found.tag)).toEqual(expect.arrayContaining([0x20050010, 0x20050014, 0x20050015]));
    const keptInItem = inItem(original).filter((found) => (found.tag & 0xffffff00) === 0x20011000 && LISTED.has(`Philips Imaging DD 001|2001|${(found.tag & 0xff).toString(16).padStart(2, '0')}`));
    expect(keptInItem.length).toBeGreaterThan(2);
    expect(inItem(written).map((found) => found.tag)).toEqual([0x20010010, ...keptInItem.map((found) => found.tag)]);
    expectSameBytes(original, inItem(original), written, inItem(written), [0x20010010, ...keptInItem.map((found) => found.tag)]);
    // Per-frame (2005,xx0F) sequences of DD 005 are not listed: their Philips Imaging DD 001 elements
    // (2001,10xx inside an item of an item) go with them.
    expect(before.some((line) => line.depth === 4 && line.tag === '(2001,1003)')).toBe(true);
    expect(after.filter((line) => line.depth >= 2 && isPrivateLine(line) && line.tag.startsWith('(2005,'))).toEqual([]);
    expect(after.some((line) => line.tag === '(2001,1003)')).toBe(false);
    expect(verifyOutput(output, SAFE)).toEqual([]);
  });
});

// Planted: blocks at unusual offsets, look-alike creators, conditioned rows, and nesting.
const V = {
  unknownTop: 'SPLANT-UNKNOWN-TOP',
  unsafeTop: 'SPLANT-UNSAFE-TOP',
  freeText: 'SPLANT FREE TEXT typed by the operator',
  otherGroup: '77700331',
  caseDiffers: '77700431',
  unsafeInPrivateSq: 'SPLANT-UNSAFE-IN-PRIVATE-SQ',
  otherIdInPrivateSq: 'SPLANT-OTHER-ID-IN-PRIVATE-SQ',
  unsafeDepth1: 'SPLANT-UNSAFE-DEPTH1',
  unknownDepth1: 'SPLANT-UNKNOWN-DEPTH1',
  unsafeDepth2: 'SPLANT-UNSAFE-DEPTH2',
  unknownDepth2: 'SPLANT-UNKNOWN-DEPTH2',
};
const UIDS = {
  notReallyUid: '1.2.826.0.1.3680043.10.9999.77.1',
  nqAnalyzedSeries: '1.2.826.0.1.3680043.10.9999.77.2',
  bookmarkInSq: '1.2.826.0.1.3680043.10.9999.77.3',
  referencedBookmark: '1.2.826.0.1.3680043.10.9999.77.4',
};
const MR_MODIFIER_SEQUENCE = 0x00189006; // not a row of Table E.1-1: kept, its items cleaned
const MR_RECEIVE_COIL_SEQUENCE = 0x00189042; // the same, one level down
const MPR_VIEW_SEQUENCE = 0x01291000; // SIEMENS Ultrasound SC2000 (0129,xx00), listed SQ

const siemensBlock42 = (bValue: string, unsafe: string): NewElement[] => [
  { tag: 0x00190042, vr: 'LO', value: 'SIEMENS MR HEADER' },
  { tag: 0x0019420c, vr: 'IS', value: bValue }, // B Value: listed at offset 0C
  { tag: 0x0019420e, vr: 'FD', value: [0.25, 0.5, 0.75] }, // Diffusion Gradient Direction: listed at 0E
  { tag: 0x00194212, vr: 'LO', value: unsafe }, // offset 12: not listed
];
const unknownBlock = (value: string): NewElement[] => [
  { tag: 0x00090010, vr: 'LO', value: 'PLANT CORP' },
  { tag: 0x00091007, vr: 'LO', value },
];

let input: string;
beforeAll(async () => {
  const base = readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm'));
  const top: NewElement[] = [
    ...unknownBlock(V.unknownTop),
    { tag: 0x00190011, vr: 'LO', value: 'HOLOGIC, Inc.' },
    { tag: 0x00191125, vr: 'SH', value: 'NORMAL' }, // a fixed code: kept
    { tag: 0x00191187, vr: 'LO', value: V.freeText }, // Marker Text as free text: removed
    { tag: 0x00190012, vr: 'LO', value: 'HOLOGIC, Inc.' },
    { tag: 0x00191287, vr: 'LO', value: 'LCC' }, // Marker Text as a view marker: kept
    ...siemensBlock42('1000', V.unsafeTop),
    { tag: 0x00250010, vr: 'LO', value: 'GEMS_SERS_01\u0000' }, // NUL padding
    { tag: 0x00251007, vr: 'SL', value: [5] },
    { tag: 0x00330010, vr: 'LO', value: 'SIEMENS MR HEADER' }, // listed creator, but not in this group
    { tag: 0x0033100c, vr: 'IS', value: V.otherGroup },
    { tag: 0x00430010, vr: 'LO', value: 'gems_parm_01' }, // GEMS_PARM_01 in another case
    { tag: 0x00431039, vr: 'IS', value: V.caseDiffers },
    { tag: 0x00990010, vr: 'LO', value: 'NQHeader' },
    { tag: 0x00991001, vr: 'UI', value: UIDS.notReallyUid }, // not really a UID: kept unchanged
    { tag: 0x00991002, vr: 'UI', value: UIDS.nqAnalyzedSeries }, // a real UID: keyed
    { tag: 0x01290010, vr: 'LO', value: 'SIEMENS Ultrasound SC2000' },
    { tag: 0x01291007, vr: 'UI', value: UIDS.referencedBookmark },
  ];
  const edits = new Map<Tag, ElementEdit>(top.map((planted) => [planted.tag, { op: 'set', vr: planted.vr, value: planted.value } as ElementEdit]));
  edits.set(MPR_VIEW_SEQUENCE, {
    op: 'set',
    vr: 'SQ',
    value: {
      items: [
        [
          { tag: 0x00101000, vr: 'LO', value: V.otherIdInPrivateSq }, // standard, X in Table E.1-1
          { tag: 0x01290010, vr: 'LO', value: 'SIEMENS Ultrasound SC2000' },
          { tag: 0x01291001, vr: 'LO', value: V.unsafeInPrivateSq }, // offset 01 is not listed in 0129
          { tag: 0x01291002, vr: 'UI', value: UIDS.bookmarkInSq }, // Bookmark UID: keyed
          { tag: 0x01291030, vr: 'CS', value: 'RAWTYPE' }, // Raw Data Object Type: kept
        ],
      ],
    },
  });
  const depth2: NewElement[] = [...unknownBlock(V.unknownDepth2), ...siemensBlock42('2000', V.unsafeDepth2)];
  const depth1: NewElement[] = [
    ...unknownBlock(V.unknownDepth1),
    ...siemensBlock42('1500', V.unsafeDepth1),
    { tag: MR_RECEIVE_COIL_SEQUENCE, vr: 'SQ', value: { items: [depth2] } },
  ];
  edits.set(MR_MODIFIER_SEQUENCE, { op: 'set', vr: 'SQ', value: { items: [depth1] } });
  input = path.join(root, 'planted.dcm');
  await writeDicomFile(base, edits, input);
});

/** Private tags at a nesting level: 0 the top, 1 an item of a top-level sequence, 2 an item inside that (dcmdump indents items too). */
const tagsOf = (lines: readonly DumpLine[], level: number) => lines.filter((line) => line.depth === 2 * level && isPrivateLine(line)).map((line) => line.tag);

describe('planted private blocks', () => {
  let output: string;
  let lines: DumpLine[];
  beforeAll(async () => {
    output = (await anonymizeOne(input, path.join(root, 'planted-safe'), SAFE, keys)).output;
    lines = parseDump(runDcmdump(output, ['+Qn']));
  });

  it('are in the input as planted, as dcmdump reads it', () => {
    const planted = parseDump(runDcmdump(input, ['+Qn']));
    expect(tagsOf(planted, 0)).toEqual(expect.arrayContaining(['(0009,1007)', '(0019,0010)', '(0019,0042)', '(0019,4212)', '(0033,100c)', '(0043,1039)', '(0129,1000)']));
    expect(tagsOf(planted, 2)).toEqual(expect.arrayContaining(['(0019,0042)', '(0019,420c)', '(0019,4212)', '(0009,1007)']));
  });

  it('keep exactly the listed elements by creator, at any block offset, and the creators of blocks that keep one', () => {
    expect(tagsOf(lines, 0)).toEqual([
      '(0019,0011)', '(0019,0012)', '(0019,0042)', '(0019,1125)', '(0019,1287)', '(0019,420c)', '(0019,420e)',
      '(0025,0010)', '(0025,1007)', '(0099,0010)', '(0099,1001)', '(0099,1002)', '(0129,0010)', '(0129,1000)', '(0129,1007)',
    ]);
    // Depth 1: the item of a kept standard sequence, and the item of the kept private sequence.
    expect(tagsOf(lines, 1)).toEqual(['(0019,0042)', '(0019,420c)', '(0019,420e)', '(0129,0010)', '(0129,1002)', '(0129,1030)']);
    // Depth 2: the item of a standard sequence inside that item.
    expect(tagsOf(lines, 2)).toEqual(['(0019,0042)', '(0019,420c)', '(0019,420e)']);
    const bytes = readFileSync(output);
    for (const [name, value] of Object.entries(V)) expect([name, bytes.includes(Buffer.from(value, 'latin1'))]).toEqual([name, false]);
  });

  it('what they keep is byte for byte the input, at every depth', () => {
    const before = readDicomFile(input);
    const after = readDicomFile(output);
    const block42 = [0x00190042, 0x0019420c, 0x0019420e];
    expectSameBytes(before, before.dataSet, after, after.dataSet, [...block42, 0x00190011, 0x00191125, 0x00190012, 0x00191287, 0x00250010, 0x00251007, 0x00990010, 0x00991001, 0x01290010]);
    expectSameBytes(before, itemElements(before.dataSet, MR_MODIFIER_SEQUENCE), after, itemElements(after.dataSet, MR_MODIFIER_SEQUENCE), block42);
    const depth2 = [MR_MODIFIER_SEQUENCE, MR_RECEIVE_COIL_SEQUENCE];
    expectSameBytes(before, itemElements(before.dataSet, ...depth2), after, itemElements(after.dataSet, ...depth2), block42);
    expectSameBytes(before, itemElements(before.dataSet, MPR_VIEW_SEQUENCE), after, itemElements(after.dataSet, MPR_VIEW_SEQUENCE), [0x01290010, 0x01291030]);
    // The NUL-padded creator came through as it was.
    expect(hex(after, element(after.dataSet, 0x00250010))).toBe(Buffer.from('GEMS_SERS_01\u0000 ', 'latin1').toString('hex'));
  });

  it('real UIDs of the list become keyed UIDs; a UI value that is not really a UID stays', () => {
    const after = readDicomFile(output);
    expect(textAt(after, [], 0x00991001)).toEqual([UIDS.notReallyUid]);
    expect(textAt(after, [], 0x00991002)).toEqual([keys.uid(UIDS.nqAnalyzedSeries)]);
    expect(textAt(after, [], 0x01291007)).toEqual([keys.uid(UIDS.referencedBookmark)]);
    expect(textAt(after, [{ tag: MPR_VIEW_SEQUENCE, item: 0 }], 0x01291002)).toEqual([keys.uid(UIDS.bookmarkInSq)]);
  });

  it('under Retain UIDs too, real UIDs of the list keep their original value', async () => {
    const options: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: ['retain-safe-private', 'retain-uids'] };
    const { output: kept } = await anonymizeOne(input, path.join(root, 'planted-safe-uids'), options, keys);
    const after = readDicomFile(kept);
    expect(textAt(after, [], 0x00991002)).toEqual([UIDS.nqAnalyzedSeries]);
    expect(textAt(after, [{ tag: MPR_VIEW_SEQUENCE, item: 0 }], 0x01291002)).toEqual([UIDS.bookmarkInSq]);
    expect(verifyOutput(kept, options)).toEqual([]);
  });

  it('pass verify and the leak search with the option; without it, verify reports each kept private element', () => {
    expect(verifyOutput(output, SAFE)).toEqual([]);
    expect(findLeaks(output, identifyingValues(input, SAFE))).toEqual([]);
    // 15 at the top level, 3 in each item of the standard sequences; a private sequence is one finding.
    const withoutOption = verifyOutput(output, DEFAULT_OPTIONS).filter((finding) => finding.kind === 'private');
    expect(withoutOption.length).toBe(15 + 3 + 3);
  });

  it('the option is claimed: (0012,0064) lists 113111, (0012,0063) names it', () => {
    const after = readDicomFile(output);
    const codes = (after.dataSet.find((found) => found.tag === 0x00120064)?.items ?? []).map((_item, index) => textAt(after, [{ tag: 0x00120064, item: index }], 0x00080100)[0]);
    expect(codes).toEqual(['113100', '113111']);
    expect(textAt(after, [], 0x00120063)).toContain('Retain Safe Private Option');
  });
});

describe('verify under the option', () => {
  it('flags an unsafe private element planted into an output, and a creator kept without any kept element, but not the kept safe ones', async () => {
    const { output } = await anonymizeOne(input, path.join(root, 'planted-for-verify'), SAFE, keys);
    const tampered = path.join(root, 'tampered.dcm');
    const after = readDicomFile(output);
    await writeDicomFile(
      after,
      new Map<Tag, ElementEdit>([
        [0x00194212, { op: 'set', vr: 'LO', value: 'SPLANT-LEFT-BEHIND' }], // block 0x42 is SIEMENS MR HEADER: offset 12 not listed
        [0x00090010, { op: 'set', vr: 'LO', value: 'PLANT CORP' }], // a creator with nothing of its block
        [0x00250011, { op: 'set', vr: 'LO', value: 'GEMS_SERS_01' }], // a listed creator whose block keeps nothing
      ]),
      tampered,
    );
    const findings = verifyOutput(tampered, SAFE);
    expect(findings.map((finding) => [finding.kind, finding.tag])).toEqual([
      ['private', '(0009,0010)'],
      ['private', '(0019,4212)'],
      ['private', '(0025,0011)'],
    ]);
    expect(JSON.stringify(findings)).not.toContain('SPLANT');
  });
});

describe('combined with the product options', () => {
  it('keeping every private tag wins: everything private stays and 113111 is not claimed', async () => {
    const options: DeidOptions = { ...SAFE, removePrivate: false };
    const { output } = await anonymizeOne(input, path.join(root, 'planted-keep-private'), options, keys);
    const lines = parseDump(runDcmdump(output, ['+Qn']));
    expect(tagsOf(lines, 0)).toEqual(expect.arrayContaining(['(0009,1007)', '(0019,4212)', '(0033,100c)', '(0043,1039)', '(0019,1187)']));
    expect(methodCodes(options).map(([code]) => code)).not.toContain('113111');
    expect(methodText(options)).not.toContain('Retain Safe Private Option');
    expect(verifyOutput(output, options)).toEqual([]);
  });

  it('without the option every private element goes, as before', async () => {
    const { output } = await anonymizeOne(input, path.join(root, 'planted-basic'), DEFAULT_OPTIONS, keys);
    const lines = parseDump(runDcmdump(output, ['+Qn']));
    expect(lines.filter(isPrivateLine)).toEqual([]);
  });
});

describe('the command line and the configuration', () => {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  const env = { DICOM_DATA_DIR: path.join(root, 'cli-data'), DICOM_ANON_SECRET: 'a secret for the safe private tests, 0123456' };

  it('DICOM_PROFILE_OPTIONS names the option', () => {
    expect(loadConfig({ env: { HOME: '/h', DICOM_PROFILE_OPTIONS: 'retain-safe-private' }, cwd: root }).defaults.standardOptions).toEqual(['retain-safe-private']);
  });

  it('--option retain-safe-private anonymizes, is stored with the batch, and verify with it passes while verify without it reports the kept elements', () => {
    const out = path.join(root, 'cli-out');
    const result = runCli(['anonymize', input, '--out', out, '--option', 'retain-safe-private', '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { batchId } = JSON.parse(result.stdout) as { batchId: string };
    const db = new Sqlite(path.join(env.DICOM_DATA_DIR, 'mapping.sqlite'), { readonly: true });
    try {
      const stored = db.prepare('SELECT options FROM batches WHERE id = ?').pluck().get(batchId) as string;
      expect((JSON.parse(stored) as DeidOptions).standardOptions).toEqual(['retain-safe-private']);
    } finally {
      db.close();
    }
    const [written = ''] = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.dcm'));
    expect(tagsOf(parseDump(runDcmdump(path.join(out, written), ['+Qn'])), 0)).toContain('(0019,420c)');
    const same = runCli(['verify', out, '--against', input, '--option', 'retain-safe-private', '--json'], { env });
    expect(JSON.parse(same.stdout)).toMatchObject({ findings: [] });
    expect(same.status).toBe(0);
    const plain = runCli(['verify', out, '--json'], { env });
    expect(plain.status).toBe(1);
    const findings = (JSON.parse(plain.stdout) as { findings: { kind: string; tag: string }[] }).findings;
    expect(findings.filter((finding) => finding.kind === 'private').map((finding) => finding.tag)).toEqual(expect.arrayContaining(['(0019,420C)', '(0025,1007)']));
  });
});
