import { UnsupportedDicomError } from '../../dicom/errors.js';

// Marker codes of ISO/IEC 15444-1 Annex A (the same in High-Throughput JPEG 2000, Part 15).
const SOC = 0xff4f;
const SIZ = 0xff51;
const COD = 0xff52;
const QCD = 0xff5c;
const SOT = 0xff90;
const SOD = 0xff93;
const EOC = 0xffd9;
const CPRL = 4;

interface Segment {
  readonly marker: number;
  /** Offset of the marker's first byte. */
  readonly start: number;
  /** Offset just past the segment (marker, length and parameters). */
  readonly end: number;
}

/**
 * Whether a frame's codestream applies a multiple component transformation (COD's SGcod byte):
 * the decoders then give RGB whatever the file's Photometric Interpretation says. A frame in a JP2
 * wrapper, which some writers produce, is looked into.
 */
export function usesColourTransform(frame: Uint8Array): boolean {
  const codestream = codestreamOf(frame);
  const cod = mainHeader(codestream).find((segment) => segment.marker === COD);
  return cod !== undefined && (codestream[cod.start + 8] ?? 0) !== 0;
}

/**
 * Joins codestreams of one component each, encoded alike (same size, precision, coding style, one
 * tile, one tile-part, one layer, CPRL progression), into one codestream of all the components
 * without a component transformation. In CPRL order the packets of a component come before the
 * next component's, and packet headers carry no component number, so the tile's data is the
 * components' tile data one after another. This is how three RGB samples are encoded without the
 * transformation the OpenJPEG build always applies to three components.
 */
export function joinComponentCodestreams(parts: readonly Uint8Array[]): Uint8Array {
  const fail = (problem: string): never => {
    throw new UnsupportedDicomError(`the JPEG 2000 encoder wrote ${problem}, so the frame cannot be encoded`);
  };
  const read = parts.map((codestream) => {
    const header = mainHeader(codestream);
    const segment = (marker: number): Segment => header.find((found) => found.marker === marker) ?? fail('a codestream without SIZ, COD or QCD');
    const siz = segment(SIZ);
    const cod = segment(COD);
    const qcd = segment(QCD);
    if (header.some((found) => found.marker === 0xff53 || found.marker === 0xff5d)) fail('component-specific coding styles');
    if (u16(codestream, siz.start + 38) !== 1) fail('a codestream of more than one component');
    if (codestream[cod.start + 5] !== CPRL || u16(codestream, cod.start + 6) !== 1) fail('another progression order or more than one layer');
    const sot = header.length > 0 ? (header.at(-1)?.end ?? 0) : 0;
    if (u16(codestream, sot) !== SOT || u16(codestream, sot + 4) !== 0 || codestream[sot + 11] !== 1) fail('more than one tile or tile-part');
    if (u16(codestream, sot + 12) !== SOD) fail('markers in a tile-part header');
    const psot = u32(codestream, sot + 6);
    const tileEnd = psot === 0 ? codestream.length - 2 : sot + psot;
    if (u16(codestream, tileEnd) !== EOC) fail('data after its one tile-part');
    return { codestream, siz, cod, qcd, data: codestream.subarray(sot + 14, tileEnd) };
  });
  const first = read[0] ?? fail('no codestream');
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, index) => byte === b[index]);
  const bytesOf = (part: (typeof read)[number], segment: Segment) => part.codestream.subarray(segment.start, segment.end);
  for (const part of read) {
    if (!same(bytesOf(part, part.cod), bytesOf(first, first.cod)) || !same(bytesOf(part, part.qcd), bytesOf(first, first.qcd)) || !same(bytesOf(part, part.siz), bytesOf(first, first.siz))) {
      fail('components coded differently');
    }
  }
  const siz = bytesOf(first, first.siz);
  const component = siz.subarray(40, 43);
  const joinedSiz = new Uint8Array(siz.length + component.length * (read.length - 1));
  joinedSiz.set(siz);
  for (let index = 1; index < read.length; index++) joinedSiz.set(component, siz.length + component.length * (index - 1));
  setU16(joinedSiz, 2, joinedSiz.length - 2);
  setU16(joinedSiz, 38, read.length);
  const joinedCod = bytesOf(first, first.cod).slice();
  joinedCod[8] = 0; // no multiple component transformation
  const qcd = bytesOf(first, first.qcd);
  const dataLength = read.reduce((sum, part) => sum + part.data.length, 0);
  const sot = new Uint8Array([0xff, 0x90, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x93]);
  setU32(sot, 6, sot.length + dataLength);
  const out = new Uint8Array(2 + joinedSiz.length + joinedCod.length + qcd.length + sot.length + dataLength + 2);
  let at = 0;
  for (const piece of [new Uint8Array([0xff, 0x4f]), joinedSiz, joinedCod, qcd, sot, ...read.map((part) => part.data), new Uint8Array([0xff, 0xd9])]) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** The codestream inside a frame: the frame itself, or the contents of a JP2 file's codestream box. */
function codestreamOf(frame: Uint8Array): Uint8Array {
  if (u16(frame, 0) === SOC) return frame;
  // JP2 boxes: 4-byte length, 4-byte type; the codestream box is 'jp2c'.
  let at = 0;
  while (at + 8 <= frame.length) {
    const length = u32(frame, at);
    if (u32(frame, at + 4) === 0x6a703263) return frame.subarray(at + 8, length === 0 ? frame.length : at + length);
    if (length < 8) break;
    at += length;
  }
  throw new UnsupportedDicomError('the JPEG 2000 frame starts with neither a codestream nor a JP2 file, so its pixels cannot be blanked');
}

/** The main header's marker segments, from SIZ up to the first SOT (not included). */
function mainHeader(codestream: Uint8Array): Segment[] {
  if (u16(codestream, 0) !== SOC) throw new UnsupportedDicomError('the JPEG 2000 frame does not start with a codestream, so its pixels cannot be blanked');
  const segments: Segment[] = [];
  let at = 2;
  while (at + 4 <= codestream.length && u16(codestream, at) !== SOT) {
    const marker = u16(codestream, at);
    if ((marker & 0xff00) !== 0xff00) break;
    const end = at + 2 + u16(codestream, at + 2);
    segments.push({ marker, start: at, end });
    at = end;
  }
  if (u16(codestream, at) !== SOT) throw new UnsupportedDicomError('the JPEG 2000 frame has a main header that does not end in a tile, so its pixels cannot be blanked');
  return segments;
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 0x10000 + u16(bytes, at + 2);
}

function setU16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 8;
  bytes[at + 1] = value & 0xff;
}

function setU32(bytes: Uint8Array, at: number, value: number): void {
  setU16(bytes, at, Math.floor(value / 0x10000));
  setU16(bytes, at + 2, value & 0xffff);
}
