import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MalformedDicomError, UnsupportedDicomError } from '../src/dicom/errors.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { PIXEL_DATA } from '../src/dicom/tag.js';
import { encapsulatedFrames, encapsulatedValue, frameFragments, readFrame } from '../src/pixels/codecs/frame-fragments.js';
import { imagePixelsOf } from '../src/pixels/image-pixels.js';
import { encodedFrames, writeEncapsulatedFile } from './helpers/codec-image-files.js';
import { corpusDir, corpusFiles } from './helpers/corpus.js';

// Frames of encapsulated Pixel Data (PS3.5 A.4): by Extended or Basic Offset Table, one fragment
// per frame, all fragments of a single frame, or split where a codestream starts; and the value
// of a new encapsulated Pixel Data, read back by our reader and DCMTK.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-fragments-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const corpus = (name: string) => path.join(corpusDir, name);
const image = { rows: 2, columns: 3, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'MONOCHROME2' } as const;

function fragmentsOf(file: string): { frames: number; perFrame: number[]; table: number } {
  const read = readDicomFile(file);
  const pixelData = read.dataSet.find((element) => element.tag === PIXEL_DATA);
  if (!pixelData) throw new Error('no Pixel Data');
  const frames = imagePixelsOf(read).frames;
  return { frames, perFrame: frameFragments(read, pixelData, frames).map((parts) => parts.length), table: pixelData.fragments?.[0]?.valueLength ?? -1 };
}

/** Starts with SOI and holds an EOI (some writers leave bytes after it: HasFragmentSequence). */
function isJpegCodestream(frame: Buffer): boolean {
  return frame[0] === 0xff && frame[1] === 0xd8 && frame.lastIndexOf(Buffer.from([0xff, 0xd9])) > 2;
}

describe('frames of encapsulated corpus files', () => {
  it.each([
    ['fodicom_D_CLUNIE_CT1_RLE_FRAGS.dcm', 0, [4]],
    ['dicomparser_CT0012.not_fragmented_bot_rle.dcm', 8, [1, 1]],
    ['dicomparser_CT0012.fragmented_no_bot_jpeg_baseline.51.dcm', 0, undefined],
    ['dicomparser_CT0012.fragmented_no_bot_jpeg_lossless.57.dcm', 0, undefined],
    ['dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm', 0, undefined],
    ['fodicom_HasFragmentSequence.dcm', 4 * 96, undefined],
    ['dcm4che_US-PAL-8-10x-echo.dcm', undefined, undefined],
  ] as const)('finds every frame of %s', (name, table, perFrame) => {
    const found = fragmentsOf(corpus(name));
    if (table !== undefined) expect(found.table).toBe(table);
    expect(found.perFrame).toHaveLength(found.frames);
    if (perFrame !== undefined) expect(found.perFrame).toEqual(perFrame);
    if (name.includes('jpeg') || name.includes('Fragment')) {
      // Fragmented without offsets: several fragments per frame, each frame one whole codestream.
      if (table === 0) expect(Math.max(...found.perFrame)).toBeGreaterThan(1);
      encodedFrames(corpus(name)).forEach((frame, index) => expect(isJpegCodestream(frame), `${name} frame ${index}`).toBe(true));
    }
  });

  it('finds as many frames as the image has in every encapsulated corpus image', () => {
    let images = 0;
    for (const entry of corpusFiles().filter((file) => file.dcmdumpOk)) {
      const read = readDicomFile(entry.path);
      const pixelData = read.dataSet.find((element) => element.tag === PIXEL_DATA);
      if (!read.transferSyntax.encapsulated || pixelData?.fragments === undefined) continue;
      let frames: number;
      try {
        frames = imagePixelsOf(read).frames;
      } catch {
        continue; // a layout blanking refuses anyway
      }
      expect(encapsulatedFrames(read, pixelData, frames), entry.name).toHaveLength(frames);
      images++;
    }
    expect(images).toBeGreaterThan(12);
  });

  it('agrees with the Basic Offset Table when frames span several fragments', () => {
    const source = corpus('dicomparser_IM00001.implicit_little_endian.dcm');
    const withTable = path.join(root, 'bot.dcm');
    const without = path.join(root, 'no-bot.dcm');
    execFileSync('dcmcjpls', ['+fs', '4', '+ot', source, withTable]);
    execFileSync('dcmcjpls', ['+fs', '4', '-ot', source, without]);
    const tabled = fragmentsOf(withTable);
    expect(tabled.table).toBe(4 * 8);
    expect(Math.min(...tabled.perFrame)).toBeGreaterThan(1);
    expect(fragmentsOf(without).table).toBe(0);
    const a = encodedFrames(withTable);
    const b = encodedFrames(without);
    expect(a).toHaveLength(8);
    a.forEach((frame, index) => expect(frame.equals(b[index] as Buffer), `frame ${index}`).toBe(true));
    // One frame at a time, as a caller with bounded memory reads them.
    const read = readDicomFile(withTable);
    const pixelData = read.dataSet.find((element) => element.tag === PIXEL_DATA);
    if (!pixelData) throw new Error('no Pixel Data');
    frameFragments(read, pixelData, 8).forEach((parts, index) => expect(Buffer.from(readFrame(read, parts)).equals(a[index] as Buffer), `frame ${index} alone`).toBe(true));
  });
});

describe('frames of hand-made encapsulated files', () => {
  const frames = [Buffer.from('first frame!'), Buffer.from('second, odd!'), Buffer.from('3rd')];

  it.each([
    ['a Basic Offset Table', { withOffsetTable: true }],
    ['an Extended Offset Table', { extendedOffsetTable: true }],
    ['no offsets, one fragment per frame', {}],
  ])('reads back the frames of a value with %s', (label, options) => {
    const file = path.join(root, `${label}.dcm`);
    writeEncapsulatedFile(file, { transferSyntax: '1.2.840.10008.1.2.5', image, frames, ...options });
    const back = encodedFrames(file);
    expect(back.map((frame, index) => frame.subarray(0, (frames[index] as Buffer).length).toString())).toEqual(frames.map((frame) => frame.toString()));
    // Odd frames get one pad byte: every fragment has even length.
    expect(back.map((frame) => frame.length)).toEqual([12, 12, 4]);
    execFileSync('dcmdump', ['-q', '-E', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  it('writes the Basic Offset Table, fragments and delimiter that DCMTK reads', () => {
    const value = Buffer.from(encapsulatedValue(frames, true));
    // Table item with three offsets: 0, 8 + 12, 8 + 12 + 8 + 12.
    expect(value.subarray(0, 8 + 12).toString('hex')).toBe('feff00e00c000000' + '00000000' + '14000000' + '28000000');
    expect(value.subarray(value.length - 8).toString('hex')).toBe('feffdde000000000');
    expect(value.length).toBe(8 + 12 + (8 + 12) * 2 + 8 + 4 + 8);
    expect(Buffer.from(encapsulatedValue(frames, false)).subarray(0, 8).toString('hex')).toBe('feff00e000000000');
    const file = path.join(root, 'dump.dcm');
    writeEncapsulatedFile(file, { transferSyntax: '1.2.840.10008.1.2.5', image, frames, withOffsetTable: true });
    const dump = execFileSync('dcmdump', ['-q', '-E', file], { encoding: 'utf8' });
    expect(dump).toMatch(/PixelSequence #=4/);
    expect(dump).toMatch(/\(fffe,e000\) pi 00\\00\\00\\00\\14\\00\\00\\00\\28\\00\\00\\00/);
  });

  it('splits JPEG 2000 codestreams at SOC+SIZ when there are no offsets', () => {
    const j2k = (fill: number) => Buffer.concat([Buffer.from([0xff, 0x4f, 0xff, 0x51]), Buffer.alloc(10, fill)]);
    const pieces = [j2k(1).subarray(0, 6), j2k(1).subarray(6), j2k(2).subarray(0, 4), Buffer.from([0xff, 0x4f, 0xff, 0x52]), j2k(2).subarray(4)];
    const file = path.join(root, 'j2k.dcm');
    writeEncapsulatedFile(file, { transferSyntax: '1.2.840.10008.1.2.4.90', image, frames: [Buffer.alloc(2), Buffer.alloc(2)], pixelDataValue: Buffer.from(rawValue(pieces)) });
    const back = encodedFrames(file);
    expect(back.map((frame) => frame.toString('hex'))).toEqual([j2k(1).toString('hex'), Buffer.concat([j2k(2).subarray(0, 4), Buffer.from([0xff, 0x4f, 0xff, 0x52]), j2k(2).subarray(4)]).toString('hex')]);
  });

  it('refuses offsets and fragments that disagree with the frames, by name', () => {
    const check = (label: string, value: Uint8Array, error: typeof MalformedDicomError, message: RegExp) => {
      const file = path.join(root, `${label}.dcm`);
      writeEncapsulatedFile(file, { transferSyntax: '1.2.840.10008.1.2.5', image, frames, pixelDataValue: value });
      let thrown: unknown;
      try {
        encodedFrames(file);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown, label).toBeInstanceOf(error);
      expect((thrown as Error).message, label).toMatch(message);
    };
    const good = Buffer.from(encapsulatedValue(frames, true));
    const offsetOff = Buffer.from(good);
    offsetOff.writeUInt32LE(0x14 + 2, 12);
    check('offset off', offsetOff, MalformedDicomError, /an offset of the Basic Offset Table does not point at a fragment/);
    const notFirst = Buffer.from(good);
    notFirst.writeUInt32LE(0x14, 8);
    check('not first', notFirst, MalformedDicomError, /do not start at the first fragment and increase/);
    check('two offsets', rawValue([Buffer.from([0, 0, 0, 0, 20, 0, 0, 0]), ...frames.map(even)], true), MalformedDicomError, /lists 2 frames where the image has 3/);
    check('rle without offsets', rawValue([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef'), Buffer.from('gh')]), UnsupportedDicomError, /4 fragments for 3 frames without an offset table/);
    const eotFile = path.join(root, 'eot-off.dcm');
    writeEncapsulatedFile(eotFile, { transferSyntax: '1.2.840.10008.1.2.5', image, frames, extendedOffsetTable: [0, 20, 41] });
    expect(() => encodedFrames(eotFile)).toThrow(/an offset of the Extended Offset Table does not point at a fragment/);
    const jpeg = (tag: number) => Buffer.from([0xff, 0xd8, tag, 0xff, 0xd9, 0]);
    check('jpeg too few', rawValue([jpeg(1), Buffer.from('xx'), jpeg(2), Buffer.from('yy')]), MalformedDicomError, /hold 2 codestreams where the image has 3 frames/);
  });
});

function even(bytes: Buffer): Buffer {
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(1)]);
}

/** An encapsulated value of these fragments as they are (the first is the table when `tableFirst`). */
function rawValue(fragments: readonly Buffer[], tableFirst = false): Buffer {
  const items = (tableFirst ? fragments : [Buffer.alloc(0), ...fragments]).map((fragment) => {
    const header = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
    header.writeUInt32LE(fragment.length, 4);
    return Buffer.concat([header, fragment]);
  });
  return Buffer.concat([...items, Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])]);
}
