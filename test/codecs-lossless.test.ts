import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedDicomError } from '../src/dicom/errors.js';
import { loadFrameCodecs, type FrameCodecs } from '../src/pixels/codecs/codec-registry.js';
import type { FrameCodec } from '../src/pixels/codecs/frame-codec.js';
import { JPEG_LOSSLESS_CODEC } from '../src/pixels/codecs/jpeg-lossless.js';
import { loadJpegLsCodec } from '../src/pixels/codecs/jpeg-ls.js';
import { RLE_LOSSLESS_CODEC } from '../src/pixels/codecs/rle-lossless.js';
import { decodedBy, encodedFrames, nativeImage, writeEncapsulatedFile, type NativeImage } from './helpers/codec-image-files.js';
import { corpusDir } from './helpers/corpus.js';

// JPEG-LS (CharLS) and JPEG Lossless (jpeg-lossless-decoder-js) frames decoded as DCMTK decodes
// them, from the corpus and from files DCMTK compresses here; JPEG-LS frames we encode decoded by DCMTK.

const JPEG_LS = '1.2.840.10008.1.2.4.80';
const root = mkdtempSync(path.join(tmpdir(), 'dicom-codecs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let jpegLs: FrameCodec;
beforeAll(async () => {
  jpegLs = await loadJpegLsCodec();
});

const corpus = (name: string) => path.join(corpusDir, name);

/** A file DCMTK compresses here from a native corpus file (`tool options… in out`). */
function compressed(tool: string, options: readonly string[], source: string, label: string): string {
  const output = path.join(root, `${label}.dcm`);
  execFileSync(tool, [...options, corpus(source), output], { stdio: ['ignore', 'ignore', 'pipe'] });
  return output;
}

/** Every frame of `file` decoded by `codec` equals `reference`'s frames. */
function expectDecodedAs(codec: FrameCodec, file: string, reference: NativeImage, label: string): void {
  const frames = encodedFrames(file);
  expect(frames, label).toHaveLength(reference.image.frames);
  frames.forEach((encoded, frame) => {
    const decoded = codec.decode(encoded, reference.image);
    expect(decoded.photometric, label).toBe(reference.image.photometric);
    expect(Buffer.from(decoded.samples).equals(reference.frames[frame] as Buffer), `${label} frame ${frame}`).toBe(true);
  });
}

describe('JPEG-LS', () => {
  const made: [label: string, source: string, options: string[]][] = [
    ['rgb8-line', 'dicomparser_IM00001.implicit_little_endian.dcm', ['+il']],
    ['rgb8-sample', 'dicomparser_IM00001.implicit_little_endian.dcm', ['+is']],
    ['rgb8-none', 'dicomparser_IM00001.implicit_little_endian.dcm', ['+in']],
    ['rgb8-near', 'dicomparser_IM00001.implicit_little_endian.dcm', ['+en', '+md', '3']],
    ['ct16-signed', 'fodicom_GH177_BigEndian_undefined_length.dcm', []],
    ['mr12', 'dcmqats_1_ELE.dcm', []],
    ['mr12-near', 'dcmqats_1_ELE.dcm', ['+en']],
    ['mr12-fragments', 'dcmqats_1_ELE.dcm', ['+fs', '8']],
  ];

  it('decodes the corpus JPEG-LS file as dcmdjpls does', () => {
    const input = corpus('dcmqats_7_JPEGLS.dcm');
    expectDecodedAs(jpegLs, input, decodedBy('dcmdjpls', [], input, path.join(root, 'qats7.native.dcm')), 'dcmqats_7_JPEGLS.dcm');
  });

  it.each(made)('decodes %s made by dcmcjpls as dcmdjpls does', (label, source, options) => {
    const file = compressed('dcmcjpls', options, source, `jls-${label}`);
    expectDecodedAs(jpegLs, file, decodedBy('dcmdjpls', [], file, path.join(root, `jls-${label}.native.dcm`)), label);
  });

  it.each([
    ['rgb8', 'dicomparser_IM00001.implicit_little_endian.dcm'],
    ['ct16-signed', 'fodicom_GH177_BigEndian_undefined_length.dcm'],
    ['mr12', 'dcmqats_1_ELE.dcm'],
    ['ovly12-with-overlay-bits', 'dcm4che_ovly_p01.dcm'],
  ])('encodes %s losslessly: dcmdjpls decodes our frames to the samples we gave', (label, source) => {
    const native = nativeImage(corpus(source));
    const frames = native.frames.slice(0, 3);
    const encoded = frames.map((samples) => (jpegLs.encode as NonNullable<FrameCodec['encode']>)({ samples, photometric: native.image.photometric }, native.image));
    const file = path.join(root, `ours-${label}.dcm`);
    writeEncapsulatedFile(file, { transferSyntax: JPEG_LS, image: native.image, frames: encoded, withOffsetTable: true });
    const decoded = decodedBy('dcmdjpls', [], file, path.join(root, `ours-${label}.native.dcm`));
    // JPEG-LS codes Bits Stored bits: bits above them (ovly_p01's overlays) are not kept.
    const keep = (1 << native.image.bitsStored) - 1;
    decoded.frames.forEach((samples, frame) => {
      const expected = Buffer.from(frames[frame] as Buffer);
      if (native.image.bitsAllocated === 16) for (let at = 0; at < expected.length; at += 2) expected.writeUInt16LE(expected.readUInt16LE(at) & keep, at);
      expect(samples.equals(expected), `${label} frame ${frame}`).toBe(true);
      expect(Buffer.from(jpegLs.decode(encoded[frame] as Uint8Array, native.image).samples).equals(expected), `${label} frame ${frame}, our decode`).toBe(true);
    });
  });

  it('refuses a corrupt or mismatched frame by name, and keeps working after', () => {
    const native = nativeImage(corpus('dcmqats_1_ELE.dcm'));
    const frame = encodedFrames(corpus('dcmqats_7_JPEGLS.dcm'))[0] as Buffer;
    expect(() => jpegLs.decode(frame.subarray(0, 20), native.image)).toThrow(UnsupportedDicomError);
    expect(() => jpegLs.decode(frame.subarray(0, 35728), native.image)).toThrow(/JPEG-LS frame has no end-of-image marker/);
    expect(() => jpegLs.decode(Buffer.concat([Buffer.alloc(300, 0x55), Buffer.from([0xff, 0xd9])]), native.image)).toThrow(/JPEG-LS frame cannot be decoded/);
    expect(() => jpegLs.decode(frame, { ...native.image, columns: 100 })).toThrow(/JPEG-LS frame is 384×384 where the image is 100×384/);
    expect(() => jpegLs.decode(frame, { ...native.image, samplesPerPixel: 3 })).toThrow(/1 components where the image has 3 samples per pixel/);
    expect(Buffer.from(jpegLs.decode(frame, native.image).samples).equals(native.frames[0] as Buffer)).toBe(true);
  });
});

describe('JPEG Lossless', () => {
  it.each(['dicomparser_CT0012.fragmented_no_bot_jpeg_lossless.57.dcm', 'dcmqats_5_JPEGLosslessSV1.dcm', 'fodicom_GH184.dcm', 'dcm4che_explicitVRwithinUNsequence.dcm'])(
    'decodes %s as dcmdjpeg does',
    (name) => {
      const input = corpus(name);
      expectDecodedAs(JPEG_LOSSLESS_CODEC, input, decodedBy('dcmdjpeg', [], input, path.join(root, `${name}.native.dcm`)), name);
    },
  );

  it.each([
    ['rgb8-sv1', 'dicomparser_IM00001.implicit_little_endian.dcm', ['+e1']],
    ['rgb8-p14-sel6', 'dicomparser_IM00001.implicit_little_endian.dcm', ['+el', '+sv', '6']],
    ['ct16-sv1', 'fodicom_GH177_BigEndian_undefined_length.dcm', ['+e1']],
    ['mr12-p14-sel7', 'dcmqats_1_ELE.dcm', ['+el', '+sv', '7']],
    ['mr12-sv1-fragments', 'dcmqats_1_ELE.dcm', ['+e1', '+fs', '8']],
  ])('decodes %s made by dcmcjpeg as dcmdjpeg does', (label, source, options) => {
    const file = compressed('dcmcjpeg', options, source, `jpl-${label}`);
    expectDecodedAs(JPEG_LOSSLESS_CODEC, file, decodedBy('dcmdjpeg', [], file, path.join(root, `jpl-${label}.native.dcm`)), label);
  });

  it('has no encoder, and refuses a corrupt frame by name', () => {
    expect(JPEG_LOSSLESS_CODEC.encode).toBeUndefined();
    const native = nativeImage(corpus('dcmqats_1_ELE.dcm'));
    const frame = encodedFrames(corpus('dcmqats_5_JPEGLosslessSV1.dcm'))[0] as Buffer;
    expect(() => JPEG_LOSSLESS_CODEC.decode(Buffer.alloc(100, 0x33), native.image)).toThrow(/JPEG Lossless frame cannot be decoded/);
    expect(() => JPEG_LOSSLESS_CODEC.decode(frame, { ...native.image, rows: 10 })).toThrow(/JPEG Lossless frame is 384×384 where the image is 384×10/);
    expect(() => JPEG_LOSSLESS_CODEC.decode(frame.subarray(0, 40), native.image)).toThrow(UnsupportedDicomError);
    const cut = Buffer.concat([frame.subarray(0, frame.length >> 1), Buffer.from([0xff, 0xd9])]);
    expect(() => JPEG_LOSSLESS_CODEC.decode(cut, native.image)).toThrow(/JPEG Lossless frame ends before its last pixel/);
    expect(() => JPEG_LOSSLESS_CODEC.decode(frame, { ...native.image, samplesPerPixel: 3 })).toThrow(/3 samples of 16 bits is not supported/);
  });
});

describe('the codec table', () => {
  let codecs: FrameCodecs;
  beforeAll(async () => {
    codecs = await loadFrameCodecs();
  });

  it('maps each lossless transfer syntax to its codec, and nothing else', () => {
    expect(codecs.get('1.2.840.10008.1.2.5')).toBe(RLE_LOSSLESS_CODEC);
    expect(codecs.get('1.2.840.10008.1.2.4.80')?.name).toBe('JPEG-LS');
    expect(codecs.get('1.2.840.10008.1.2.4.81')).toBe(codecs.get('1.2.840.10008.1.2.4.80'));
    expect(codecs.get('1.2.840.10008.1.2.4.57')).toBe(JPEG_LOSSLESS_CODEC);
    expect(codecs.get('1.2.840.10008.1.2.4.70')).toBe(JPEG_LOSSLESS_CODEC);
    expect(codecs.get('1.2.840.10008.1.2.1')).toBeUndefined();
  });
});

describe('corrupt frames', () => {
  /** Deterministic corruptions of a valid frame: truncations and overwritten bytes. */
  function corruptions(frame: Buffer, count: number): Buffer[] {
    const out: Buffer[] = [];
    let state = 12345;
    const next = (limit: number) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return (state >>> 8) % limit;
    };
    for (let index = 0; index < count; index++) {
      if (index % 2 === 0) out.push(frame.subarray(0, next(frame.length)));
      else {
        const copy = Buffer.from(frame);
        // Half of them in the headers, half anywhere.
        const span = index % 4 === 1 ? Math.min(copy.length, 400) : copy.length;
        for (let flips = 0; flips < 4; flips++) copy[next(span)] = next(256);
        out.push(copy);
      }
    }
    return out;
  }

  it.each([
    ['RLE Lossless', 'dcmqats_4_RLE.dcm'],
    ['JPEG-LS', 'dcmqats_7_JPEGLS.dcm'],
    ['JPEG Lossless', 'dcmqats_5_JPEGLosslessSV1.dcm'],
  ])('%s: each one decodes or is refused as a DICOM error, never crashes or hangs', async (name, source) => {
    const codec = (await loadFrameCodecs()).get(name === 'RLE Lossless' ? '1.2.840.10008.1.2.5' : name === 'JPEG-LS' ? JPEG_LS : '1.2.840.10008.1.2.4.70') as FrameCodec;
    const image = nativeImage(corpus('dcmqats_1_ELE.dcm')).image;
    const frame = encodedFrames(corpus(source))[0] as Buffer;
    for (const corrupt of corruptions(frame, 40)) {
      try {
        expect(codec.decode(corrupt, image).samples.length).toBe(image.rows * image.columns * 2);
      } catch (error) {
        expect((error as { code?: string }).code, (error as Error).message).toMatch(/^(UNSUPPORTED|MALFORMED)$/);
      }
    }
  });
});
