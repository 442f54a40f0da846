// Files for codec tests: native pixel data as GDCM decodes it, and small DICOM files written by
// hand (native, or a copy of an encapsulated file with other frames) for GDCM and DCMTK to read.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { readDicomFile } from '../../src/dicom/read-file.js';
import { PIXEL_DATA } from '../../src/dicom/tag.js';

/** The value of a native file's Pixel Data, as stored. */
export function nativePixelData(path: string): Buffer {
  const element = readDicomFile(path).dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (element === undefined || element.fragments !== undefined) throw new Error(`${path}: no native Pixel Data`);
  const buffer = Buffer.alloc(element.valueLength);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, element.valueOffset);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/** GDCM's decoding of a file (`gdcmconv --raw`), as native pixel data. */
export function gdcmDecoded(path: string, output: string): Buffer {
  execFileSync('gdcmconv', ['--raw', path, output], { stdio: ['ignore', 'ignore', 'pipe'] });
  return nativePixelData(output);
}

/** An encapsulated Pixel Data element: an empty offset table, one fragment per frame. */
function encapsulated(frames: readonly Uint8Array[]): Buffer {
  const item = (bytes: Uint8Array): Buffer => {
    const padded = Buffer.alloc(bytes.length + (bytes.length % 2));
    padded.set(bytes);
    const header = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
    header.writeUInt32LE(padded.length, 4);
    return Buffer.concat([header, padded]);
  };
  const pixelHeader = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const delimiter = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return Buffer.concat([pixelHeader, item(new Uint8Array(0)), ...frames.map(item), delimiter]);
}

/** A copy of an encapsulated file with other frames: every byte before Pixel Data kept, one fragment per frame, an empty offset table. */
export function withFrames(source: string, frames: readonly Uint8Array[], output: string): void {
  const file = readDicomFile(source);
  const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (element?.fragments === undefined) throw new Error(`${source}: no encapsulated Pixel Data`);
  if (element.end !== file.size) throw new Error(`${source}: elements after Pixel Data`);
  writeFileSync(output, Buffer.concat([readFileSync(source).subarray(0, element.start), encapsulated(frames)]));
}

export interface NativeImage {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: 1 | 3;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly photometric: string;
  readonly frames: number;
}

/** A minimal Secondary Capture file in Explicit VR Little Endian holding `pixels` (interleaved). */
export function writeNativeImage(output: string, image: NativeImage, pixels: Uint8Array): void {
  writeImage(output, image, '1.2.840.10008.1.2.1', pixels);
}

/** The same with encapsulated frames (one fragment each, an empty offset table) in the given transfer syntax. */
export function writeEncapsulatedImage(output: string, image: NativeImage, transferSyntax: string, frames: readonly Uint8Array[]): void {
  writeImage(output, image, transferSyntax, frames);
}

function writeImage(output: string, image: NativeImage, transferSyntax: string, pixels: Uint8Array | readonly Uint8Array[]): void {
  const element = (group: number, elementNumber: number, vr: string, value: Buffer): Buffer => {
    const padded = value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
    const long = vr === 'OB' || vr === 'OW';
    const header = Buffer.alloc(long ? 12 : 8);
    header.writeUInt16LE(group, 0);
    header.writeUInt16LE(elementNumber, 2);
    header.write(vr, 4, 'latin1');
    if (long) header.writeUInt32LE(padded.length, 8);
    else header.writeUInt16LE(padded.length, 6);
    return Buffer.concat([header, padded]);
  };
  const us = (value: number): Buffer => Buffer.from([value & 0xff, value >> 8]);
  const text = (value: string): Buffer => Buffer.from(value, 'latin1');
  const sopClass = '1.2.840.10008.5.1.4.1.1.7';
  const sopInstance = '2.25.1234567890123456789';
  const metaBody = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', text(sopClass)),
    element(0x0002, 0x0003, 'UI', text(sopInstance)),
    element(0x0002, 0x0010, 'UI', text(transferSyntax)),
    element(0x0002, 0x0012, 'UI', text('2.25.42')),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaBody.length);
  const dataSet = [
    element(0x0008, 0x0016, 'UI', text(sopClass)),
    element(0x0008, 0x0018, 'UI', text(sopInstance)),
    element(0x0008, 0x0060, 'CS', text('OT')),
    element(0x0028, 0x0002, 'US', us(image.samplesPerPixel)),
    element(0x0028, 0x0004, 'CS', text(image.photometric)),
    ...(image.samplesPerPixel === 3 ? [element(0x0028, 0x0006, 'US', us(0))] : []),
    ...(image.frames > 1 ? [element(0x0028, 0x0008, 'IS', text(String(image.frames)))] : []),
    element(0x0028, 0x0010, 'US', us(image.rows)),
    element(0x0028, 0x0011, 'US', us(image.columns)),
    element(0x0028, 0x0100, 'US', us(image.bitsAllocated)),
    element(0x0028, 0x0101, 'US', us(image.bitsStored)),
    element(0x0028, 0x0102, 'US', us(image.bitsStored - 1)),
    element(0x0028, 0x0103, 'US', us(image.signed ? 1 : 0)),
    pixels instanceof Uint8Array ? element(0x7fe0, 0x0010, image.bitsAllocated === 8 ? 'OB' : 'OW', Buffer.from(pixels)) : encapsulated(pixels),
  ];
  writeFileSync(output, Buffer.concat([Buffer.alloc(128), text('DICM'), element(0x0002, 0x0000, 'UL', groupLength), metaBody, ...dataSet]));
}
