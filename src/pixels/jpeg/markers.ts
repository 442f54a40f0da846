import { MalformedDicomError, UnsupportedDicomError } from '../../dicom/errors.js';

/** Marker codes (ITU-T T.81 Table B.1) that the block blanker handles by name. */
export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const DQT = 0xdb;
export const DNL = 0xdc;
export const DRI = 0xdd;
export const DHT = 0xc4;
export const COM = 0xfe;
export const RST0 = 0xd0;

/**
 * One marker segment of a JPEG stream: `start` is the offset of its 0xFF, `end` the offset after its
 * parameters. A scan (SOS) also has the extent of its entropy-coded data, RST markers included.
 */
export interface JpegSegment {
  readonly marker: number;
  readonly start: number;
  readonly end: number;
  readonly entropyEnd?: number;
}

/** Markers without a length: SOI, EOI, RSTn, TEM. */
function standalone(marker: number): boolean {
  return marker === SOI || marker === EOI || (marker >= RST0 && marker <= RST0 + 7) || marker === 0x01;
}

/**
 * The segments of a JPEG interchange stream from SOI up to EOI (or the end of the bytes: a frame
 * without EOI still parses, and its scan data then runs to the end).
 *
 * @throws MalformedDicomError when the stream does not start with SOI or a segment runs past the end.
 */
export function jpegSegments(bytes: Uint8Array): JpegSegment[] {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) throw new MalformedDicomError('the JPEG frame does not start with an SOI marker');
  const segments: JpegSegment[] = [{ marker: SOI, start: 0, end: 2 }];
  let at = 2;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) throw new MalformedDicomError(`the JPEG frame has no marker where one must start (frame byte ${at})`);
    // Any number of 0xFF fill bytes may precede a marker (T.81 B.1.1.2).
    let next = at + 1;
    while (next < bytes.length && bytes[next] === 0xff) next++;
    if (next >= bytes.length) break;
    const marker = bytes[next]!;
    const start = next - 1;
    if (standalone(marker)) {
      segments.push({ marker, start, end: next + 1 });
      if (marker === EOI) break;
      at = next + 1;
      continue;
    }
    if (next + 2 >= bytes.length) throw new MalformedDicomError(`the JPEG frame ends inside a marker segment (frame byte ${start})`);
    const end = next + 1 + ((bytes[next + 1]! << 8) | bytes[next + 2]!);
    if (end > bytes.length || end < next + 3) throw new MalformedDicomError(`a JPEG marker segment runs past the end of the frame (frame byte ${start})`);
    if (marker !== SOS) {
      segments.push({ marker, start, end });
      at = end;
      continue;
    }
    const entropyEnd = entropyDataEnd(bytes, end);
    segments.push({ marker, start, end, entropyEnd });
    at = entropyEnd;
  }
  return segments;
}

/** Where a scan's entropy-coded data ends: at the first marker that is neither a stuffed 0xFF00 nor RSTn. */
function entropyDataEnd(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    at = bytes.indexOf(0xff, at);
    if (at < 0 || at + 1 >= bytes.length) return bytes.length;
    const next = bytes[at + 1]!;
    if (next === 0x00 || (next >= RST0 && next <= RST0 + 7) || next === 0xff) {
      at += next === 0xff ? 1 : 2;
      continue;
    }
    return at;
  }
}

/** A frame component (T.81 B.2.2): identifier, sampling factors and quantization table selector. */
export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
}

export interface FrameHeader {
  readonly marker: number;
  readonly precision: number;
  readonly lines: number;
  readonly samplesPerLine: number;
  readonly components: readonly FrameComponent[];
}

/**
 * The frame header, checked for what the blanker takes: Huffman sequential DCT (SOF0, SOF1) at 8
 * bits, 1 to 4 components, and a known number of lines (no DNL).
 *
 * @throws UnsupportedDicomError for any other process, precision or a zero line count.
 */
export function readFrameHeader(bytes: Uint8Array, segment: JpegSegment): FrameHeader {
  const { marker, start } = segment;
  const processes: Record<number, string> = { 0xc2: 'progressive', 0xc3: 'lossless', 0xc5: 'differential sequential', 0xc6: 'differential progressive', 0xc7: 'differential lossless' };
  if (marker >= 0xc9 && marker <= 0xcf) throw new UnsupportedDicomError('the JPEG frame is arithmetic-coded; only Huffman-coded sequential frames can be blanked block by block');
  if (marker !== 0xc0 && marker !== 0xc1) throw new UnsupportedDicomError(`the JPEG frame is ${processes[marker] ?? 'of an unknown process'}; only baseline and extended sequential frames can be blanked block by block`);
  if (segment.end - start < 10) throw new MalformedDicomError('the JPEG frame header is too short');
  const precision = bytes[start + 4]!;
  if (precision !== 8) throw new UnsupportedDicomError(`the JPEG frame has ${precision}-bit samples; only 8-bit sequential frames can be blanked block by block`);
  const lines = (bytes[start + 5]! << 8) | bytes[start + 6]!;
  const samplesPerLine = (bytes[start + 7]! << 8) | bytes[start + 8]!;
  const count = bytes[start + 9]!;
  if (lines === 0) throw new UnsupportedDicomError('the JPEG frame defines its number of lines later (DNL); it cannot be blanked block by block');
  if (samplesPerLine === 0 || count < 1 || count > 4 || segment.end - start !== 10 + 3 * count) throw new MalformedDicomError('the JPEG frame header is inconsistent');
  const components: FrameComponent[] = [];
  for (let index = 0; index < count; index++) {
    const at = start + 10 + 3 * index;
    const h = bytes[at + 1]! >> 4;
    const v = bytes[at + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new MalformedDicomError('a JPEG frame component has sampling factors out of range');
    components.push({ id: bytes[at]!, h, v, tq: bytes[at + 2]! });
  }
  return { marker, precision, lines, samplesPerLine, components };
}

/** A scan component: index into the frame's components and the DC/AC Huffman table selectors. */
export interface ScanComponent {
  readonly component: number;
  readonly td: number;
  readonly ta: number;
}

/**
 * The scan header's components. Sequential scans code all 64 coefficients at once (Ss=0, Se=63, Ah=Al=0).
 *
 * @throws MalformedDicomError for a component the frame lacks or a spectral selection sequential scans do not have.
 */
export function readScanHeader(bytes: Uint8Array, segment: JpegSegment, frame: FrameHeader): ScanComponent[] {
  const { start } = segment;
  const count = bytes[start + 4] ?? 0;
  if (count < 1 || count > 4 || segment.end - start !== 8 + 2 * count) throw new MalformedDicomError('the JPEG scan header is inconsistent');
  const components: ScanComponent[] = [];
  for (let index = 0; index < count; index++) {
    const at = start + 5 + 2 * index;
    const component = frame.components.findIndex((candidate) => candidate.id === bytes[at]);
    if (component < 0) throw new MalformedDicomError('a JPEG scan names a component the frame does not have');
    const [td, ta] = [bytes[at + 1]! >> 4, bytes[at + 1]! & 15];
    if (td > 3 || ta > 3) throw new MalformedDicomError('a JPEG scan selects a Huffman table beyond the four a frame may have');
    components.push({ component, td, ta });
  }
  const tail = start + 5 + 2 * count;
  if (bytes[tail] !== 0 || bytes[tail + 1] !== 63 || bytes[tail + 2] !== 0) throw new MalformedDicomError('a sequential JPEG scan does not code all 64 coefficients at once');
  return components;
}

/** Records each quantization table's first (DC) value from a DQT segment, by table id. */
export function readQuantizationDc(bytes: Uint8Array, segment: JpegSegment, into: Map<number, number>): void {
  let at = segment.start + 4;
  while (at < segment.end) {
    const precision = bytes[at]! >> 4;
    const id = bytes[at]! & 15;
    const size = precision === 0 ? 64 : 128;
    if (at + 1 + size > segment.end) throw new MalformedDicomError('a JPEG quantization table runs past its segment');
    into.set(id, precision === 0 ? bytes[at + 1]! : (bytes[at + 1]! << 8) | bytes[at + 2]!);
    at += 1 + size;
  }
}

/** One Huffman table as DHT carries it: class (0 DC, 1 AC), id, code counts per length 1..16, symbols. */
export interface HuffmanTableSpec {
  readonly tableClass: number;
  readonly id: number;
  readonly counts: Uint8Array;
  readonly symbols: Uint8Array;
}

/** The Huffman tables a DHT segment defines. */
export function readHuffmanTables(bytes: Uint8Array, segment: JpegSegment): HuffmanTableSpec[] {
  const tables: HuffmanTableSpec[] = [];
  let at = segment.start + 4;
  while (at < segment.end) {
    if (at + 17 > segment.end) throw new MalformedDicomError('a JPEG Huffman table runs past its segment');
    const counts = bytes.slice(at + 1, at + 17);
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (at + 17 + total > segment.end) throw new MalformedDicomError('a JPEG Huffman table runs past its segment');
    tables.push({ tableClass: bytes[at]! >> 4, id: bytes[at]! & 15, counts, symbols: bytes.slice(at + 17, at + 17 + total) });
    at += 17 + total;
  }
  return tables;
}

/** The restart interval a DRI segment sets, in MCUs (0: none). */
export function readRestartInterval(bytes: Uint8Array, segment: JpegSegment): number {
  if (segment.end - segment.start !== 6) throw new MalformedDicomError('the JPEG restart interval segment has the wrong length');
  return (bytes[segment.start + 4]! << 8) | bytes[segment.start + 5]!;
}
