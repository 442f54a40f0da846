import { MalformedDicomError, UnsupportedDicomError } from '../dicom/errors.js';
import { BitWriter } from './jpeg/bit-writer.js';
import { blockLayout, scanOrder, type BlockLayout, type ScanOrder } from './jpeg/block-layout.js';
import { huffmanDecoder, type HuffmanDecoder } from './jpeg/huffman-decode.js';
import { dhtSegment, optimalHuffmanEncoder, type HuffmanEncoder } from './jpeg/huffman-encode.js';
import {
  COM, DHT, DNL, DQT, DRI, EOI, SOS,
  jpegSegments, readFrameHeader, readHuffmanTables, readQuantizationDc, readRestartInterval, readScanHeader,
  type FrameHeader, type JpegSegment, type ScanComponent,
} from './jpeg/markers.js';
import { decodeScan } from './jpeg/scan-decode.js';
import { countScanSymbols, writeScan, type ScanStatistics } from './jpeg/scan-encode.js';

/** A rectangle in pixel coordinates, already clipped to the image. */
export interface PixelRectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface BlankedJpeg {
  /** The new JPEG stream, SOI … EOI (odd length possible: the caller pads the DICOM fragment). */
  readonly bytes: Uint8Array;
  /** MCUs of the interleaved grid that touched a rectangle and were made flat. */
  readonly blankedMcus: number;
}

interface Scan {
  readonly segment: JpegSegment;
  readonly components: readonly ScanComponent[];
  readonly order: ScanOrder;
  readonly restartInterval: number;
}

/**
 * Blanks rectangles of a JPEG baseline or extended sequential (Huffman, 8-bit) frame without
 * decoding it to pixels, as PixelMed does: every MCU that touches a rectangle becomes flat in every
 * component (DC for the fill, AC zero), every other block keeps its quantized coefficients, so the
 * rest of the image decodes exactly as before, with no second loss. The entropy-coded data is coded
 * anew with optimal Huffman tables (the old ones may lack codes for the new DC differences), written
 * as DHT before each scan. Quantization tables, frame and scan headers, restart intervals, JFIF and Adobe
 * segments stay as they are; COM and the other APPn segments are dropped, as text nothing needs for
 * decoding may carry identifying data. `fill` gives one value per component in the codestream's colour space
 * (Y=0, Cb=Cr=128 for black in YCbCr).
 *
 * @throws UnsupportedDicomError for progressive, lossless, hierarchical or arithmetic-coded frames, 12-bit samples or DNL.
 * @throws MalformedDicomError for a stream that is cut short or inconsistent.
 */
export function blankJpegBlocks(frame: Uint8Array, rectangles: readonly PixelRectangle[], fill: readonly number[]): BlankedJpeg {
  const segments = jpegSegments(frame);
  const quantizationDc = new Map<number, number>();
  const decoders = new Map<number, HuffmanDecoder>();
  let restartInterval = 0;
  let header: FrameHeader | undefined;
  let layout: BlockLayout | undefined;
  let componentDc: number[] = [];
  const scans: Scan[] = [];
  for (const segment of segments) {
    const { marker } = segment;
    if (marker === DQT) readQuantizationDc(frame, segment, quantizationDc);
    else if (marker === DHT) for (const table of readHuffmanTables(frame, segment)) decoders.set(table.tableClass * 16 + table.id, huffmanDecoder(table));
    else if (marker === DRI) restartInterval = readRestartInterval(frame, segment);
    else if (marker === DNL) throw new UnsupportedDicomError('the JPEG frame defines its number of lines after the first scan (DNL); it cannot be blanked block by block');
    else if (marker === 0xde || marker === 0xdf) throw new UnsupportedDicomError('the JPEG frame is hierarchical; only baseline and extended sequential frames can be blanked block by block');
    else if (marker === 0xcc) throw new UnsupportedDicomError('the JPEG frame is arithmetic-coded; only Huffman-coded sequential frames can be blanked block by block');
    else if (marker >= 0xc0 && marker <= 0xcf && marker !== DHT) {
      if (header !== undefined) throw new MalformedDicomError('the JPEG stream has more than one frame header');
      header = readFrameHeader(frame, segment);
      layout = blockLayout(header);
      componentDc = new Array<number>(header.components.length).fill(0);
    } else if (marker === SOS) {
      if (header === undefined || layout === undefined) throw new MalformedDicomError('a JPEG scan comes before the frame header');
      const components = readScanHeader(frame, segment, header);
      const coding = components.map(({ component, td, ta }) => {
        const dc = decoders.get(td);
        const ac = decoders.get(16 + ta);
        const quantization = quantizationDc.get(header!.components[component]!.tq);
        if (dc === undefined || ac === undefined) throw new MalformedDicomError('a JPEG scan uses a Huffman table no DHT segment defined');
        if (quantization === undefined || quantization === 0) throw new MalformedDicomError('a JPEG component uses a quantization table no DQT segment defined');
        if (componentDc[component] !== 0) throw new MalformedDicomError('a component is coded in more than one sequential JPEG scan');
        componentDc[component] = quantization;
        return { coefficients: layout!.components[component]!.coefficients, dc, ac };
      });
      const order = scanOrder(layout, components);
      decodeScan(frame, segment.end, segment.entropyEnd ?? segment.end, order, coding, restartInterval);
      scans.push({ segment, components, order, restartInterval });
    }
  }
  if (header === undefined || layout === undefined) throw new MalformedDicomError('the JPEG stream has no frame header');
  if (componentDc.some((quantization) => quantization === 0)) throw new MalformedDicomError('a component of the JPEG frame is coded in no scan');
  if (fill.length !== header.components.length || fill.some((value) => !Number.isInteger(value) || value < 0 || value > 255)) {
    throw new RangeError(`blankJpegBlocks: the fill must be one integer 0..255 per component, ${header.components.length} for this frame`);
  }
  const blankedMcus = blankTouchedMcus(layout, rectangles, fill.map((value, index) => Math.round(((value - 128) * 8) / componentDc[index]!)));
  return { bytes: reencode(frame, segments, scans, layout), blankedMcus };
}

/** Makes every block of every MCU that touches a rectangle flat at its component's DC. */
function blankTouchedMcus(layout: BlockLayout, rectangles: readonly PixelRectangle[], dcs: readonly number[]): number {
  const { mcuWidth, mcuHeight, mcusPerLine, mcusPerColumn } = layout;
  const touched = new Uint8Array(mcusPerLine * mcusPerColumn);
  for (const { x, y, width, height } of rectangles) {
    if (width <= 0 || height <= 0) continue;
    const lastColumn = Math.min(mcusPerLine - 1, Math.floor((x + width - 1) / mcuWidth));
    const lastRow = Math.min(mcusPerColumn - 1, Math.floor((y + height - 1) / mcuHeight));
    for (let row = Math.max(0, Math.floor(y / mcuHeight)); row <= lastRow; row++) {
      for (let column = Math.max(0, Math.floor(x / mcuWidth)); column <= lastColumn; column++) touched[row * mcusPerLine + column] = 1;
    }
  }
  let count = 0;
  for (let mcu = 0; mcu < touched.length; mcu++) {
    if (touched[mcu] === 0) continue;
    count++;
    const row = Math.floor(mcu / mcusPerLine);
    const column = mcu % mcusPerLine;
    layout.components.forEach(({ h, v, blocksPerLine, coefficients }, index) => {
      for (let y = 0; y < v; y++) {
        for (let x = 0; x < h; x++) {
          const base = ((row * v + y) * blocksPerLine + column * h + x) * 64;
          coefficients.fill(0, base, base + 64);
          coefficients[base] = dcs[index]!;
        }
      }
    });
  }
  return count;
}

/** The stream with each scan coded anew behind a DHT of its own optimal tables; COM and the old DHT left out. */
/**
 * APPn segments other than JFIF (APP0) and Adobe (APP14, which says how colour is coded): EXIF,
 * XMP, ICC and makers' notes can hold text (a device's notes, a patient's name), and no decoder needs them.
 */
function droppedApplicationSegment(marker: number): boolean {
  return marker >= 0xe1 && marker <= 0xef && marker !== 0xee;
}

function reencode(frame: Uint8Array, segments: readonly JpegSegment[], scans: readonly Scan[], layout: BlockLayout): Uint8Array {
  const writer = new BitWriter(frame.length + 4096);
  const scanAt = new Map(scans.map((scan) => [scan.segment.start, scan]));
  for (const segment of segments) {
    if (segment.marker === COM || segment.marker === DHT || droppedApplicationSegment(segment.marker)) continue;
    const scan = scanAt.get(segment.start);
    if (scan === undefined) {
      writer.raw(frame.subarray(segment.start, segment.end));
      if (segment.marker === EOI) return writer.result();
      continue;
    }
    const statistics: ScanStatistics = { dc: [0, 1, 2, 3].map(() => new Uint32Array(256)), ac: [0, 1, 2, 3].map(() => new Uint32Array(256)) };
    const sources = scan.components.map(({ component, td, ta }) => ({ coefficients: layout.components[component]!.coefficients, td, ta }));
    countScanSymbols(scan.order, sources, scan.restartInterval, statistics);
    const dcEncoders: HuffmanEncoder[] = [];
    const acEncoders: HuffmanEncoder[] = [];
    const defined: { tableClass: number; id: number; encoder: HuffmanEncoder }[] = [];
    for (const { td, ta } of sources) {
      if (dcEncoders[td] === undefined) defined.push({ tableClass: 0, id: td, encoder: (dcEncoders[td] = optimalHuffmanEncoder(statistics.dc[td]!)) });
      if (acEncoders[ta] === undefined) defined.push({ tableClass: 1, id: ta, encoder: (acEncoders[ta] = optimalHuffmanEncoder(statistics.ac[ta]!)) });
    }
    writer.raw(dhtSegment(defined));
    writer.raw(frame.subarray(segment.start, segment.end));
    writeScan(scan.order, sources, scan.restartInterval, dcEncoders, acEncoders, writer);
  }
  writer.raw([0xff, EOI]);
  return writer.result();
}

const APP14 = 0xee;

/**
 * Whether a three-component frame codes RGB rather than YCbCr: an Adobe segment (APP14) with
 * transform 0, or components named R, G and B (as JFIF decoders read them).
 */
export function jpegCodesRgb(frame: Uint8Array): boolean {
  for (const segment of jpegSegments(frame)) {
    const payload = frame.subarray(segment.start + 4, segment.end);
    if (segment.marker === APP14 && payload.length >= 12 && Buffer.from(payload.subarray(0, 5)).toString('latin1') === 'Adobe') return payload[11] === 0;
    if (segment.marker >= 0xc0 && segment.marker <= 0xcf && segment.marker !== DHT && segment.marker !== 0xc8 && segment.marker !== 0xcc) {
      const ids = readFrameHeader(frame, segment).components.map((component) => component.id);
      if (ids.length === 3 && ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) return true;
    }
    if (segment.marker === SOS) break;
  }
  return false;
}
