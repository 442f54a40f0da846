import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MalformedDicomError, UnsupportedDicomError } from '../src/dicom/errors.js';
import { blankJpegBlocks, type PixelRectangle } from '../src/pixels/jpeg-block-blank.js';
import { corpusDir } from './helpers/corpus.js';
import { decodeWith, jpegFramesOf, jpegSampling, withJpegFrames, writeTestImage, type Decoded } from './helpers/jpeg-dicom.js';

// JPEG baseline and extended frames blanked in the DCT domain (issue 20): inputs made by DCMTK's
// dcmcjpeg and by libjpeg-turbo's cjpeg (restart intervals, sampling, several scans; wrapped by
// img2dcm), and the corpus's own; both files decoded by DCMTK and by GDCM. Outside the MCUs that
// touch a rectangle every pixel must be the original decoding bit for bit, inside them every pixel
// the fill. The one exception is the truth of chroma upsampling: decoders interpolate subsampled
// chroma between neighbouring samples ("fancy upsampling"), so in a subsampled direction the pixel
// on each side of a boundary between blanked and kept MCUs mixes chroma of both; those pixels are
// left out of the exact comparison (luma is checked there too when the decoder keeps YCbCr).

const root = mkdtempSync(path.join(tmpdir(), 'jpeg-block-blank-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const work = (name: string): string => path.join(root, name);
const run = (command: string, args: string[]): void => {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

interface Case {
  readonly name: string;
  /** Makes the JPEG DICOM input and returns its path. */
  readonly make: () => string;
  /** Fill per component in the codestream's colour space. */
  readonly fill: readonly number[];
  readonly sof?: number;
  /** The input has RST markers. */
  readonly restarts?: boolean;
  /** The input has COM segments. */
  readonly comments?: boolean;
}

/** A corpus native file compressed by dcmcjpeg with `options`. */
function dcmcjpeg(source: string, name: string, options: string[]): string {
  const output = work(`${name}.dcm`);
  run('dcmcjpeg', [...options, path.join(corpusDir, source), output]);
  return output;
}

/** A test image compressed by cjpeg with `options` (and a COM segment by wrjpgcom), wrapped as JPEG Baseline DICOM by img2dcm. */
function cjpeg(name: string, width: number, height: number, channels: 1 | 3, options: string[], comment?: string): string {
  const image = work(`${name}.${channels === 1 ? 'pgm' : 'ppm'}`);
  const jpeg = work(`${name}.jpg`);
  const output = work(`${name}.dcm`);
  writeTestImage(image, width, height, channels);
  writeFileSync(jpeg, execFileSync('cjpeg', [...options, image]));
  if (comment !== undefined) writeFileSync(jpeg, execFileSync('wrjpgcom', ['-comment', comment, jpeg]));
  run('img2dcm', ['-k', 'SOPClassUID=1.2.840.10008.5.1.4.1.1.7', jpeg, output]);
  return output;
}

const US_RGB = 'dicomparser_IM00001.implicit_little_endian.dcm';
const BLACK_YCC = [0, 128, 128];

const cases: readonly Case[] = [
  { name: 'dcmcjpeg baseline 4:2:2 (US RGB, 8 frames)', make: () => dcmcjpeg(US_RGB, 'eb', ['+eb']), fill: BLACK_YCC, sof: 0xc0 },
  { name: 'dcmcjpeg baseline 4:4:4', make: () => dcmcjpeg(US_RGB, 'eb-s4', ['+eb', '+s4']), fill: BLACK_YCC },
  { name: 'dcmcjpeg baseline 4:1:1', make: () => dcmcjpeg(US_RGB, 'eb-n1', ['+eb', '+n1']), fill: BLACK_YCC },
  { name: 'dcmcjpeg baseline coded in RGB', make: () => dcmcjpeg(US_RGB, 'eb-cr', ['+eb', '+cr']), fill: [0, 0, 0] },
  { name: 'dcmcjpeg extended sequential 8-bit (SOF1)', make: () => dcmcjpeg(US_RGB, 'ee', ['+ee', '+be']), fill: BLACK_YCC, sof: 0xc1 },
  { name: 'corpus JPEG baseline US (8 frames, COM segments)', make: () => path.join(corpusDir, 'dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'), fill: BLACK_YCC },
  { name: 'cjpeg grayscale 203×151, restart every 3 blocks, a COM segment, white fill', make: () => cjpeg('grey', 203, 151, 1, ['-grayscale', '-quality', '90', '-restart', '3B'], 'DOE^JANE 1234567'), fill: [255], restarts: true, comments: true },
  { name: 'cjpeg 4:2:0 203×151, restart every MCU row', make: () => cjpeg('s420', 203, 151, 3, ['-quality', '90', '-sample', '2x2', '-restart', '1']), fill: BLACK_YCC, restarts: true },
  { name: 'cjpeg 4:2:2 203×151, restart every 5 MCUs', make: () => cjpeg('s422', 203, 151, 3, ['-quality', '85', '-sample', '2x1', '-restart', '5B']), fill: BLACK_YCC, restarts: true },
  { name: 'cjpeg 4:2:0, one scan per component, restart every 2 blocks', make: () => cjpeg('scans3', 203, 151, 3, ['-quality', '90', '-sample', '2x2', '-restart', '2B', '-scans', scanScript('0;\n1;\n2;\n')]), fill: BLACK_YCC, restarts: true },
  { name: 'cjpeg 4:2:2, luma scan then interleaved chroma scan', make: () => cjpeg('scans2', 203, 151, 3, ['-quality', '90', '-sample', '2x1', '-scans', scanScript('0;\n1 2;\n')]), fill: BLACK_YCC },
];

function scanScript(text: string): string {
  const file = work(`scans-${text.replace(/\W/g, '')}.txt`);
  writeFileSync(file, text);
  return file;
}

/**
 * A header band like an ultrasound's, ending on an MCU boundary; a box on no 8- or 16-pixel
 * boundary whose first pixel is the last of an MCU and whose last is the first of one (so an
 * off-by-one in the touch test shows); the bottom-right corner (partial MCUs of odd sizes); a box
 * ending just before a column of MCUs.
 */
function rectanglesFor(width: number, height: number): PixelRectangle[] {
  return [
    { x: 0, y: 0, width, height: 32 },
    { x: 47, y: 47, width: 34, height: 18 },
    { x: width - 11, y: height - 7, width: 11, height: 7 },
    { x: 65, y: 100, width: 31, height: 20 },
  ];
}

/** Which pixels lie in an MCU that touches a rectangle (computed here from the frame header's MCU size). */
function touchedPixels(width: number, height: number, mcuWidth: number, mcuHeight: number, rectangles: readonly PixelRectangle[]): { pixels: Uint8Array; mcus: number } {
  const columns = Math.ceil(width / mcuWidth);
  const touched = new Set<number>();
  for (const r of rectangles) {
    for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) touched.add(Math.floor(y / mcuHeight) * columns + Math.floor(x / mcuWidth));
  }
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = touched.has(Math.floor(y / mcuHeight) * columns + Math.floor(x / mcuWidth)) ? 1 : 0;
  return { pixels, mcus: touched.size };
}

/**
 * Compares the blanked decoding with the original: the fill in touched MCUs, the original elsewhere,
 * exactly; pixels next to a blanked/kept boundary in a subsampled direction only in luma. Returns
 * the first difference, or undefined.
 */
function firstDifference(before: Decoded, after: Decoded, touched: Uint8Array, sampling: { subsampledX: boolean; subsampledY: boolean }, codedFill: readonly number[], rectangles: readonly PixelRectangle[]): string | undefined {
  const { rows, columns, samplesPerPixel, frames, photometric } = after.image;
  // Black or white with neutral chroma: an RGB decoding shows Y in every sample.
  const expected = photometric === 'RGB' && codedFill.length === 3 && codedFill[1] === 128 && codedFill[2] === 128 ? [codedFill[0]!, codedFill[0]!, codedFill[0]!] : codedFill;
  const nearBoundary = (x: number, y: number): boolean => {
    const own = touched[y * columns + x];
    for (let dy = sampling.subsampledY ? -1 : 0; dy <= (sampling.subsampledY ? 1 : 0); dy++) {
      for (let dx = sampling.subsampledX ? -1 : 0; dx <= (sampling.subsampledX ? 1 : 0); dx++) {
        const [nx, ny] = [x + dx, y + dy];
        if (nx >= 0 && ny >= 0 && nx < columns && ny < rows && touched[ny * columns + nx] !== own) return true;
      }
    }
    return false;
  };
  const inRectangle = (x: number, y: number): boolean => rectangles.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
  let changedInside = false;
  for (let frame = 0; frame < frames; frame++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const mixed = nearBoundary(x, y);
        for (let s = 0; s < samplesPerPixel; s++) {
          // Only chroma mixes; in an RGB decoding every sample carries chroma.
          if (mixed && (photometric === 'RGB' || s > 0)) continue;
          const index = ((frame * rows + y) * columns + x) * samplesPerPixel + s;
          const actual = after.samples[index]!;
          const want = touched[y * columns + x] === 1 ? expected[s]! : before.samples[index]!;
          if (actual !== want) return `frame ${frame} (${x}, ${y}) sample ${s}: ${actual}, expected ${want} (${touched[y * columns + x] === 1 ? 'blanked' : 'kept'} MCU${inRectangle(x, y) ? ', inside a rectangle' : ''})`;
          if (inRectangle(x, y) && before.samples[index] !== want) changedInside = true;
        }
      }
    }
  }
  return changedInside ? undefined : 'nothing inside the rectangles changed';
}

/** A stream's marker segments (entropy-coded data left out) and the RST markers in its scans, walked here independently of the product. */
function streamOutline(bytes: Uint8Array): { segments: { marker: number; bytes: string }[]; restarts: number[] } {
  const segments: { marker: number; bytes: string }[] = [];
  const restarts: number[] = [];
  let at = 0;
  while (at + 1 < bytes.length) {
    while (bytes[at + 1] === 0xff) at++; // fill bytes before a marker
    const marker = bytes[at + 1]!;
    const end = marker === 0xd8 || marker === 0xd9 ? at + 2 : at + 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
    segments.push({ marker, bytes: Buffer.from(bytes.subarray(at, end)).toString('hex') });
    if (marker === 0xd9) break;
    at = end;
    if (marker !== 0xda) continue;
    for (; !(bytes[at] === 0xff && bytes[at + 1] !== 0 && bytes[at + 1] !== 0xff && (bytes[at + 1]! < 0xd0 || bytes[at + 1]! > 0xd7)); at++) {
      if (bytes[at] === 0xff && bytes[at + 1]! >= 0xd0 && bytes[at + 1]! <= 0xd7) restarts.push(bytes[at + 1]! - 0xd0);
    }
  }
  return { segments, restarts };
}

describe('JPEG frames blanked block by block, read by DCMTK and GDCM', () => {
  const inputs = new Map<string, string>();
  beforeAll(() => {
    for (const entry of cases) inputs.set(entry.name, entry.make());
  }, 120_000);

  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
    const input = inputs.get(name)!;
    const frames = jpegFramesOf(input);
    expect(frames.length).toBeGreaterThan(0);
    const sampling = jpegSampling(frames[0]!);
    if (entry.sof !== undefined) expect(sampling.marker).toBe(entry.sof);
    const first = decodeWith('dcmdjpeg', input, work(`${name}-probe.dcm`)).image;
    const rectangles = rectanglesFor(first.columns, first.rows);
    const { pixels: touched, mcus } = touchedPixels(first.columns, first.rows, sampling.mcuWidth, sampling.mcuHeight, rectangles);
    const blanked = frames.map((frame) => blankJpegBlocks(frame, rectangles, entry.fill));
    for (const [index, result] of blanked.entries()) {
      expect(result.blankedMcus).toBe(mcus);
      // Every segment as it was but COM (dropped) and DHT (new ones, one before each scan); RST markers in the same sequence.
      const [original, written] = [streamOutline(frames[index]!), streamOutline(result.bytes)];
      const kept = (outline: typeof original) => outline.segments.filter((segment) => segment.marker !== 0xc4 && segment.marker !== 0xfe);
      expect(kept(written)).toEqual(kept(original));
      expect(written.segments.some((segment) => segment.marker === 0xfe)).toBe(false);
      written.segments.forEach((segment, at) => {
        if (segment.marker === 0xda) expect(written.segments[at - 1]?.marker).toBe(0xc4);
      });
      expect(written.segments.filter((segment) => segment.marker === 0xc4).length).toBe(written.segments.filter((segment) => segment.marker === 0xda).length);
      if (entry.comments === true) expect(original.segments.some((segment) => segment.marker === 0xfe)).toBe(true);
      expect(written.restarts).toEqual(original.restarts);
      if (entry.restarts === true) expect(original.restarts.length).toBeGreaterThan(0);
    }
    const output = work(`${name.replace(/\W+/g, '-')}.blanked.dcm`);
    writeFileSync(output, withJpegFrames(input, blanked.map((result) => result.bytes)));
    for (const decoder of ['dcmdjpeg', 'gdcmconv'] as const) {
      const before = decodeWith(decoder, input, work(`${name}-${decoder}-before.dcm`));
      const after = decodeWith(decoder, output, work(`${name}-${decoder}-after.dcm`));
      expect(after.image.photometric, decoder).toBe(before.image.photometric);
      expect(firstDifference(before, after, touched, sampling, entry.fill, rectangles), `${decoder} (${after.image.photometric})`).toBeUndefined();
    }
  }, 60_000);
});

describe('JPEG frames the block blanker refuses', () => {
  const jpeg = (name: string, options: string[]): Uint8Array => {
    const image = work(`${name}.ppm`);
    writeTestImage(image, 96, 64, 3);
    return new Uint8Array(execFileSync('cjpeg', [...options, image]));
  };
  const rectangles = [{ x: 0, y: 0, width: 96, height: 10 }];

  it('refuses progressive, arithmetic-coded, lossless and 12-bit frames as unsupported, naming the process', () => {
    const refusals: [Uint8Array, RegExp][] = [
      [jpeg('progressive', ['-progressive']), /progressive/],
      [jpegFramesOf(dcmcjpeg(US_RGB, 'es', ['+es']))[0]!, /progressive/],
      [jpeg('arithmetic', ['-arithmetic']), /arithmetic-coded/],
      [jpegFramesOf(path.join(corpusDir, 'dcmqats_5_JPEGLosslessSV1.dcm'))[0]!, /lossless/],
      [jpegFramesOf(path.join(corpusDir, 'dicomparser_CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'))[0]!, /12-bit samples/],
    ];
    for (const [frame, message] of refusals) {
      const attempt = () => blankJpegBlocks(frame, rectangles, [0, 128, 128].slice(0, 3));
      expect(attempt).toThrow(UnsupportedDicomError);
      expect(attempt).toThrow(message);
    }
  });

  it('finds truncated entropy-coded data at once, with or without restart markers', () => {
    for (const options of [[], ['-restart', '1B']]) {
      const whole = jpeg(`whole${options.length}`, ['-quality', '90', ...options]);
      const scanStart = whole.findIndex((byte, at) => byte === 0xff && whole[at + 1] === 0xda);
      for (const cut of [scanStart + 20, Math.floor(whole.length * 0.6), whole.length - 40]) {
        expect(() => blankJpegBlocks(whole.subarray(0, cut), rectangles, [0, 128, 128])).toThrow(MalformedDicomError);
        expect(() => blankJpegBlocks(whole.subarray(0, cut), rectangles, [0, 128, 128])).toThrow(/entropy-coded data (ends before the last block|lacks an expected restart marker)/);
      }
      // Cut and closed with EOI: the data stops at a marker instead of the end of the bytes.
      const closed = new Uint8Array([...whole.subarray(0, Math.floor(whole.length * 0.6)), 0xff, 0xd9]);
      expect(() => blankJpegBlocks(closed, rectangles, [0, 128, 128])).toThrow(MalformedDicomError);
    }
  });

  it('refuses a stream that is not JPEG and a fill that does not match the components', () => {
    expect(() => blankJpegBlocks(new Uint8Array([0, 1, 2, 3, 4]), rectangles, [0])).toThrow(MalformedDicomError);
    expect(() => blankJpegBlocks(jpeg('fill', []), rectangles, [0])).toThrow(RangeError);
  });
});
