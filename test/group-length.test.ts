import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNew } from '../src/dicom/encode-element.js';
import type { ElementEdit } from '../src/dicom/edits.js';
import type { Encoding } from '../src/dicom/model.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import type { Vr } from '../src/dicom/vr.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';

// Group length elements (gggg,0000) are retired outside the meta header but still found in older
// files. An edited group must get its length recomputed; an untouched group keeps its bytes, even a
// stale length, because we copy what we do not change.

const out = mkdtempSync(path.join(tmpdir(), 'dicom-group-length-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const STALE = 9999;

function element(tag: Tag, vr: Vr, value: string | number[], encoding: Encoding): Buffer {
  return Buffer.from(encodeNew(tag, vr, value, { encoding, characterSet: [] }));
}

/** A Part 10 file with group lengths for groups 0008, 0010 (correct) and 0020 (stale). */
function fileWithGroupLengths(name: string, transferSyntax: string, encoding: Encoding): string {
  const explicit: Encoding = { explicitVr: true, littleEndian: true };
  const group = (tag: Tag, elements: Buffer[], length?: number) => {
    const body = Buffer.concat(elements);
    return Buffer.concat([element(tag, 'UL', [length ?? body.length], tag >>> 16 === 0x0002 ? explicit : encoding), body]);
  };
  const metaBody = Buffer.concat([
    element(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7', explicit),
    element(0x00020003, 'UI', '1.2.3.4.5.6', explicit),
    element(0x00020010, 'UI', transferSyntax, explicit),
  ]);
  const dataSet = Buffer.concat([
    group(0x00080000, [element(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7', encoding), element(0x00080018, 'UI', '1.2.3.4.5.6', encoding), element(0x00080080, 'LO', 'Short', encoding)]),
    group(0x00100000, [element(0x00100010, 'PN', 'Doe^Jane', encoding), element(0x00100020, 'LO', 'ID-1', encoding), element(0x00100030, 'DA', '19700101', encoding)]),
    group(0x00200000, [element(0x0020000d, 'UI', '1.2.3', encoding), element(0x0020000e, 'UI', '1.2.3.4', encoding)], STALE),
  ]);
  const file = path.join(out, name);
  writeFileSync(file, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), group(0x00020000, [metaBody]), dataSet]));
  return file;
}

const edits = new Map<Tag, ElementEdit>([
  [0x00080080, { op: 'set', value: 'A much longer institution name than before' }],
  [0x00100030, { op: 'remove' }],
  [0x00100040, { op: 'set', value: 'O' }],
]);

describe.each([
  { name: 'explicit', transferSyntax: '1.2.840.10008.1.2.1', encoding: { explicitVr: true, littleEndian: true } },
  { name: 'implicit', transferSyntax: '1.2.840.10008.1.2', encoding: { explicitVr: false, littleEndian: true } },
])('group lengths in an $name VR data set', ({ name, transferSyntax, encoding }) => {
  it('are recomputed for edited groups and copied for untouched ones (checked with dcmdump)', async () => {
    const input = fileWithGroupLengths(`${name}-in.dcm`, transferSyntax, encoding);
    const output = path.join(out, `${name}-out.dcm`);
    await writeDicomFile(readDicomFile(input), edits, output);

    const written = readDicomFile(output);
    const sizeOfGroup = (group: number) =>
      written.dataSet.filter((entry) => entry.tag >>> 16 === group && (entry.tag & 0xffff) !== 0).reduce((sum, entry) => sum + entry.end - entry.start, 0);
    const dumped = dcmdumpElements(output);
    const lengthIn = (tag: Tag) => Number(dumped.find((entry) => entry.tag === tag)?.value);
    expect(lengthIn(0x00080000)).toBe(sizeOfGroup(0x0008));
    expect(lengthIn(0x00100000)).toBe(sizeOfGroup(0x0010));
    expect(lengthIn(0x00200000)).toBe(STALE);
    expect(dumped.find((entry) => entry.tag === 0x00100040)?.value).toBe('O');
    expect(dumped.some((entry) => entry.tag === 0x00100030)).toBe(false);
    expect(dumped.find((entry) => entry.tag === 0x00080080)?.value).toBe('A much longer institution name than before');
  });

  it('is removed when asked, and the rest of its group is still written', async () => {
    const input = fileWithGroupLengths(`${name}-in2.dcm`, transferSyntax, encoding);
    const output = path.join(out, `${name}-out2.dcm`);
    await writeDicomFile(readDicomFile(input), new Map<Tag, ElementEdit>([[0x00100000, { op: 'remove' }], ...edits]), output);
    const dumped = dcmdumpElements(output);
    expect(dumped.some((entry) => entry.tag === 0x00100000)).toBe(false);
    expect(dumped.find((entry) => entry.tag === 0x00100020)?.value).toBe('ID-1');
  });
});
