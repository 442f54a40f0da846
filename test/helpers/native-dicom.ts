// Part 10 files in Explicit VR Little Endian, encoded element by element (one line each), for
// images drawn by the tests; and their compressed versions made by DCMTK's own encoders.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** An extra data-set element: strings for text VRs, numbers for US/UL/SS/SL. */
export interface ExtraAttribute {
  /** (gggg,eeee) as one number: 0x00100010. */
  readonly tag: number;
  readonly vr: string;
  readonly value: string | readonly number[];
}

export interface NativeDicomOptions {
  readonly rows: number;
  readonly columns: number;
  /** @default 1 */
  readonly samplesPerPixel?: 1 | 3;
  readonly bitsAllocated: 8 | 16;
  /** @default bitsAllocated */
  readonly bitsStored?: number;
  /** @default "MONOCHROME2" for one sample, "RGB" for three */
  readonly photometric?: string;
  /** @default 1 */
  readonly frames?: number;
  /** Every frame's samples, interleaved by pixel, little-endian. */
  readonly pixelBytes: Uint8Array;
  readonly modality: string;
  readonly sopClassUid: string;
  /** @default a UID under 2.25 made from the path's characters */
  readonly sopInstanceUid?: string;
  readonly patientName?: string;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly studyDate?: string;
  /** Added in tag order among the others; a tag given here replaces the default one. */
  readonly attributes?: readonly ExtraAttribute[];
}

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const ULTRASOUND_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
export const ULTRASOUND_MULTIFRAME = '1.2.840.10008.5.1.4.1.1.3.1';
const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const LONG_LENGTH = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

function valueBytes(vr: string, value: string | readonly number[]): Buffer {
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'latin1');
    return text.length % 2 === 0 ? text : Buffer.concat([text, Buffer.from(vr === 'UI' ? '\0' : ' ')]);
  }
  const width = vr === 'US' || vr === 'SS' ? 2 : 4;
  const bytes = Buffer.alloc(value.length * width);
  value.forEach((number, index) => {
    if (vr === 'US') bytes.writeUInt16LE(number, index * 2);
    else if (vr === 'SS') bytes.writeInt16LE(number, index * 2);
    else if (vr === 'SL') bytes.writeInt32LE(number, index * 4);
    else bytes.writeUInt32LE(number, index * 4);
  });
  return bytes;
}

function element(tag: number, vr: string, value: Uint8Array): Buffer {
  const long = LONG_LENGTH.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

function uidOf(seed: string): string {
  let hash = 0n;
  for (const char of seed) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 10n ** 30n;
  return `2.25.${hash.toString()}`;
}

/** Writes a valid Part 10 file (preamble, meta group with its length, data set in tag order) holding the image. */
export function writeNativeDicom(path: string, options: NativeDicomOptions): void {
  const samplesPerPixel = options.samplesPerPixel ?? 1;
  const bitsStored = options.bitsStored ?? options.bitsAllocated;
  const frames = options.frames ?? 1;
  const expected = options.rows * options.columns * samplesPerPixel * (options.bitsAllocated / 8) * frames;
  if (options.pixelBytes.length !== expected) throw new Error(`pixelBytes holds ${options.pixelBytes.length} bytes, the image needs ${expected}`);
  const sopInstanceUid = options.sopInstanceUid ?? uidOf(path);
  const attributes = new Map<number, { vr: string; value: string | readonly number[] }>([
    [0x00080016, { vr: 'UI', value: options.sopClassUid }],
    [0x00080018, { vr: 'UI', value: sopInstanceUid }],
    [0x00080020, { vr: 'DA', value: options.studyDate ?? '20240312' }],
    [0x00080060, { vr: 'CS', value: options.modality }],
    [0x00100010, { vr: 'PN', value: options.patientName ?? 'DOE^JANE' }],
    [0x00100020, { vr: 'LO', value: options.patientId ?? '12345678' }],
    [0x00100030, { vr: 'DA', value: options.patientBirthDate ?? '19640312' }],
    [0x0020000d, { vr: 'UI', value: uidOf(`${path}/study`) }],
    [0x0020000e, { vr: 'UI', value: uidOf(`${path}/series`) }],
    [0x00200013, { vr: 'IS', value: '1' }],
    [0x00280002, { vr: 'US', value: [samplesPerPixel] }],
    [0x00280004, { vr: 'CS', value: options.photometric ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2') }],
    [0x00280010, { vr: 'US', value: [options.rows] }],
    [0x00280011, { vr: 'US', value: [options.columns] }],
    [0x00280100, { vr: 'US', value: [options.bitsAllocated] }],
    [0x00280101, { vr: 'US', value: [bitsStored] }],
    [0x00280102, { vr: 'US', value: [bitsStored - 1] }],
    [0x00280103, { vr: 'US', value: [0] }],
  ]);
  if (samplesPerPixel === 3) attributes.set(0x00280006, { vr: 'US', value: [0] });
  if (frames > 1) attributes.set(0x00280008, { vr: 'IS', value: String(frames) });
  for (const extra of options.attributes ?? []) attributes.set(extra.tag, { vr: extra.vr, value: extra.value });

  const meta = Buffer.concat([
    element(0x00020001, 'OB', Buffer.from([0, 1])), // File Meta Information Version
    element(0x00020002, 'UI', valueBytes('UI', options.sopClassUid)), // Media Storage SOP Class UID
    element(0x00020003, 'UI', valueBytes('UI', sopInstanceUid)), // Media Storage SOP Instance UID
    element(0x00020010, 'UI', valueBytes('UI', EXPLICIT_LITTLE)), // Transfer Syntax UID
    element(0x00020012, 'UI', valueBytes('UI', '1.2.826.0.1.3680043.10.543.1')), // Implementation Class UID
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(meta.length);
  const dataSet = [...attributes].sort(([a], [b]) => a - b).map(([tag, { vr, value }]) => element(tag, vr, valueBytes(vr, value)));
  const pixels = options.pixelBytes.length % 2 === 0 ? options.pixelBytes : Buffer.concat([options.pixelBytes, Buffer.alloc(1)]);
  writeFileSync(path, Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    element(0x00020000, 'UL', groupLength), // File Meta Information Group Length
    meta,
    ...dataSet,
    element(0x7fe00010, options.bitsAllocated === 8 ? 'OB' : 'OW', pixels), // Pixel Data
  ]));
}

/**
 * Compresses `input` into `output` with one of DCMTK's encoders (dcmcjpeg, dcmcjpls, dcmcrle) and
 * its options (`+eb` baseline JPEG, `+el` lossless JPEG-LS, …). Throws with the tool's standard error.
 */
export function compressWith(tool: 'dcmcjpeg' | 'dcmcjpls' | 'dcmcrle', args: readonly string[], input: string, output: string): void {
  run(tool, [...args, input, output]);
}

function run(tool: string, args: readonly string[]): void {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.error) throw new Error(`cannot run ${tool} (install the Debian package dcmtk): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${[tool, ...args.slice(0, -2)].join(' ')} failed with exit code ${String(result.status)}: ${result.stderr.trim()}`);
}

/**
 * The native samples DCMTK reads from `input`, of any transfer syntax: decoded into a native file by
 * `decoder` (dcmdjpeg, dcmdjpls, dcmdrle; none for a native file), then written out by dcmdump +W,
 * which writes every binary value to its own file; the one of `bytes` bytes is the pixel data.
 */
export function pixelsByDcmtk(input: string, bytes: number, decoder?: 'dcmdjpeg' | 'dcmdjpls' | 'dcmdrle'): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'dicom-dcmtk-pixels-'));
  try {
    let native = input;
    if (decoder) {
      native = path.join(dir, 'native.dcm');
      run(decoder, [input, native]);
    }
    const raw = path.join(dir, 'raw');
    mkdirSync(raw);
    run('dcmdump', ['-q', '+W', raw, native]);
    const values = readdirSync(raw).map((entry) => readFileSync(path.join(raw, entry))).filter((buffer) => buffer.length === bytes);
    if (values.length !== 1) throw new Error(`dcmdump +W wrote ${values.length} values of ${bytes} bytes, not one`);
    return values[0] as Buffer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
