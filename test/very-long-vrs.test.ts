import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWithDicomParser } from './helpers/dicom-parser-reading.js';
import { addEdit, type ElementEdit } from '../src/dicom/edits.js';
import { elementAt, valueAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import type { Tag } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { explicitElement, marker, part10 } from './helpers/broken-files.js';

// OV, SV and UV have 4-byte lengths in Explicit VR (PS3.5 Table 7.1-1). dicom-parser 1.8 reads
// them with 2-byte lengths (its issue #284) and derails on the Extended Offset Table.

const dir = mkdtempSync(path.join(tmpdir(), 'dicom-ov-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_LENGTHS = 0x7fe00002;
const TOTAL_LENGTH = 0x7fe00003;
const REQUEST_ATTRIBUTES = 0x00400275;
const SELECTOR_SV = 0x00720082;
const SELECTOR_UV = 0x00720083;
const CONTENT_SEQUENCE = 0x0040a730;

function u64(...values: bigint[]): Buffer {
  const out = Buffer.alloc(values.length * 8);
  values.forEach((value, index) => out.writeBigUInt64LE(value, index * 8));
  return out;
}

function s64(...values: bigint[]): Buffer {
  const out = Buffer.alloc(values.length * 8);
  values.forEach((value, index) => out.writeBigInt64LE(value, index * 8));
  return out;
}

function item(body: Buffer): Buffer {
  return Buffer.concat([marker(0xe000, body.length), body]);
}

function sequence(group: number, element: number, items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  return explicitElement(group, element, 'SQ', body);
}

const fragments = [Buffer.alloc(0), Buffer.from('frame-one-bytes!'), Buffer.from('frame-two-bytes, a bit longer..')];
const pixelData = Buffer.concat([
  Buffer.from([0xe0, 0x7f, 0x10, 0x00]),
  Buffer.from('OB\0\0', 'latin1'),
  Buffer.from([0xff, 0xff, 0xff, 0xff]),
  ...fragments.map((fragment) => Buffer.concat([marker(0xe000, fragment.length), fragment])),
  marker(0xe0dd, 0),
]);

const dataSet = Buffer.concat([
  explicitElement(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
  explicitElement(0x0008, 0x0018, 'UI', '2.25.1234'),
  explicitElement(0x0010, 0x0010, 'PN', 'OV^TEST'),
  sequence(0x0040, 0x0275, [
    item(Buffer.concat([
      sequence(0x0040, 0xa730, [item(explicitElement(0x0072, 0x0083, 'UV', u64(18446744073709551615n, 7n)))]),
      explicitElement(0x0072, 0x0082, 'SV', s64(-9223372036854775808n, 42n)),
    ])),
  ]),
  explicitElement(0x7fe0, 0x0001, 'OV', u64(0n, 24n)),
  explicitElement(0x7fe0, 0x0002, 'OV', u64(16n, 32n)),
  explicitElement(0x7fe0, 0x0003, 'UV', u64(48n)),
  pixelData,
]);
const source = path.join(dir, 'extended-offset-table.dcm');
writeFileSync(source, part10(dataSet, '1.2.840.10008.1.2.4.50'));

describe('OV, SV and UV (4-byte lengths)', () => {
  it('reads them at top level and inside sequences', () => {
    const file = readDicomFile(source);
    expect(valueAt(file, [], EXTENDED_OFFSET_TABLE)).toEqual({ kind: 'bytes', bytes: expect.any(Uint8Array) });
    expect(elementAt(file, [], EXTENDED_OFFSET_TABLE)?.valueLength).toBe(16);
    expect(elementAt(file, [], EXTENDED_OFFSET_LENGTHS)?.vr).toBe('OV');
    expect(valueAt(file, [], TOTAL_LENGTH)).toEqual({ kind: 'numbers', values: [48n] });
    expect(valueAt(file, [{ tag: REQUEST_ATTRIBUTES, item: 0 }], SELECTOR_SV)).toEqual({ kind: 'numbers', values: [-9223372036854775808n, 42n] });
    expect(valueAt(file, [{ tag: REQUEST_ATTRIBUTES, item: 0 }, { tag: CONTENT_SEQUENCE, item: 0 }], SELECTOR_UV)).toEqual({
      kind: 'numbers',
      values: [18446744073709551615n, 7n],
    });
    const pixel = elementAt(file, [], 0x7fe00010);
    expect(pixel?.fragments?.map((fragment) => fragment.valueLength)).toEqual(fragments.map((fragment) => fragment.length));
  });

  it('is the case dicom-parser 1.8 misreads (upstream issue #284), which is why we walk the data set ourselves', () => {
    let offsets: number[] | undefined;
    try {
      offsets = parseWithDicomParser(readFileSync(source))
        .filter((element) => element.tag === EXTENDED_OFFSET_LENGTHS)
        .map((element) => element.dataOffset);
    } catch {
      offsets = undefined;
    }
    const ours = elementAt(readDicomFile(source), [], EXTENDED_OFFSET_LENGTHS)?.valueOffset;
    expect(offsets?.[0]).not.toBe(ours);
  });

  it('survives a round trip and edits, and DCMTK reads the result', async () => {
    const file = readDicomFile(source);
    const same = path.join(dir, 'same.dcm');
    await writeDicomFile(file, new Map(), same);
    expect(readFileSync(same).equals(readFileSync(source))).toBe(true);

    const edited = path.join(dir, 'edited.dcm');
    const edits = new Map<Tag, ElementEdit>([[TOTAL_LENGTH, { op: 'set', value: [4294967296n] }]]);
    addEdit(edits, [{ tag: REQUEST_ATTRIBUTES, item: 0 }], SELECTOR_SV, { op: 'set', value: [-5n, 6n, 7n] });
    addEdit(edits, [{ tag: REQUEST_ATTRIBUTES, item: 0 }, { tag: CONTENT_SEQUENCE, item: 0 }], SELECTOR_UV, { op: 'remove' });
    await writeDicomFile(file, edits, edited);
    const back = readDicomFile(edited);
    expect(valueAt(back, [], TOTAL_LENGTH)).toEqual({ kind: 'numbers', values: [4294967296n] });
    expect(valueAt(back, [{ tag: REQUEST_ATTRIBUTES, item: 0 }], SELECTOR_SV)).toEqual({ kind: 'numbers', values: [-5n, 6n, 7n] });
    expect(elementAt(back, [{ tag: REQUEST_ATTRIBUTES, item: 0 }, { tag: CONTENT_SEQUENCE, item: 0 }], SELECTOR_UV)).toBeUndefined();
    expect(elementAt(back, [], EXTENDED_OFFSET_TABLE)?.valueLength).toBe(16);

    const dump = dcmdumpElements(edited);
    expect(dump.find((element) => element.tag === TOTAL_LENGTH)).toMatchObject({ depth: 0, vr: 'UV', value: '4294967296' });
    expect(dump.find((element) => element.tag === SELECTOR_SV)).toMatchObject({ depth: 1, vr: 'SV', value: '-5\\6\\7' });
    expect(dump.some((element) => element.tag === SELECTOR_UV)).toBe(false);
    expect(dump.find((element) => element.tag === EXTENDED_OFFSET_LENGTHS)).toMatchObject({ depth: 0, vr: 'OV' });
  });
});
