import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomFile } from '../src/dicom/read-file.js';
import { PIXEL_DATA, TRANSFER_SYNTAX_UID } from '../src/dicom/tag.js';
import { writeDicomFile } from '../src/dicom/write-dicom-file.js';
import { DEFAULT_OPTIONS, type DeidOptions } from '../src/deid/options.js';
import { Pseudonymizer } from '../src/deid/pseudonyms.js';
import { loadHtj2kCodec } from '../src/pixels/codecs/htj2k.js';
import { encapsulatedValue } from '../src/pixels/codecs/frame-fragments.js';
import { imagePixelsOf, type ImagePixels } from '../src/pixels/image-pixels.js';
import type { RegionList } from '../src/pixels/region-list.js';
import { anonymizeOne } from './helpers/anonymize-one.js';
import { encodedFrames, type NativeImage } from './helpers/codec-image-files.js';
import { corpusDir } from './helpers/corpus.js';
import { daemonCase, filesBelow, killLeftRunning, startDaemon, waitUntil, type DaemonProcess } from './helpers/daemon-process.js';
import { deidMethodCodes } from './helpers/dcmdump-codes.js';
import { dcmdumpElements } from './helpers/dcmdump-elements.js';
import { runDcmdump } from './helpers/dcmdump.js';
import { compressWith, SECONDARY_CAPTURE, ULTRASOUND_IMAGE, writeNativeDicom } from './helpers/native-dicom.js';
import { runCli } from './helpers/run-cli.js';
import { eightBitSamples, type TextImage } from './helpers/text-image.js';
import { ctScene, ultrasoundScene } from './helpers/text-scenes.js';
import { decodedByTools } from './helpers/tool-decoding.js';

// Clean Pixel Data (issue 20, §3) on encapsulated images, end to end: drawn scenes with patient
// text are encoded by independent tools in every syntax we clean, anonymized, and both input and
// output decoded by independent tools (DCMTK, GDCM, OpenJPEG). Inside the regions only the fill,
// outside them every sample as the input decodes (JPEG baseline: outside the touched MCUs), the
// transfer syntax and Lossy Image Compression as promised, one fragment per frame behind a Basic
// Offset Table, and Tesseract no longer reads the planted name, ID and date.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-clean-syntaxes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SECRET = 'the clean pixel data syntaxes tests secret';
const keys = new Pseudonymizer(Buffer.from(SECRET));
const CLEAN: DeidOptions = { ...DEFAULT_OPTIONS, standardOptions: ['clean-pixel-data'] };

const RLE = '1.2.840.10008.1.2.5';
const BURNED_IN_ANNOTATION = 0x00280301;
const LOSSY_IMAGE_COMPRESSION = 0x00282110;
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const VIDEO_ENDOSCOPIC = '1.2.840.10008.5.1.4.1.1.77.1.1.1';
const MPEG2 = '1.2.840.10008.1.2.4.100';
const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';

/** What a test cleans: the drawn frames, and which pixels must hold the fill. */
interface Scene {
  readonly name: string;
  readonly frames: readonly TextImage[];
  readonly photometric: 'RGB' | 'MONOCHROME2';
  readonly blanked: (row: number, column: number) => boolean;
  /** Upper case, letters and digits only, as the OCR check looks for them. */
  readonly planted: readonly string[];
  readonly native: string;
}

/** Everything below the text band and 4 columns in from each side is the ultrasound image; the rest is blanked. */
function ultrasoundKeep(image: TextImage): { minX: number; minY: number; maxX: number; maxY: number } {
  const bottom = Math.max(...image.words.map((word) => word.box.y + word.box.height));
  return { minX: 4, minY: bottom + 4, maxX: image.width - 5, maxY: image.height - 1 };
}

/** The site list entry of the CT-like secondary captures: the top-left corner (name, birth date) and the bottom-right one (ID). */
function ctRegions(image: TextImage): [number, number, number, number][] {
  const left = image.words.filter((word) => word.box.x < image.width / 2);
  const right = image.words.filter((word) => word.box.x >= image.width / 2);
  const leftWidth = Math.max(...left.map((word) => word.box.x + word.box.width)) + 4;
  const leftHeight = Math.max(...left.map((word) => word.box.y + word.box.height)) + 4;
  const rightWidth = image.width - Math.min(...right.map((word) => word.box.x)) + 4;
  const rightHeight = image.height - Math.min(...right.map((word) => word.box.y)) + 4;
  return [
    [0, 0, leftWidth, leftHeight],
    [-rightWidth, -rightHeight, rightWidth, rightHeight],
  ];
}

let siteList: RegionList;
const scenes = new Map<string, Scene>();

/** A native file of `frames`, with the attributes of its kind; an ultrasound gets its one region. */
async function writeScene(name: string, frames: readonly TextImage[], kind: 'us' | 'ct', photometric: 'RGB' | 'MONOCHROME2'): Promise<Scene> {
  const first = frames[0] as TextImage;
  const bytes = Buffer.concat(frames.map((frame) => (frame.samples instanceof Uint8Array ? frame.samples : Buffer.from(frame.samples.buffer, frame.samples.byteOffset, frame.samples.byteLength))));
  const plain = path.join(root, `${name}.plain.dcm`);
  writeNativeDicom(plain, {
    rows: first.height,
    columns: first.width,
    samplesPerPixel: first.channels,
    bitsAllocated: first.bitsAllocated,
    bitsStored: first.bitsAllocated === 16 ? 12 : 8,
    photometric,
    frames: frames.length,
    pixelBytes: bytes,
    modality: kind === 'us' ? 'US' : 'OT',
    sopClassUid: kind === 'us' ? ULTRASOUND_IMAGE : SECONDARY_CAPTURE,
    attributes: kind === 'ct' ? [{ tag: 0x0008103e, vr: 'LO', value: 'CT LIKE CAPTURE' }] : [],
  });
  const native = path.join(root, `${name}.native.dcm`);
  if (kind === 'us') {
    const keep = ultrasoundKeep(first);
    const region = [
      { tag: 0x00186018, vr: 'UL' as const, value: [keep.minX] },
      { tag: 0x0018601a, vr: 'UL' as const, value: [keep.minY] },
      { tag: 0x0018601c, vr: 'UL' as const, value: [keep.maxX] },
      { tag: 0x0018601e, vr: 'UL' as const, value: [keep.maxY] },
    ];
    await writeDicomFile(readDicomFile(plain), new Map([[0x00186011, { op: 'set' as const, value: { items: [region] } }]]), native);
    const blanked = (row: number, column: number): boolean => row < keep.minY || row > keep.maxY || column < keep.minX || column > keep.maxX;
    return { name, frames, photometric, blanked, planted: ['JANE', '12345678', '19640312'], native };
  }
  copyFileSync(plain, native);
  const regions = ctRegions(first);
  const inside = (row: number, column: number): boolean =>
    regions.some(([x, y, width, height]) => {
      const left = x < 0 ? first.width + x : x;
      const top = y < 0 ? first.height + y : y;
      return column >= left && column < left + width && row >= top && row < top + height;
    });
  return { name, frames, photometric, blanked: inside, planted: ['JANE', '12345678', '12031964'], native };
}

function grey(image: TextImage): TextImage {
  const samples = new Uint8Array(image.width * image.height);
  for (let pixel = 0; pixel < samples.length; pixel++) samples[pixel] = image.samples[pixel * 3] as number;
  return { ...image, channels: 1, samples };
}

beforeAll(async () => {
  const us = [7, 8, 9].map((seed) => ultrasoundScene({ rows: 240, columns: 320, seed }));
  const ct = [11, 12, 13].map((seed) => ctScene({ seed }));
  const made = [
    await writeScene('us-rgb', us.slice(0, 1), 'us', 'RGB'),
    await writeScene('us-rgb-3', us, 'us', 'RGB'),
    await writeScene('us-grey-3', us.map(grey), 'us', 'MONOCHROME2'),
    await writeScene('us-rgb-large', [ultrasoundScene()], 'us', 'RGB'),
    await writeScene('ct16', ct.slice(0, 1), 'ct', 'MONOCHROME2'),
    await writeScene('ct16-3', ct, 'ct', 'MONOCHROME2'),
  ];
  for (const scene of made) scenes.set(scene.name, scene);
  const ctEntryRegions = ctRegions(ct[0] as TextImage);
  siteList = {
    name: 'site-test-list',
    entries: [{ where: 'line 1', label: 'CT-like captures', match: { tag: 0x0008103e, test: 'equals', value: 'CT LIKE CAPTURE' }, regions: ctEntryRegions }],
  };
}, 60_000);

function sceneNamed(name: string): Scene {
  const scene = scenes.get(name);
  if (!scene) throw new Error(`no scene ${name}`);
  return scene;
}

let cases = 0;
function caseDir(): string {
  const dir = path.join(root, `case-${++cases}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The input of a case: the scene's native file in a syntax made by an independent tool (or by our HTJ2K encoder: no tool here makes HTJ2K). */
async function encoded(scene: Scene, how: Encoding, dir: string): Promise<string> {
  const input = path.join(dir, `${scene.name}.${how.name}.dcm`);
  if (how.tool === 'gdcmconv' || how.tool === 'dcmconv') execFileSync(how.tool, [...how.args, scene.native, input], { stdio: ['ignore', 'ignore', 'pipe'] });
  else if (how.tool === 'ours') await htj2kCopy(scene, input);
  else compressWith(how.tool, how.args, scene.native, input);
  return input;
}

/**
 * OpenJPEG 2.5 and GDCM 3.0 decode HTJ2K but do not make it: the input is our own encoder's
 * (OpenJPH), and opj_decompress decodes input and output independently.
 */
async function htj2kCopy(scene: Scene, output: string): Promise<void> {
  const codec = await loadHtj2kCodec();
  const file = readDicomFile(scene.native);
  const image = imagePixelsOf(file);
  const frames = scene.frames.map((frame) => codec.encode?.({ samples: frame.samples instanceof Uint8Array ? frame.samples : Buffer.from(frame.samples.buffer), photometric: scene.photometric }, image) ?? new Uint8Array());
  await writeDicomFile(file, new Map([[PIXEL_DATA, { op: 'encapsulated' as const, value: encapsulatedValue(frames, false) }]]), output, { metaEdits: new Map([[TRANSFER_SYNTAX_UID, { op: 'set' as const, vr: 'UI' as const, value: HTJ2K_LOSSLESS }]]) });
}

interface Encoding {
  readonly name: string;
  readonly tool: 'dcmcrle' | 'dcmcjpls' | 'dcmcjpeg' | 'gdcmconv' | 'dcmconv' | 'ours';
  readonly args: readonly string[];
  readonly transferSyntax: string;
  /** The output's, when it differs (JPEG Lossless has no encoder: RLE Lossless). */
  readonly outputSyntax?: string;
}

const RLE_ENCODING: Encoding = { name: 'rle', tool: 'dcmcrle', args: [], transferSyntax: RLE };
const JPEG_LS: Encoding = { name: 'jpeg-ls', tool: 'dcmcjpls', args: ['+el'], transferSyntax: '1.2.840.10008.1.2.4.80' };
const JPEG_LS_NEAR: Encoding = { name: 'jpeg-ls-near', tool: 'dcmcjpls', args: ['+en'], transferSyntax: '1.2.840.10008.1.2.4.81' };
const JPEG_57: Encoding = { name: 'jpeg-57', tool: 'dcmcjpeg', args: ['+el'], transferSyntax: '1.2.840.10008.1.2.4.57', outputSyntax: RLE };
const JPEG_70: Encoding = { name: 'jpeg-70', tool: 'dcmcjpeg', args: ['+e1'], transferSyntax: '1.2.840.10008.1.2.4.70', outputSyntax: RLE };
const JPEG_BASELINE: Encoding = { name: 'jpeg-baseline', tool: 'dcmcjpeg', args: ['+eb'], transferSyntax: '1.2.840.10008.1.2.4.50' };
const J2K: Encoding = { name: 'j2k', tool: 'gdcmconv', args: ['--j2k'], transferSyntax: '1.2.840.10008.1.2.4.90' };
const J2K_LOSSY: Encoding = { name: 'j2k-lossy', tool: 'gdcmconv', args: ['--j2k', '--lossy', '-q', '40'], transferSyntax: '1.2.840.10008.1.2.4.91' };
const HTJ2K: Encoding = { name: 'htj2k', tool: 'ours', args: [], transferSyntax: HTJ2K_LOSSLESS };
const DEFLATED: Encoding = { name: 'deflated', tool: 'dcmconv', args: ['+td'], transferSyntax: '1.2.840.10008.1.2.1.99' };
const BIG_ENDIAN: Encoding = { name: 'big-endian', tool: 'dcmconv', args: ['+tb'], transferSyntax: '1.2.840.10008.1.2.2' };

const CASES: readonly { scene: string; encoding: Encoding }[] = [
  { scene: 'us-rgb-3', encoding: RLE_ENCODING },
  { scene: 'ct16', encoding: RLE_ENCODING },
  { scene: 'us-grey-3', encoding: JPEG_LS },
  { scene: 'ct16', encoding: JPEG_LS },
  { scene: 'us-rgb', encoding: JPEG_LS_NEAR },
  { scene: 'us-rgb-3', encoding: JPEG_57 },
  { scene: 'ct16', encoding: JPEG_70 },
  { scene: 'us-rgb-large', encoding: JPEG_BASELINE },
  { scene: 'us-grey-3', encoding: JPEG_BASELINE },
  { scene: 'us-rgb', encoding: J2K },
  { scene: 'ct16-3', encoding: J2K },
  { scene: 'us-grey-3', encoding: J2K_LOSSY },
  { scene: 'us-rgb-3', encoding: HTJ2K },
  { scene: 'us-rgb', encoding: DEFLATED },
  { scene: 'ct16', encoding: BIG_ENDIAN },
];

function valueOf(file: string, tag: number): string | undefined {
  return dcmdumpElements(file).find((element) => element.depth === 0 && element.tag === tag)?.value;
}

function transferSyntaxOf(file: string): string {
  const line = runDcmdump(file, ['-q', '-M', '+P', '0002,0010', '-Un']).trim();
  const match = /\[(.*)\]/.exec(line);
  if (!match) throw new Error(`no transfer syntax in ${line}`);
  return (match[1] as string).replace(/\0/g, '');
}

/** Fill of the decoded samples' colour space: black. */
function fillOf(photometric: string): readonly number[] {
  return photometric === 'RGB' ? [0, 0, 0] : photometric.startsWith('YBR') ? [0, 128, 128] : [0];
}

function sampleOf(frame: Buffer, image: ImagePixels, index: number): number {
  return image.bitsAllocated === 16 ? frame.readUInt16LE(index * 2) : (frame[index] as number);
}

/** Every sample: the fill where `blanked`, the input's decoding elsewhere; `skip` leaves pixels unchecked (JPEG's chroma border). */
function firstWrongSample(before: NativeImage, after: NativeImage, blanked: (row: number, column: number) => boolean, skip: (row: number, column: number) => boolean = () => false): string | undefined {
  const { rows, columns, samplesPerPixel } = after.image;
  const fill = fillOf(after.image.photometric);
  let changed = 0;
  for (let frame = 0; frame < after.frames.length; frame++) {
    const [was, now] = [before.frames[frame] as Buffer, after.frames[frame] as Buffer];
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        if (skip(row, column)) continue;
        const inside = blanked(row, column);
        for (let sample = 0; sample < samplesPerPixel; sample++) {
          const index = (row * columns + column) * samplesPerPixel + sample;
          const actual = sampleOf(now, after.image, index);
          const expected = inside ? (fill[sample] as number) : sampleOf(was, before.image, index);
          if (actual !== expected) return `frame ${frame}, row ${row}, column ${column}, sample ${sample}: ${actual} instead of ${expected} (${inside ? 'blanked' : 'kept'})`;
          if (inside && sampleOf(was, before.image, index) !== expected) changed++;
        }
      }
    }
  }
  return changed === 0 ? 'nothing inside the regions changed' : undefined;
}

/** The MCU size of a JPEG frame, from its SOF's largest sampling factors. */
function mcuSize(frame: Uint8Array): { width: number; height: number; subsampled: boolean } {
  for (let at = 2; at + 4 < frame.length; ) {
    const marker = frame[at + 1] as number;
    const length = ((frame[at + 2] as number) << 8) | (frame[at + 3] as number);
    if (marker >= 0xc0 && marker <= 0xc3) {
      const components = frame[at + 9] as number;
      let [h, v, minH, minV] = [1, 1, 4, 4];
      for (let c = 0; c < components; c++) {
        const factors = frame[at + 11 + 3 * c] as number;
        h = Math.max(h, factors >> 4);
        v = Math.max(v, factors & 15);
        minH = Math.min(minH, factors >> 4);
        minV = Math.min(minV, factors & 15);
      }
      return { width: 8 * h, height: 8 * v, subsampled: components > 1 && (minH < h || minV < v) };
    }
    at += 2 + length;
  }
  throw new Error('no SOF in the JPEG frame');
}

/** Pixels in an MCU that holds a blanked pixel: the JPEG blanker fills whole MCUs. */
function touchedMcus(image: ImagePixels, mcu: { width: number; height: number }, blanked: (row: number, column: number) => boolean): (row: number, column: number) => boolean {
  const across = Math.ceil(image.columns / mcu.width);
  const touched = new Set<number>();
  for (let row = 0; row < image.rows; row++) for (let column = 0; column < image.columns; column++) if (blanked(row, column)) touched.add(Math.floor(row / mcu.height) * across + Math.floor(column / mcu.width));
  return (row, column) => touched.has(Math.floor(row / mcu.height) * across + Math.floor(column / mcu.width));
}

/** A pixel next to one of the other kind (touched or not): subsampled chroma blends both there (1 px). */
function nearBoundary(image: ImagePixels, touched: (row: number, column: number) => boolean): (row: number, column: number) => boolean {
  return (row, column) => {
    const own = touched(row, column);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const [y, x] = [row + dy, column + dx];
        if (y >= 0 && x >= 0 && y < image.rows && x < image.columns && touched(y, x) !== own) return true;
      }
    }
    return false;
  };
}

/** The Basic Offset Table and the fragments' lengths of an encapsulated Pixel Data, as dcmdump +W writes its items (one file each, numbered). */
function pixelItems(file: string): { table: number[]; fragments: number[] } {
  const dir = mkdtempSync(path.join(root, 'items-'));
  runDcmdump(file, ['-q', '+W', dir]);
  const items = readdirSync(dir)
    .map((name) => ({ index: Number(/\.(\d+)\.raw$/.exec(name)?.[1]), bytes: readFileSync(path.join(dir, name)) }))
    .sort((a, b) => a.index - b.index);
  const [table, ...fragments] = items.map((item) => item.bytes);
  if (table === undefined) throw new Error('no pixel items');
  return { table: Array.from({ length: table.length / 4 }, (_, index) => table.readUInt32LE(4 * index)), fragments: fragments.map((fragment) => fragment.length) };
}

/** One fragment per frame, and each Basic Offset Table entry where its frame's item starts (decoders that split by markers would not notice). */
function expectOffsetTable(file: string, frames: number): void {
  const { table, fragments } = pixelItems(file);
  expect(fragments).toHaveLength(frames);
  expect(table).toEqual(fragments.map((_, index) => fragments.slice(0, index).reduce((sum, length) => sum + 8 + length, 0)));
}

/** Tesseract's reading of one frame (scaled up so a 14 px font reads), as upper-case letters and digits. */
function ocrText(decoded: NativeImage, dir: string, name: string): string {
  const { rows, columns, samplesPerPixel } = decoded.image;
  const frame = decoded.frames[0] as Buffer;
  const count = rows * columns * samplesPerPixel;
  let samples: Uint8Array;
  if (decoded.image.bitsAllocated === 16) {
    const wide = Uint16Array.from({ length: count }, (_, index) => frame.readUInt16LE(index * 2));
    samples = eightBitSamples({ width: columns, height: rows, channels: 1, bitsAllocated: 16, samples: wide, words: [] });
  } else samples = frame;
  const scale = columns < 600 ? 3 : 1;
  const png = new PNG({ width: columns * scale, height: rows * scale });
  for (let y = 0; y < rows * scale; y++) {
    for (let x = 0; x < columns * scale; x++) {
      const source = (Math.floor(y / scale) * columns + Math.floor(x / scale)) * samplesPerPixel;
      const target = (y * columns * scale + x) * 4;
      for (let c = 0; c < 3; c++) png.data[target + c] = samples[source + (samplesPerPixel === 3 ? c : 0)] as number;
      png.data[target + 3] = 255;
    }
  }
  const file = path.join(dir, `${name}.png`);
  writeFileSync(file, PNG.sync.write(png));
  return execFileSync('tesseract', [file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

function pixelDataMd5(file: string): string {
  const element = readDicomFile(file).dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (!element) throw new Error('no Pixel Data');
  return createHash('md5').update(readFileSync(file).subarray(element.valueOffset, element.end)).digest('hex');
}

describe('clean-pixel-data across transfer syntaxes, checked by independent decoders', () => {
  it.each(CASES.map((entry) => ({ ...entry, title: `${entry.scene} in ${entry.encoding.name}` })))('$title', async ({ scene: sceneName, encoding }) => {
    const scene = sceneNamed(sceneName);
    const dir = caseDir();
    const input = await encoded(scene, encoding, dir);
    expect(transferSyntaxOf(input)).toBe(encoding.transferSyntax);
    const options = sceneName.startsWith('ct') ? { ...CLEAN, pixelRegions: siteList } : CLEAN;
    const { output } = await anonymizeOne(input, path.join(dir, 'out'), options, keys);

    expect(transferSyntaxOf(output)).toBe(encoding.outputSyntax ?? encoding.transferSyntax);
    expect(valueOf(output, LOSSY_IMAGE_COMPRESSION)).toBe(valueOf(input, LOSSY_IMAGE_COMPRESSION));
    expect(valueOf(output, BURNED_IN_ANNOTATION)).toBe('NO');
    expect(deidMethodCodes(output)).toContain('113101');

    const before = decodedByTools(input, path.join(dir, 'input-decoded.dcm'));
    const after = decodedByTools(output, path.join(dir, 'output-decoded.dcm'));
    expect(after.frames).toHaveLength(scene.frames.length);
    expect(after.image.frames).toBe(scene.frames.length);
    if (encoding === JPEG_BASELINE) {
      const mcu = mcuSize(encodedFrames(output)[0] as Uint8Array);
      const touched = touchedMcus(after.image, mcu, scene.blanked);
      const mixed = nearBoundary(after.image, touched);
      expect(firstWrongSample(before, after, touched, mcu.subsampled ? mixed : undefined)).toBeUndefined();
    } else {
      expect(firstWrongSample(before, after, scene.blanked)).toBeUndefined();
    }

    const encapsulated = encoding !== DEFLATED && encoding !== BIG_ENDIAN;
    if (encapsulated) {
      expectOffsetTable(output, scene.frames.length);
    }

    const seen = ocrText(before, dir, 'input');
    const read = ocrText(after, dir, 'output');
    for (const word of scene.planted) {
      expect(seen, `${word} on the input`).toContain(word);
      expect(read, `${word} on the output`).not.toContain(word);
    }
  });

  it('keeps the encapsulated Pixel Data of an image that is not at risk byte for byte', async () => {
    const dir = caseDir();
    const native = path.join(dir, 'ct.dcm');
    const frame = ctScene({ seed: 3 });
    writeNativeDicom(native, {
      rows: frame.height,
      columns: frame.width,
      bitsAllocated: 16,
      bitsStored: 12,
      pixelBytes: Buffer.from((frame.samples as Uint16Array).buffer),
      modality: 'CT',
      sopClassUid: CT_IMAGE,
      attributes: [{ tag: BURNED_IN_ANNOTATION, vr: 'CS', value: 'NO' }],
    });
    for (const encoding of [RLE_ENCODING, JPEG_LS, JPEG_70, J2K]) {
      const input = path.join(dir, `ct.${encoding.name}.dcm`);
      if (encoding.tool === 'gdcmconv') execFileSync('gdcmconv', [...encoding.args, native, input]);
      else compressWith(encoding.tool as 'dcmcrle', encoding.args, native, input);
      const { output, record } = await anonymizeOne(input, path.join(dir, encoding.name), CLEAN, keys);
      expect(pixelDataMd5(output)).toBe(pixelDataMd5(input));
      expect(transferSyntaxOf(output)).toBe(encoding.transferSyntax);
      expect(record).not.toHaveProperty('pixelCleaning');
    }
  });
});

/** A CTP pixel script for the CLI and the daemon: the corpus's 12-bit CT, by modality. */
function siteScript(dir: string): string {
  const script = path.join(dir, 'site.script');
  writeFileSync(script, '{ Modality.equals("CT") }\n  (0,0,100,20)\n');
  return script;
}

const CT_JPEG_12_BIT = path.join(corpusDir, 'dicomparser_CT0012.fragmented_no_bot_jpeg_baseline.51.dcm');
const TWELVE_BIT_REFUSAL = 'may carry burned-in text (Burned In Annotation is YES): refused, as its pixels cannot be cleaned (the JPEG frame has 12-bit samples, which the JPEG decoder cannot read (8-bit only), so its pixels cannot be blanked); --burned-in accept passes it as it is';

/** The corpus's 12-bit JPEG CT, made at risk (Burned In Annotation YES) by our writer. */
async function atRiskTwelveBit(dir: string): Promise<string> {
  const target = path.join(dir, 'ct-jpeg-12-bit.dcm');
  await writeDicomFile(readDicomFile(CT_JPEG_12_BIT), new Map([[BURNED_IN_ANNOTATION, { op: 'set' as const, value: 'YES' }]]), target);
  return target;
}

describe('clean-pixel-data refuses what it cannot clean, with the reason', () => {
  const cli = (dir: string, args: readonly string[]) => runCli(['anonymize', ...args, '--out', path.join(dir, 'out'), '--option', 'clean-pixel-data'], { env: { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET } });

  it('refuses a video image', () => {
    const dir = caseDir();
    const input = path.join(dir, 'video.dcm');
    const frame = sceneNamed('us-rgb').frames[0] as TextImage;
    writeNativeDicom(input, { rows: frame.height, columns: frame.width, samplesPerPixel: 3, bitsAllocated: 8, pixelBytes: frame.samples as Uint8Array, modality: 'ES', sopClassUid: VIDEO_ENDOSCOPIC });
    const result = cli(dir, [input]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`dicom-tools: ${input}: may carry burned-in text (video): refused, as its pixels cannot be cleaned (video); --burned-in accept passes it as it is\n`);
  });

  it('refuses an MPEG-2 image, though its ultrasound region says where the text is', async () => {
    const dir = caseDir();
    const input = path.join(dir, 'mpeg2.dcm');
    // A sequence header start code: what an MPEG-2 stream begins with; no decoder gets that far.
    const stream = Uint8Array.from([0x00, 0x00, 0x01, 0xb3, 0x14, 0x00, 0xf0, 0x13]);
    await writeDicomFile(readDicomFile(sceneNamed('us-rgb').native), new Map([[PIXEL_DATA, { op: 'encapsulated' as const, value: encapsulatedValue([stream], false) }]]), input, {
      metaEdits: new Map([[TRANSFER_SYNTAX_UID, { op: 'set' as const, vr: 'UI' as const, value: MPEG2 }]]),
    });
    const result = cli(dir, [input]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`dicom-tools: ${input}: may carry burned-in text (ultrasound): refused, as its pixels cannot be cleaned (no codec reads MPEG2 Main Profile / Main Level pixel data); --burned-in accept passes it as it is\n`);
  });

  it('refuses a 12-bit JPEG image its site list entry is for: the JPEG decoder reads 8 bits only', async () => {
    const dir = caseDir();
    const input = await atRiskTwelveBit(dir);
    const result = cli(dir, [input, '--pixel-regions', siteScript(dir)]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`dicom-tools: ${input}: ${TWELVE_BIT_REFUSAL}\n`);
  });
});

describe("the corpus's ultrasound files", () => {
  const IM00001 = path.join(corpusDir, 'dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm');
  const PALETTE = path.join(corpusDir, 'dcm4che_US-PAL-8-10x-echo.dcm');

  it('blanks the header band of a multi-frame JPEG baseline ultrasound in every frame, as dcmdjpeg decodes it', async () => {
    const dir = caseDir();
    const { output } = await anonymizeOne(IM00001, dir, CLEAN, keys);
    const before = decodedByTools(IM00001, path.join(dir, 'input-decoded.dcm'));
    const after = decodedByTools(output, path.join(dir, 'output-decoded.dcm'));
    expect(after.frames.length).toBe(before.frames.length);
    expect(after.frames.length).toBeGreaterThan(1);
    // The regions start at row 16 (an MCU boundary): rows 0 to 14 lie wholly in blanked MCUs, row 15 may blend chroma with row 16.
    const band = 15 * after.image.columns * after.image.samplesPerPixel;
    after.frames.forEach((frame, index) => {
      expect(frame.subarray(0, band).some((sample) => sample !== 0), `frame ${index}`).toBe(false);
      expect((before.frames[index] as Buffer).subarray(0, band).some((sample) => sample > 16), `frame ${index} of the input`).toBe(true);
    });
    expectOffsetTable(output, after.frames.length);
  });

  it('refuses the palette ultrasound without a site list, and blanks it to index 0 with one', async () => {
    const dir = caseDir();
    const refused = runCli(['anonymize', PALETTE, '--out', path.join(dir, 'out'), '--option', 'clean-pixel-data'], { env: { DICOM_DATA_DIR: path.join(dir, 'data'), DICOM_ANON_SECRET: SECRET } });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`dicom-tools: ${PALETTE}: may carry burned-in text (ultrasound): refused, as no known region matches this device and size`);
    const list: RegionList = { name: 'palette-site', entries: [{ where: 'line 1', label: '', match: { tag: 0x00080070, test: 'equals', value: 'ACME Products' }, regions: [[0, 0, 600, 40]] }] };
    const { output } = await anonymizeOne(PALETTE, dir, { ...CLEAN, pixelRegions: list }, keys);
    expect(transferSyntaxOf(output)).toBe(RLE);
    const before = decodedByTools(PALETTE, path.join(dir, 'input-decoded.dcm'));
    const after = decodedByTools(output, path.join(dir, 'output-decoded.dcm'));
    expect(after.image.photometric).toBe('PALETTE COLOR');
    expect(after.frames).toHaveLength(10);
    expect(firstWrongSample(before, after, (row) => row < 40)).toBeUndefined();
  });
});

describe('the watch daemon with clean-pixel-data and a site list', () => {
  const running: DaemonProcess[] = [];
  afterAll(() => killLeftRunning(running));

  it('quarantines a 12-bit JPEG image with the reason', async () => {
    const base = path.join(root, 'daemon');
    mkdirSync(base, { recursive: true });
    const input = await atRiskTwelveBit(base);
    const setup = daemonCase(base, SECRET, { DICOM_PROFILE_OPTIONS: 'clean-pixel-data', DICOM_PIXEL_REGIONS: siteScript(base) });
    copyFileSync(input, path.join(setup.sources, 'ct.dcm'));
    running.push(startDaemon(setup.sources, setup.env));
    await waitUntil(() => filesBelow(setup.quarantine).some((name) => name.endsWith('.reason.txt')), 'the 12-bit image quarantined');
    const reason = filesBelow(setup.quarantine).find((name) => name.endsWith('.reason.txt')) ?? '';
    expect(readFileSync(path.join(setup.quarantine, reason), 'utf8')).toContain(TWELVE_BIT_REFUSAL);
    expect(filesBelow(setup.sources)).toEqual([]);
  });
});
