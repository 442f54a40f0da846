import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import type { ElementEdit, NewElement } from '../src/dicom/edits.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { verifyOutput } from '../src/pipeline/verify.js';
import { anonymizeOne as anonymizeInto } from './helpers/anonymize-one.js';
import { corpusDir } from './helpers/corpus.js';
import { parseDump, runDcmdump } from './helpers/dcmdump.js';

// Group lengths of private groups, elements in the groups PS3.5 7.8.1 does not allow (0001, 0003,
// 0005, 0007, FFFF), at the top level and inside a kept sequence, and a standard group whose every
// element the profile removes: with private tags removed, none of them may be left.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-odd-groups-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keys = new Pseudonymizer(Buffer.from('odd groups secret, 32 bytes long', 'utf8'));

const PLANTED = {
  private: 'PRIVGL-SECRET-TOP',
  privateNested: 'PRIVGL-SECRET-NESTED',
  g0001: 'ILLEGAL-0001-VALUE',
  g0003: 'ILLEGAL-0003-VALUE',
  g0005: 'ILL-0005-VAL',
  g0007: 'ILLEGAL-0007-VALUE',
  gffff: 'ILLEGAL-FFFF-VALUE',
  nested0003: 'ILLEGAL-NESTED-0003',
};

function withGroupLength(group: number, elements: NewElement[]): NewElement[] {
  // Explicit VR LE: 8-byte headers for these VRs, values padded to even length.
  const size = elements.reduce((sum, element) => sum + 8 + ((String(element.value).length + 1) & ~1), 0);
  return [{ tag: ((group << 16) >>> 0) as Tag, vr: 'UL', value: [size] }, ...elements];
}

let input: string;
beforeAll(async () => {
  const base = readDicomFile(path.join(corpusDir, 'dcmqats_1_ELE.dcm'));
  const top: NewElement[] = [
    ...withGroupLength(0x0009, [
      { tag: 0x00090010, vr: 'LO', value: 'PLANT CORP' },
      { tag: 0x00091001, vr: 'LO', value: PLANTED.private },
    ]),
    { tag: 0x00010010, vr: 'LO', value: PLANTED.g0001 },
    { tag: 0x00031000, vr: 'LO', value: PLANTED.g0003 },
    { tag: 0x00050010, vr: 'SH', value: PLANTED.g0005 },
    { tag: 0x00070100, vr: 'LO', value: PLANTED.g0007 },
    { tag: 0xffff0010, vr: 'LO', value: PLANTED.gffff },
    ...withGroupLength(0x0038, [{ tag: 0x00380010, vr: 'LO', value: 'ADMISSION-4711' }, { tag: 0x00380300, vr: 'LO', value: 'WARD 7 BED 3' }]),
  ];
  const edits = new Map<Tag, ElementEdit>(top.map((element) => [element.tag, { op: 'set', value: element.value, ...(element.vr ? { vr: element.vr } : {}) }]));
  const nested: NewElement[] = [
    { tag: 0x00031000, vr: 'LO', value: PLANTED.nested0003 },
    ...withGroupLength(0x0009, [
      { tag: 0x00090010, vr: 'LO', value: 'PLANT CORP' },
      { tag: 0x00091001, vr: 'LO', value: PLANTED.privateNested },
    ]),
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.9999.55.1' },
  ];
  edits.set(0x00081115, { op: 'set', vr: 'SQ', value: { items: [nested] } });
  input = path.join(root, 'odd-groups.dcm');
  await writeDicomFile(base, edits, input);
});

async function anonymize(name: string, options: DeidOptions): Promise<string> {
  return (await anonymizeInto(input, path.join(root, name), options, keys)).output;
}

const ODD_GROUPS = /^\((0001|0003|0005|0007|ffff|0009),/;

describe('private group lengths and disallowed groups', () => {
  it('are in the input, at the top level and inside a sequence, as dcmdump reads it', () => {
    const tags = parseDump(runDcmdump(input, ['+Qn'])).map((line) => `${line.depth}${line.tag}`);
    for (const tag of ['0(0009,0000)', '0(0001,0010)', '0(0003,1000)', '0(0005,0010)', '0(0007,0100)', '0(ffff,0010)', '0(0038,0000)', '2(0003,1000)', '2(0009,0000)']) {
      expect(tags).toContain(tag);
    }
  });

  it('all go when private tags are removed; so does the length of a group the profile emptied', async () => {
    const output = await anonymize('default', DEFAULT_OPTIONS);
    const lines = parseDump(runDcmdump(output, ['+Qn']));
    expect(lines.filter((line) => ODD_GROUPS.test(line.tag)).map((line) => line.tag)).toEqual([]);
    expect(lines.filter((line) => line.tag.startsWith('(0038,')).map((line) => line.tag)).toEqual([]);
    const bytes = readFileSync(output);
    expect(Object.values(PLANTED).filter((value) => bytes.includes(Buffer.from(value, 'latin1')))).toEqual([]);
    expect(verifyOutput(output, DEFAULT_OPTIONS)).toEqual([]);
  });

  it('stay when private tags are kept, and the output still reads cleanly', async () => {
    const options = { ...DEFAULT_OPTIONS, removePrivate: false };
    const output = await anonymize('kept', options);
    const tags = parseDump(runDcmdump(output, ['+Qn'])).map((line) => `${line.depth}${line.tag}`);
    for (const tag of ['0(0009,0000)', '0(0001,0010)', '0(0003,1000)', '0(ffff,0010)', '2(0003,1000)', '2(0009,1001)']) expect(tags).toContain(tag);
    expect(verifyOutput(output, options)).toEqual([]);
  });

  it('are findings of verify when they survive', () => {
    const kinds = verifyOutput(input, DEFAULT_OPTIONS).filter((finding) => finding.kind === 'private').map((finding) => finding.tag);
    expect(kinds).toEqual(expect.arrayContaining(['(0009,0000)', '(0001,0010)', '(0003,1000)', '(0005,0010)', '(0007,0100)', '(FFFF,0010)']));
  });
});
