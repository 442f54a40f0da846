import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedDicomError } from '../src/dicom/errors.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { loadFrameCodecs } from '../src/pixels/codecs/codec-registry.js';
import type { FrameCodec } from '../src/pixels/codecs/frame-codec.js';
import { loadHtj2kCodec } from '../src/pixels/codecs/htj2k.js';
import { usesColourTransform } from '../src/pixels/codecs/j2k-codestream.js';
import { loadJpeg2000Codec } from '../src/pixels/codecs/jpeg-2000.js';
import { loadJpegBaselineDecoder } from '../src/pixels/codecs/jpeg-baseline-decode.js';
import { imagePixelsOf, nativeFrameBytes, type ImagePixels } from '../src/pixels/image-pixels.js';
import { gdcmDecoded, nativePixelData, withFrames, writeEncapsulatedImage, writeNativeImage, type NativeImage } from './helpers/codec-files.js';
import { corpusDir } from './helpers/corpus.js';
import { encapsulatedFrames } from './helpers/encapsulated-frames.js';

// The WebAssembly codecs against independent decoders: GDCM (gdcmconv --raw) for JPEG 2000,
// OpenJPEG's opj_decompress (2.5, Debian libopenjp2-tools) for High-Throughput JPEG 2000, which
// Debian's GDCM cannot read, and DCMTK (dcmdjpeg) for JPEG Baseline.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-codecs-wasm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const corpus = (name: string): string => path.join(corpusDir, name);
const J2K_START = [0xff, 0x4f];

let j2k: FrameCodec;
let htj2k: FrameCodec;
let jpeg: FrameCodec;
beforeAll(async () => {
  [j2k, htj2k, jpeg] = await Promise.all([loadJpeg2000Codec(), loadHtj2kCodec(), loadJpegBaselineDecoder()]);
});

function framesOf(file: string, start = J2K_START): { image: ImagePixels; frames: Uint8Array[] } {
  const dicom = readDicomFile(file);
  const image = imagePixelsOf(dicom);
  return { image, frames: encapsulatedFrames(dicom, image.frames, start) };
}

const joined = (frames: readonly Uint8Array[]): Buffer => Buffer.concat(frames);

/** Byte equality, reported by the first difference (deep equality of large buffers is slow and its diff unreadable). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  const first = a.findIndex((byte, index) => byte !== b[index]);
  expect({ length: a.length, firstDifference: a.length === b.length && first < 0 ? -1 : first }, what).toEqual({ length: b.length, firstDifference: -1 });
}

/** The largest difference between two buffers of 8-bit samples of the same length. */
function largestDifference(actual: Uint8Array, expected: Uint8Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let index = 0; index < actual.length; index++) worst = Math.max(worst, Math.abs((actual[index] ?? 0) - (expected[index] ?? 0)));
  return worst;
}

/** Samples that fill the range of Bits Stored: a ramp, a checkerboard of extremes and noise, the same for the same arguments. */
function testSamples(image: NativeImage): Uint8Array {
  const count = image.rows * image.columns * image.samplesPerPixel * image.frames;
  const bytes = new Uint8Array(count * (image.bitsAllocated / 8));
  const view = new DataView(bytes.buffer);
  const min = image.signed ? -(2 ** (image.bitsStored - 1)) : 0;
  const max = image.signed ? 2 ** (image.bitsStored - 1) - 1 : 2 ** image.bitsStored - 1;
  let seed = 12345;
  for (let index = 0; index < count; index++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const pixel = Math.floor(index / image.samplesPerPixel) % (image.rows * image.columns);
    const [row, column] = [Math.floor(pixel / image.columns), pixel % image.columns];
    const value = (row + column) % 7 === 0 ? ((row ^ column) & 1 ? min : max) : min + Math.floor(((column / image.columns + (seed % 97) / 970) % 1) * (max - min));
    if (image.bitsAllocated === 8) view.setUint8(index, value & 0xff);
    else view.setUint16(index * 2, value & 0xffff, true);
  }
  return bytes;
}

function imageOf(native: NativeImage): ImagePixels {
  return { ...native, planar: false, paddingValue: undefined };
}

describe('JPEG 2000 (OpenJPEG)', () => {
  it.each(['fodicom_CT1_J2KI.dcm', 'dcmqats_9_J2K.dcm'])('decodes %s to the samples GDCM decodes', (name) => {
    const { image, frames } = framesOf(corpus(name));
    const decoded = frames.map((frame) => j2k.decode(frame, image));
    expectSameBytes(joined(decoded.map((frame) => frame.samples)), gdcmDecoded(corpus(name), path.join(root, `${name}.raw.dcm`)), 'ours against GDCM');
    expect(decoded[0]?.photometric).toBe('MONOCHROME2');
  });

  it.each(['fodicom_CT1_J2KI.dcm', 'dcmqats_9_J2K.dcm'])('encodes %s losslessly: our decoder and GDCM read back the same samples', (name) => {
    const { image, frames } = framesOf(corpus(name));
    const decoded = frames.map((frame) => j2k.decode(frame, image));
    const encoded = decoded.map((frame) => j2k.encode?.(frame, image) ?? new Uint8Array());
    expectSameBytes(joined(encoded.map((frame) => j2k.decode(frame, image).samples)), joined(decoded.map((frame) => frame.samples)), 'our encoding read by our decoder');
    const output = path.join(root, `${name}.ours.dcm`);
    withFrames(corpus(name), encoded, output);
    expectSameBytes(gdcmDecoded(output, `${output}.raw.dcm`), joined(decoded.map((frame) => frame.samples)), 'our encoding read by GDCM');
  });

  it('decodes 8-bit RGB that GDCM encoded (no colour transform) to the original samples, and encodes it back without one', () => {
    const source = corpus('dicomparser_IM00001.implicit_little_endian.dcm');
    const original = nativePixelData(source);
    const gdcmJ2k = path.join(root, 'rgb.j2k.dcm');
    execFileSync('gdcmconv', ['--j2k', source, gdcmJ2k], { stdio: 'ignore' });
    const { image, frames } = framesOf(gdcmJ2k);
    expect(image).toMatchObject({ samplesPerPixel: 3, photometric: 'RGB', frames: 8 });
    const decoded = frames.map((frame) => j2k.decode(frame, image));
    expectSameBytes(joined(decoded.map((frame) => frame.samples)), original, 'ours against the original');
    expect(decoded.every((frame) => frame.photometric === 'RGB')).toBe(true);
    const encoded = decoded.map((frame) => j2k.encode?.(frame, image) ?? new Uint8Array());
    expect(encoded.some(usesColourTransform)).toBe(false);
    expectSameBytes(joined(encoded.map((frame) => j2k.decode(frame, image).samples)), original, 'our encoding read by our decoder');
    const output = path.join(root, 'rgb.ours.dcm');
    withFrames(gdcmJ2k, encoded, output);
    expectSameBytes(gdcmDecoded(output, `${output}.raw.dcm`), original, 'our encoding read by GDCM');
  });

  it('encodes YBR_RCT frames with the reversible colour transform and decodes them to RGB, as GDCM does', () => {
    const source = corpus('dicomparser_IM00001.implicit_little_endian.dcm');
    const original = nativePixelData(source);
    const rct = path.join(root, 'rct.j2k.dcm');
    execFileSync('gdcmconv', ['--j2k', source, rct], { stdio: 'ignore' });
    execFileSync('dcmodify', ['-nb', '-m', '(0028,0004)=YBR_RCT', rct], { stdio: 'ignore' });
    const { image } = framesOf(rct);
    expect(image.photometric).toBe('YBR_RCT');
    const frameBytes = nativeFrameBytes(image);
    const encoded = Array.from({ length: image.frames }, (_, index) => j2k.encode?.({ samples: original.subarray(index * frameBytes, (index + 1) * frameBytes), photometric: 'RGB' }, image) ?? new Uint8Array());
    expect(encoded.every(usesColourTransform)).toBe(true);
    const decoded = encoded.map((frame) => j2k.decode(frame, image));
    expect(decoded.every((frame) => frame.photometric === 'RGB')).toBe(true);
    expectSameBytes(joined(decoded.map((frame) => frame.samples)), original, 'ours against the original');
    const output = path.join(root, 'rct.ours.dcm');
    withFrames(rct, encoded, output);
    expectSameBytes(gdcmDecoded(output, `${output}.raw.dcm`), original, 'our encoding read by GDCM');
  });

  // GDCM's own encoder crashes or fails on the smallest images (gdcmconv --j2k): those are checked one way.
  const synthetic: readonly (NativeImage & { name: string; gdcmEncodes: boolean })[] = [
    { name: '16-bit signed CT, odd size', rows: 37, columns: 53, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, signed: true, photometric: 'MONOCHROME2', frames: 1, gdcmEncodes: true },
    { name: '12-bit signed in 16', rows: 64, columns: 33, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: true, photometric: 'MONOCHROME2', frames: 1, gdcmEncodes: true },
    { name: '16-bit unsigned', rows: 40, columns: 41, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, signed: false, photometric: 'MONOCHROME2', frames: 1, gdcmEncodes: true },
    { name: '8-bit RGB, odd size, two frames', rows: 45, columns: 39, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'RGB', frames: 2, gdcmEncodes: true },
    { name: '8-bit grey, one row', rows: 1, columns: 19, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'MONOCHROME2', frames: 1, gdcmEncodes: false },
    { name: '8-bit RGB, 7 x 9', rows: 7, columns: 9, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'RGB', frames: 1, gdcmEncodes: false },
    { name: '8-bit RGB, 1 x 1', rows: 1, columns: 1, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'RGB', frames: 1, gdcmEncodes: false },
  ];

  it.each(synthetic)('round-trips $name: our encoding read by us and by GDCM, and GDCM\'s read by us', (spec) => {
    const samples = testSamples(spec);
    const image = imageOf(spec);
    const frameBytes = nativeFrameBytes(image);
    const encoded = Array.from({ length: spec.frames }, (_, index) => j2k.encode?.({ samples: samples.subarray(index * frameBytes, (index + 1) * frameBytes), photometric: spec.photometric }, image) ?? new Uint8Array());
    expectSameBytes(joined(encoded.map((frame) => j2k.decode(frame, image).samples)), samples, 'our encoding read by our decoder');
    const ours = path.join(root, `${spec.name}.ours.dcm`);
    writeEncapsulatedImage(ours, spec, '1.2.840.10008.1.2.4.90', encoded);
    // An odd-length value is padded to even length: that byte is not a sample.
    const gdcm = gdcmDecoded(ours, `${ours}.raw.dcm`);
    expectSameBytes(gdcm.length === samples.length + 1 ? gdcm.subarray(0, samples.length) : gdcm, samples, 'our encoding read by GDCM');
    if (!spec.gdcmEncodes) return;
    const native = path.join(root, `${spec.name}.native.dcm`);
    writeNativeImage(native, spec, samples);
    const gdcmJ2k = `${native}.j2k.dcm`;
    execFileSync('gdcmconv', ['--j2k', native, gdcmJ2k], { stdio: 'ignore' });
    const { frames } = framesOf(gdcmJ2k);
    expectSameBytes(joined(frames.map((frame) => j2k.decode(frame, image).samples)), samples, "GDCM's encoding read by our decoder");
  });

  it('refuses, by what is wrong, a frame of another size and one that is not JPEG 2000', () => {
    const { image, frames } = framesOf(corpus('dcmqats_9_J2K.dcm'));
    const frame = frames[0] ?? new Uint8Array();
    expect(() => j2k.decode(frame, { ...image, rows: image.rows + 1 })).toThrow(/another size than Rows and Columns say/);
    expect(() => j2k.decode(frame.subarray(0, 60), image)).toThrow(UnsupportedDicomError);
    expect(() => j2k.decode(new Uint8Array([1, 2, 3, 4]), image)).toThrow(/neither a codestream nor a JP2 file/);
    // and the library still works afterwards
    expect(j2k.decode(frame, image).samples.length).toBe(nativeFrameBytes(image));
  });
});

describe('High-Throughput JPEG 2000 (OpenJPH)', () => {
  /** opj_decompress's reading of one codestream: little-endian raw samples, component after component. */
  function openjpegDecoded(codestream: Uint8Array, name: string, image: ImagePixels): Buffer {
    const input = path.join(root, `${name}.j2c`);
    const output = path.join(root, `${name}.rawl`);
    writeFileSync(input, codestream);
    execFileSync('opj_decompress', ['-quiet', '-i', input, '-o', output], { stdio: ['ignore', 'ignore', 'pipe'] });
    const planes = readFileSync(output);
    const bytes = image.bitsAllocated / 8;
    const count = image.rows * image.columns;
    const interleaved = Buffer.alloc(planes.length);
    for (let pixel = 0; pixel < count; pixel++) {
      for (let sample = 0; sample < image.samplesPerPixel; sample++) {
        planes.copy(interleaved, (pixel * image.samplesPerPixel + sample) * bytes, (sample * count + pixel) * bytes, (sample * count + pixel + 1) * bytes);
      }
    }
    return interleaved;
  }

  const cases: readonly (NativeImage & { name: string })[] = [
    { name: 'ht 16-bit signed CT, odd size', rows: 37, columns: 53, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, signed: true, photometric: 'MONOCHROME2', frames: 1 },
    { name: 'ht 12-bit unsigned', rows: 64, columns: 65, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: false, photometric: 'MONOCHROME2', frames: 1 },
    { name: 'ht 8-bit grey', rows: 5, columns: 3, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'MONOCHROME2', frames: 1 },
    { name: 'ht 8-bit RGB', rows: 31, columns: 17, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'RGB', frames: 1 },
    { name: 'ht 8-bit YBR_RCT', rows: 16, columns: 23, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'YBR_RCT', frames: 1 },
  ];

  it.each(cases)('encodes $name losslessly: our decoder and opj_decompress read back the same samples', (spec) => {
    const samples = testSamples(spec);
    const image = imageOf(spec);
    const encoded = htj2k.encode?.({ samples, photometric: spec.photometric === 'YBR_RCT' ? 'RGB' : spec.photometric }, image) ?? new Uint8Array();
    expect(usesColourTransform(encoded)).toBe(spec.photometric === 'YBR_RCT');
    const decoded = htj2k.decode(encoded, image);
    expectSameBytes(decoded.samples, samples, 'our encoding read by our decoder');
    expect(decoded.photometric).toBe(spec.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
    expectSameBytes(openjpegDecoded(encoded, spec.name, image), samples, 'our encoding read by opj_decompress');
  });
});

describe('JPEG Baseline decoder (libjpeg-turbo)', () => {
  /** DCMTK's decoding (dcmdjpeg, YCbCr converted to RGB for lossy JPEG, colour by pixel) as native pixel data. */
  function dcmtkDecoded(file: string, name: string): Buffer {
    const output = path.join(root, `${name}.dcmdjpeg.dcm`);
    execFileSync('dcmdjpeg', ['+cl', '+px', file, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    return nativePixelData(output);
  }

  it.each(['dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm', 'fodicom_JPEGwithIcon.dcm'])('decodes %s to RGB within one of DCMTK, sample by sample', (name) => {
    const { image, frames } = framesOf(corpus(name), [0xff, 0xd8]);
    expect(image.samplesPerPixel).toBe(3);
    const decoded = frames.map((frame) => jpeg.decode(frame, image));
    expect(decoded.every((frame) => frame.photometric === 'RGB')).toBe(true);
    expect(largestDifference(joined(decoded.map((frame) => frame.samples)), dcmtkDecoded(corpus(name), name))).toBeLessThanOrEqual(1);
  });

  it('decodes an 8-bit grey multi-frame file exactly as DCMTK', () => {
    const name = 'fodicom_HasFragmentSequence.dcm';
    const { image, frames } = framesOf(corpus(name), [0xff, 0xd8]);
    const ours = joined(frames.slice(0, 4).map((frame) => jpeg.decode(frame, image).samples));
    expect(jpeg.decode(frames[0] ?? new Uint8Array(), image).photometric).toBe('MONOCHROME2');
    expect(largestDifference(ours, dcmtkDecoded(corpus(name), name).subarray(0, ours.length))).toBeLessThanOrEqual(1);
  });

  it('refuses a 12-bit JPEG Extended frame by naming its precision, and has no encoder', () => {
    const { image, frames } = framesOf(corpus('dicomparser_CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'), [0xff, 0xd8]);
    expect(() => jpeg.decode(frames[0] ?? new Uint8Array(), image)).toThrow(UnsupportedDicomError);
    expect(() => jpeg.decode(frames[0] ?? new Uint8Array(), image)).toThrow(/12-bit samples, which the JPEG decoder cannot read/);
    expect(jpeg.encode).toBeUndefined();
  });
});

describe('the registry of codecs', () => {
  it('maps each transfer syntax to its codec, loads each library once and returns the same map when called again', async () => {
    const [first, second] = await Promise.all([loadFrameCodecs(), loadFrameCodecs()]);
    expect(second).toBe(first);
    expect(await loadFrameCodecs()).toBe(first);
    const names = Object.fromEntries([...first].filter(([uid]) => !['1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'].includes(uid)).map(([uid, codec]) => [uid, codec.name]));
    expect(names).toEqual({
      '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
      '1.2.840.10008.1.2.4.51': 'JPEG Baseline',
      '1.2.840.10008.1.2.4.90': 'JPEG 2000',
      '1.2.840.10008.1.2.4.91': 'JPEG 2000',
      '1.2.840.10008.1.2.4.92': 'JPEG 2000',
      '1.2.840.10008.1.2.4.93': 'JPEG 2000',
      '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000',
      '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000',
      '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
    });
    expect(first.get('1.2.840.10008.1.2.4.90')).toBe(first.get('1.2.840.10008.1.2.4.91'));
    expect(first.get('1.2.840.10008.1.2.4.50')?.encode).toBeUndefined();
  });
});
