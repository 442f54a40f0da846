// JPEG frames in and out of DICOM files for the block blanker's tests, and decoding by DCMTK and
// GDCM to interleaved 8-bit samples. Written for the tests: no code of the product builds files here.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readDicomFile } from '../../src/dicom/read-file.js';
import { PIXEL_DATA } from '../../src/dicom/tag.js';
import { imagePixelsOf, type ImagePixels } from '../../src/pixels/image-pixels.js';

/** The JPEG frames of an encapsulated file: fragments after the Basic Offset Table, a new frame at each fragment starting with SOI. */
export function jpegFramesOf(path: string): Uint8Array[] {
  const file = readDicomFile(path);
  const bytes = readFileSync(path);
  const pixelData = file.dataSet.find((element) => element.tag === PIXEL_DATA);
  const fragments = (pixelData?.fragments ?? []).slice(1).map((fragment) => bytes.subarray(fragment.valueOffset, fragment.valueOffset + fragment.valueLength));
  const frames: Buffer[][] = [];
  for (const fragment of fragments) {
    if (fragment[0] === 0xff && fragment[1] === 0xd8) frames.push([]);
    frames.at(-1)?.push(fragment);
  }
  return frames.map((parts) => new Uint8Array(Buffer.concat(parts)));
}

/**
 * The file with its encapsulated Pixel Data replaced: the bytes up to the element, then the element
 * anew (OB, undefined length): an empty Basic Offset Table, one even-length fragment per frame, the
 * sequence delimiter. Pixel Data must be the last element, as it is in the files made here.
 */
export function withJpegFrames(path: string, frames: readonly Uint8Array[]): Buffer {
  const file = readDicomFile(path);
  const pixelData = file.dataSet.find((element) => element.tag === PIXEL_DATA);
  if (pixelData === undefined) throw new Error(`${path}: no Pixel Data`);
  const item = (length: number): Buffer => {
    const header = Buffer.alloc(8);
    header.writeUInt16LE(0xfffe, 0);
    header.writeUInt16LE(0xe000, 2);
    header.writeUInt32LE(length, 4);
    return header;
  };
  const element = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const parts: Buffer[] = [readFileSync(path).subarray(0, pixelData.start), element, item(0)];
  for (const frame of frames) {
    const padded = Buffer.alloc(frame.length + (frame.length % 2));
    padded.set(frame);
    parts.push(item(padded.length), padded);
  }
  parts.push(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

export interface Decoded {
  readonly image: ImagePixels;
  /** All frames, samples interleaved by pixel. */
  readonly samples: Uint8Array;
}

/** The file decoded to native 8-bit samples by DCMTK's dcmdjpeg or GDCM's gdcmconv --raw. */
export function decodeWith(decoder: 'dcmdjpeg' | 'gdcmconv', input: string, output: string): Decoded {
  if (decoder === 'dcmdjpeg') execFileSync('dcmdjpeg', [input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
  else execFileSync('gdcmconv', ['--raw', input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
  const file = readDicomFile(output);
  const image = imagePixelsOf(file);
  const pixelData = file.dataSet.find((element) => element.tag === PIXEL_DATA);
  if (pixelData === undefined || image.bitsAllocated !== 8) throw new Error(`${output}: no 8-bit Pixel Data`);
  const raw = readFileSync(output).subarray(pixelData.valueOffset, pixelData.valueOffset + image.rows * image.columns * image.samplesPerPixel * image.frames);
  if (!image.planar || image.samplesPerPixel === 1) return { image, samples: new Uint8Array(raw) };
  const samples = new Uint8Array(raw.length);
  const plane = image.rows * image.columns;
  for (let frame = 0; frame < image.frames; frame++) {
    for (let pixel = 0; pixel < plane; pixel++) {
      for (let s = 0; s < 3; s++) samples[(frame * plane + pixel) * 3 + s] = raw[frame * plane * 3 + s * plane + pixel]!;
    }
  }
  return { image, samples };
}

/** Sampling as the frame header (SOFn) states it: MCU size and which directions chroma is subsampled in. */
export function jpegSampling(frame: Uint8Array): { marker: number; mcuWidth: number; mcuHeight: number; subsampledX: boolean; subsampledY: boolean } {
  for (let at = 2; at + 1 < frame.length; ) {
    const marker = frame[at + 1]!;
    const length = (frame[at + 2]! << 8) | frame[at + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const count = frame[at + 9]!;
      const factors = Array.from({ length: count }, (_, index) => frame[at + 11 + 3 * index]!);
      const hs = factors.map((factor) => factor >> 4);
      const vs = factors.map((factor) => factor & 15);
      const [hMax, vMax] = [Math.max(...hs), Math.max(...vs)];
      return { marker, mcuWidth: 8 * hMax, mcuHeight: 8 * vMax, subsampledX: hs.some((h) => h < hMax), subsampledY: vs.some((v) => v < vMax) };
    }
    at += 2 + length;
  }
  throw new Error('no frame header');
}

/**
 * A PNM test image (P5 grey or P6 colour) of smooth gradients, texture and bright bars standing in for
 * burned-in text: every 8×8 block differs from a flat one.
 */
export function writeTestImage(path: string, width: number, height: number, channels: 1 | 3): void {
  const pixels = Buffer.alloc(width * height * channels);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) % 24;
      const text = y >= 4 && y < 14 && x % 9 < 5 ? 120 : 0;
      for (let c = 0; c < channels; c++) {
        const base = c === 0 ? (x * 255) / width : c === 1 ? (y * 255) / height : ((x + y) * 3) % 256;
        pixels[(y * width + x) * channels + c] = Math.min(255, Math.round(base * 0.6 + noise + text));
      }
    }
  }
  writeFileSync(path, Buffer.concat([Buffer.from(`${channels === 1 ? 'P5' : 'P6'}\n${width} ${height}\n255\n`), pixels]));
}
