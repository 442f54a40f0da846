// Files for codec tests: native pixel data as DCMTK or GDCM decode it, and small encapsulated files
// built by hand around frames we encoded, for those tools to decode.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { readDicomFile } from '../../src/dicom/read-file.js';
import { PIXEL_DATA } from '../../src/dicom/tag.js';
import { encapsulatedFrames, encapsulatedValue } from '../../src/pixels/codecs/frame-fragments.js';
import { imagePixelsOf, nativeFrameBytes, type ImagePixels } from '../../src/pixels/image-pixels.js';

export interface NativeImage {
  readonly image: ImagePixels;
  /** Each frame's samples interleaved by pixel, little-endian (as a codec's DecodedFrame). */
  readonly frames: Buffer[];
}

/** The frames of a native (uncompressed) file, interleaved by pixel and little-endian. */
export function nativeImage(path: string): NativeImage {
  const file = readDicomFile(path);
  if (file.transferSyntax.encapsulated) throw new Error(`${path} is not native`);
  const image = imagePixelsOf(file);
  const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (!element) throw new Error(`${path} has no Pixel Data`);
  const size = nativeFrameBytes(image);
  const all = Buffer.alloc(size * image.frames);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, all, 0, all.length, element.valueOffset);
  } finally {
    closeSync(fd);
  }
  const width = image.bitsAllocated / 8;
  if (!file.transferSyntax.littleEndian && width > 1) {
    if (width === 2) all.swap16();
    else all.swap32();
  }
  const frames = Array.from({ length: image.frames }, (_, frame) => {
    const native = all.subarray(frame * size, (frame + 1) * size);
    return image.planar ? interleave(native, image) : Buffer.from(native);
  });
  return { image, frames };
}

function interleave(planar: Buffer, image: ImagePixels): Buffer {
  const width = image.bitsAllocated / 8;
  const pixels = image.rows * image.columns;
  const out = Buffer.alloc(planar.length);
  for (let pixel = 0; pixel < pixels; pixel++) {
    for (let sample = 0; sample < image.samplesPerPixel; sample++) {
      planar.copy(out, (pixel * image.samplesPerPixel + sample) * width, (sample * pixels + pixel) * width, (sample * pixels + pixel + 1) * width);
    }
  }
  return out;
}

/** Runs a decompressing tool (`dcmdrle in out`, `gdcmconv --raw in out`, …) and reads its output. */
export function decodedBy(command: string, args: readonly string[], input: string, output: string): NativeImage {
  execFileSync(command, [...args, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
  return nativeImage(output);
}

/** The frames of an encapsulated file as our fragment reader joins them. */
export function encodedFrames(path: string): Buffer[] {
  const file = readDicomFile(path);
  const pixelData = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (!pixelData) throw new Error(`${path} has no Pixel Data`);
  return encapsulatedFrames(file, pixelData, imagePixelsOf(file).frames).map((frame) => Buffer.from(frame));
}

export interface EncapsulatedFileOptions {
  readonly transferSyntax: string;
  readonly image: Pick<ImagePixels, 'rows' | 'columns' | 'samplesPerPixel' | 'bitsAllocated' | 'bitsStored' | 'signed' | 'photometric'> & { readonly planar?: boolean };
  readonly frames: readonly Uint8Array[];
  readonly withOffsetTable?: boolean;
  /** Write an Extended Offset Table (7FE0,0001/0002), the right offsets or these, and leave the Basic Offset Table empty. */
  readonly extendedOffsetTable?: boolean | readonly number[];
  /** Replaces the Pixel Data value (after the element header). */
  readonly pixelDataValue?: Uint8Array;
}

/** A minimal Part 10 Secondary Capture file in Explicit VR Little Endian framing, encapsulated Pixel Data. */
export function writeEncapsulatedFile(path: string, options: EncapsulatedFileOptions): void {
  const { image, frames } = options;
  const meta = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', uid('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0002, 0x0003, 'UI', uid('2.25.1234567890')),
    element(0x0002, 0x0010, 'UI', uid(options.transferSyntax)),
    element(0x0002, 0x0012, 'UI', uid('2.25.42')),
  ]);
  const us = (value: number) => Buffer.from(Uint16Array.of(value).buffer);
  const dataSet = [
    element(0x0008, 0x0016, 'UI', uid('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0008, 0x0018, 'UI', uid('2.25.1234567890')),
    element(0x0028, 0x0002, 'US', us(image.samplesPerPixel)),
    element(0x0028, 0x0004, 'CS', text(image.photometric)),
    ...(image.samplesPerPixel > 1 ? [element(0x0028, 0x0006, 'US', us(image.planar === true ? 1 : 0))] : []),
    element(0x0028, 0x0008, 'IS', text(String(frames.length))),
    element(0x0028, 0x0010, 'US', us(image.rows)),
    element(0x0028, 0x0011, 'US', us(image.columns)),
    element(0x0028, 0x0100, 'US', us(image.bitsAllocated)),
    element(0x0028, 0x0101, 'US', us(image.bitsStored)),
    element(0x0028, 0x0102, 'US', us(image.bitsStored - 1)),
    element(0x0028, 0x0103, 'US', us(image.signed ? 1 : 0)),
  ];
  if (options.extendedOffsetTable !== undefined && options.extendedOffsetTable !== false) {
    const given = options.extendedOffsetTable === true ? undefined : options.extendedOffsetTable;
    const offsets = Buffer.alloc(8 * frames.length);
    const lengths = Buffer.alloc(8 * frames.length);
    let offset = 0;
    frames.forEach((frame, index) => {
      offsets.writeBigUInt64LE(BigInt(given?.[index] ?? offset), 8 * index);
      lengths.writeBigUInt64LE(BigInt(frame.length), 8 * index);
      offset += 8 + frame.length + (frame.length & 1);
    });
    dataSet.push(element(0x7fe0, 0x0001, 'OV', offsets), element(0x7fe0, 0x0002, 'OV', lengths));
  }
  const header = Buffer.alloc(12);
  header.writeUInt16LE(0x7fe0, 0);
  header.writeUInt16LE(0x0010, 2);
  header.write('OB', 4, 'latin1');
  header.writeUInt32LE(0xffffffff, 8);
  const value = options.pixelDataValue ?? encapsulatedValue(frames, options.withOffsetTable === true && options.extendedOffsetTable === undefined);
  const groupLength = element(0x0002, 0x0000, 'UL', Buffer.from(Uint32Array.of(meta.length).buffer));
  writeFileSync(path, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, meta, ...dataSet, header, value]));
}

function uid(value: string): Buffer {
  return Buffer.from(value.length % 2 === 1 ? `${value}\0` : value, 'latin1');
}

function text(value: string): Buffer {
  return Buffer.from(value.length % 2 === 1 ? `${value} ` : value, 'latin1');
}

const LONG_VRS = new Set(['OB', 'OW', 'OV', 'SQ', 'UN', 'UT']);

function element(group: number, number: number, vr: string, value: Buffer): Buffer {
  const long = LONG_VRS.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(number, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}
