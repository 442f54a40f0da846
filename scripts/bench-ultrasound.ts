// W4 of `npm run bench`: ultrasound files for `anonymize --option clean-pixel-data`, half native
// RGB, half JPEG Baseline made by DCMTK's dcmcjpeg, one in ten of each with ten frames. One native
// frame and one JPEG frame are made once and their bytes reused: only the headers differ from file
// to file (patient, UIDs), so generating 500 files takes seconds, not minutes.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { encodeHeader, encodeMarker } from '../src/dicom/encode-value.js';
import { encodeNew } from '../src/dicom/encode-element.js';
import { elementAt, textAt } from '../src/dicom/element-access.js';
import { readDicomFile } from '../src/dicom/read-file.js';
import { ITEM, PIXEL_DATA, SEQUENCE_DELIMITATION, type Tag } from '../src/dicom/tag.js';
import type { Vr } from '../src/dicom/vr.js';

export const US_ROWS = 720;
export const US_COLUMNS = 960;
/** Rows 0 to 59 hold the machine's text; the one ultrasound region starts below them. */
export const US_HEADER_ROWS = 60;
const MULTI_FRAMES = 10;
const FRAME_BYTES = US_ROWS * US_COLUMNS * 3;
const NATIVE_SYNTAX = '1.2.840.10008.1.2.1';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const US_MULTIFRAME_IMAGE = '1.2.840.10008.5.1.4.1.1.3.1';
const EXPLICIT = { explicitVr: true, littleEndian: true } as const;
const el = (tag: Tag, vr: Vr, value: Parameters<typeof encodeNew>[2]) => encodeNew(tag, vr, value, { encoding: EXPLICIT, characterSet: ['ISO_IR 100'] });

/** The two frames every file reuses, and what the JPEG one's header must say about it. */
export interface UltrasoundFrames {
  /** RGB, interleaved by pixel. */
  readonly native: Buffer;
  /** One JPEG Baseline stream, SOI … EOI, padded to even length. */
  readonly jpeg: Buffer;
  /** As dcmcjpeg wrote it for the JPEG stream (YBR_FULL_422). */
  readonly jpegPhotometric: string;
}

export interface UltrasoundSet {
  readonly files: number;
  readonly bytes: number;
  readonly nativeFiles: number;
  readonly frames: UltrasoundFrames;
}

/**
 * An ultrasound-like RGB frame: a dark header band with bright bars where a scanner writes its
 * text (two lines of word-sized bars), and a fan of speckle below it, black outside the fan.
 */
export function ultrasoundFrame(): Buffer {
  const frame = Buffer.alloc(FRAME_BYTES);
  let state = 12345;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 4294967296);
  for (let y = 0; y < US_ROWS; y++) {
    for (let x = 0; x < US_COLUMNS; x++) {
      const at = (y * US_COLUMNS + x) * 3;
      if (y < US_HEADER_ROWS) {
        // Lines at rows 10-27 and 34-51; "words" of 2-px strokes, 90 px long, 30 px apart.
        const inLine = (y >= 10 && y < 28) || (y >= 34 && y < 52);
        const ink = inLine && x % 120 < 90 && x % 4 < 2;
        frame.set(ink ? [235, 235, 200] : [12, 12, 16], at);
        continue;
      }
      const depth = y - US_HEADER_ROWS;
      if (Math.abs(x - US_COLUMNS / 2) > depth * 0.7 + US_COLUMNS * 0.05) continue;
      const grey = Math.min(255, Math.round(40 + (depth / US_ROWS) * 120 + random() * 70));
      frame.set([grey, grey, Math.min(255, grey + 6)], at);
    }
  }
  return frame;
}

/** The native frame, and its JPEG Baseline encoding by `dcmcjpeg +eb` from a one-frame native file in `work`. */
export function ultrasoundFrames(work: string): UltrasoundFrames {
  mkdirSync(work, { recursive: true });
  const native = ultrasoundFrame();
  const source = path.join(work, 'native-template.dcm');
  const encoded = path.join(work, 'jpeg-template.dcm');
  writeFileSync(source, Buffer.concat([usHeader({ index: 1, patient: 0, frames: 1, jpeg: false, photometric: 'RGB' }), nativePixelData(native, 1)]));
  const run = spawnSync('dcmcjpeg', ['+eb', source, encoded], { encoding: 'utf8' });
  if (run.error !== undefined || run.status !== 0) throw new Error(`W4: dcmcjpeg could not make the JPEG frame (DCMTK is needed): ${run.error?.message ?? run.stderr}`);
  const file = readDicomFile(encoded);
  const fragment = elementAt(file, [], PIXEL_DATA)?.fragments?.[1];
  if (fragment === undefined) throw new Error('W4: dcmcjpeg wrote no JPEG fragment');
  const jpeg = readFileSync(encoded).subarray(fragment.valueOffset, fragment.valueOffset + fragment.valueLength);
  return { native, jpeg, jpegPhotometric: textAt(file, [], 0x00280004)[0] ?? 'YBR_FULL_422' };
}

interface HeaderFields {
  readonly index: number;
  readonly patient: number;
  readonly frames: number;
  readonly jpeg: boolean;
  readonly photometric: string;
}

/** A realistic ultrasound header: patient, study, institution, one ultrasound region below the text band. */
function usHeader({ index, patient, frames, jpeg, photometric }: HeaderFields): Buffer {
  const root = '1.2.826.0.1.3680043.10.543.4';
  const sopClass = frames > 1 ? US_MULTIFRAME_IMAGE : US_IMAGE;
  const sop = `${root}.${patient}.${jpeg ? 2 : 1}.${index}`;
  const meta = Buffer.concat([
    el(0x00020001, 'OB', Uint8Array.of(0, 1)),
    el(0x00020002, 'UI', sopClass),
    el(0x00020003, 'UI', sop),
    el(0x00020010, 'UI', jpeg ? JPEG_BASELINE : NATIVE_SYNTAX),
    el(0x00020012, 'UI', '1.2.826.0.1.3680043.10.543'),
    el(0x00020016, 'AE', 'US_SCANNER_3'),
  ]);
  const region = [
    { tag: 0x00186012, vr: 'US' as Vr, value: [1] },
    { tag: 0x00186014, vr: 'US' as Vr, value: [1] },
    { tag: 0x00186016, vr: 'UL' as Vr, value: [0] },
    { tag: 0x00186018, vr: 'UL' as Vr, value: [0] },
    { tag: 0x0018601a, vr: 'UL' as Vr, value: [US_HEADER_ROWS] },
    { tag: 0x0018601c, vr: 'UL' as Vr, value: [US_COLUMNS - 1] },
    { tag: 0x0018601e, vr: 'UL' as Vr, value: [US_ROWS - 1] },
    { tag: 0x00186024, vr: 'US' as Vr, value: [3] },
    { tag: 0x00186026, vr: 'US' as Vr, value: [3] },
    { tag: 0x0018602c, vr: 'FD' as Vr, value: [0.0245] },
    { tag: 0x0018602e, vr: 'FD' as Vr, value: [0.0245] },
  ];
  const dataSet = Buffer.concat([
    el(0x00080005, 'CS', 'ISO_IR 100'),
    el(0x00080008, 'CS', ['ORIGINAL', 'PRIMARY', 'ABDOMINAL']),
    el(0x00080012, 'DA', '20240611'),
    el(0x00080016, 'UI', sopClass),
    el(0x00080018, 'UI', sop),
    el(0x00080020, 'DA', '20240611'),
    el(0x00080030, 'TM', '101500'),
    el(0x00080050, 'SH', `ACC${String(patient).padStart(8, '0')}`),
    el(0x00080060, 'CS', 'US'),
    el(0x00080070, 'LO', 'Bench Medical Systems'),
    el(0x00080080, 'LO', 'St. Example Hospital'),
    el(0x00080081, 'ST', '1 Hospital Road, Exampletown'),
    el(0x00080090, 'PN', 'Referrer^Rita^^Dr.'),
    el(0x00081010, 'SH', 'USROOM3'),
    el(0x00081030, 'LO', 'US ABDOMEN'),
    el(0x00081070, 'PN', 'Sonographer^Sara'),
    el(0x00081090, 'LO', 'BenchSono 3'),
    el(0x00100010, 'PN', `Patient${patient}^Bench^Middle`),
    el(0x00100020, 'LO', `PID-${String(patient).padStart(7, '0')}`),
    el(0x00100030, 'DA', '19620304'),
    el(0x00100040, 'CS', 'F'),
    el(0x00101040, 'LO', '22 Example Street, Exampletown'),
    ...(frames > 1 ? [el(0x00181063, 'DS', '33.3')] : []),
    el(0x00186011, 'SQ', { items: [region] }),
    el(0x0020000d, 'UI', `${root}.${patient}`),
    el(0x0020000e, 'UI', `${root}.${patient}.${jpeg ? 2 : 1}`),
    el(0x00200010, 'SH', `S${patient}`),
    el(0x00200011, 'IS', jpeg ? '2' : '1'),
    el(0x00200013, 'IS', String(index)),
    el(0x00280002, 'US', [3]),
    el(0x00280004, 'CS', photometric),
    el(0x00280006, 'US', [0]),
    ...(frames > 1 ? [el(0x00280008, 'IS', String(frames)), el(0x00280009, 'AT', [0x00181063])] : []),
    el(0x00280010, 'US', [US_ROWS]),
    el(0x00280011, 'US', [US_COLUMNS]),
    el(0x00280100, 'US', [8]),
    el(0x00280101, 'US', [8]),
    el(0x00280102, 'US', [7]),
    el(0x00280103, 'US', [0]),
    el(0x00280301, 'CS', 'YES'),
    ...(jpeg ? [el(0x00282110, 'CS', '01'), el(0x00282114, 'CS', 'ISO_10918_1')] : []),
  ]);
  const groupLength = el(0x00020000, 'UL', [meta.length]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, dataSet]);
}

function nativePixelData(frame: Buffer, frames: number): Buffer {
  return Buffer.concat([encodeHeader(PIXEL_DATA, 'OB', frame.length * frames, EXPLICIT), ...Array.from({ length: frames }, () => frame)]);
}

/** Encapsulated Pixel Data: a Basic Offset Table, one fragment per frame, the delimiter. */
function jpegPixelData(jpeg: Buffer, frames: number): Buffer {
  const table = Buffer.alloc(4 * frames);
  for (let frame = 0; frame < frames; frame++) table.writeUInt32LE(frame * (8 + jpeg.length), 4 * frame);
  const fragments = Array.from({ length: frames }, () => [encodeMarker(ITEM, jpeg.length, true), jpeg]).flat();
  return Buffer.concat([encodeHeader(PIXEL_DATA, 'OB', 0xffffffff, EXPLICIT), encodeMarker(ITEM, table.length, true), table, ...fragments, encodeMarker(SEQUENCE_DELIMITATION, 0, true)]);
}

/**
 * Writes `files` ultrasound files into `dir`: odd ones native, even ones JPEG Baseline, every
 * tenth of each kind with ten frames; forty patients, as in W1 and W2.
 */
export function generateUltrasound(dir: string, work: string, files: number): UltrasoundSet {
  const frames = ultrasoundFrames(work);
  const jpeg = frames.jpeg.length % 2 === 0 ? frames.jpeg : Buffer.concat([frames.jpeg, Buffer.alloc(1)]);
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  let nativeFiles = 0;
  for (let index = 1; index <= files; index++) {
    const isJpeg = index % 2 === 0;
    const count = Math.floor((index - 1) / 2) % 10 === 9 ? MULTI_FRAMES : 1;
    const file = path.join(dir, `US${String(index).padStart(5, '0')}`);
    const head = usHeader({ index, patient: index % 40, frames: count, jpeg: isJpeg, photometric: isJpeg ? frames.jpegPhotometric : 'RGB' });
    const fd = openSync(file, 'w');
    writeSync(fd, head);
    if (isJpeg) writeSync(fd, jpegPixelData(jpeg, count));
    else {
      writeSync(fd, encodeHeader(PIXEL_DATA, 'OB', FRAME_BYTES * count, EXPLICIT));
      for (let frame = 0; frame < count; frame++) writeSync(fd, frames.native);
      nativeFiles++;
    }
    closeSync(fd);
    bytes += statSync(file).size;
  }
  return { files, bytes, nativeFiles, frames: { ...frames, jpeg } };
}

const DEID_METHOD_CODES: Tag = 0x00120064;
const CODE_VALUE: Tag = 0x00080100;
const BURNED_IN_ANNOTATION: Tag = 0x00280301;

/**
 * Checks W4's outputs: every one claims Clean Pixel Data (113101) and says Burned In Annotation
 * NO, keeps its transfer syntax, and lost the identity; each native one's first frame is 0 in the
 * header band and the template frame in the region (the text went, the image stayed).
 */
export function checkUltrasoundOutputs(set: UltrasoundSet, outDir: string): string {
  const outputs = readdirSync(outDir).filter((name) => name.endsWith('.dcm'));
  if (outputs.length !== set.files) throw new Error(`W4: ${outputs.length} outputs for ${set.files} inputs`);
  const band = US_HEADER_ROWS * US_COLUMNS * 3;
  const frame = Buffer.allocUnsafe(FRAME_BYTES);
  let native = 0;
  for (const name of outputs) {
    const file = path.join(outDir, name);
    const parsed = readDicomFile(file);
    const items = elementAt(parsed, [], DEID_METHOD_CODES)?.items ?? [];
    const codes = items.map((_, item) => textAt(parsed, [{ tag: DEID_METHOD_CODES, item }], CODE_VALUE)[0]);
    if (!codes.includes('113101')) throw new Error(`W4: ${name} does not claim Clean Pixel Data (113101)`);
    if (textAt(parsed, [], BURNED_IN_ANNOTATION)[0] !== 'NO') throw new Error(`W4: ${name} does not say Burned In Annotation NO`);
    if (!(textAt(parsed, [], 0x00100020)[0] ?? '').startsWith('ANON-')) throw new Error(`W4: no pseudonym in ${name}`);
    const head = readFileSync(file).subarray(0, Math.min(64 * 1024, parsed.size)).toString('latin1');
    if (/Patient\d+|PID-\d|St\. Example|Exampletown|ACC\d{8}/.test(head)) throw new Error(`W4: identity left in ${name}`);
    const syntax = parsed.transferSyntax.uid;
    if (syntax === JPEG_BASELINE) continue;
    if (syntax !== NATIVE_SYNTAX) throw new Error(`W4: ${name} was written in ${syntax}, not in its input's transfer syntax`);
    const pixels = elementAt(parsed, [], PIXEL_DATA);
    if (pixels === undefined || pixels.valueLength < FRAME_BYTES) throw new Error(`W4: ${name} has no whole native frame`);
    const fd = openSync(file, 'r');
    readSync(fd, frame, 0, FRAME_BYTES, pixels.valueOffset);
    closeSync(fd);
    if (frame.subarray(0, band).some((sample) => sample !== 0)) throw new Error(`W4: the header band of ${name}'s first frame is not 0`);
    if (!frame.subarray(band).equals(set.frames.native.subarray(band))) throw new Error(`W4: ${name}'s first frame changed inside the ultrasound region`);
    native++;
  }
  if (native !== set.nativeFiles) throw new Error(`W4: ${native} native outputs for ${set.nativeFiles} native inputs`);
  return `${outputs.length} outputs verified: 113101 and Burned In Annotation NO in all, header band 0 and region unchanged in the ${native} native ones, identity removed`;
}
