import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { BitWriter } from './bit-writer.js';
import type { ScanOrder } from './block-layout.js';
import type { HuffmanEncoder } from './huffman-encode.js';
import { RST0 } from './markers.js';

/** Bits needed for a magnitude (T.81 F.1.2.1: SSSS). */
function category(value: number): number {
  return 32 - Math.clz32(value < 0 ? -value : value);
}

/** Symbol frequencies per Huffman table id, DC and AC. */
export interface ScanStatistics {
  readonly dc: readonly Uint32Array[];
  readonly ac: readonly Uint32Array[];
}

/** One scan component's coefficients (zig-zag, DC undifferenced) and its table ids. */
export interface ScanComponentSource {
  readonly coefficients: Int16Array;
  readonly td: number;
  readonly ta: number;
}

/** DC predictions restart at zero at each restart interval (T.81 F.1.1.5.1, F.1.2.1.2). */
function restartsHere(mcu: number, restartInterval: number): boolean {
  return restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0;
}

/** Counts the symbols one scan will code, per table, as the encoding pass will code them (T.81 F.1.2). */
export function countScanSymbols(order: ScanOrder, components: readonly ScanComponentSource[], restartInterval: number, statistics: ScanStatistics): void {
  const predictions = new Int32Array(components.length);
  const { blocksPerMcu, mcus, scanComponent, offset } = order;
  for (let mcu = 0, block = 0; mcu < mcus; mcu++) {
    if (restartsHere(mcu, restartInterval)) predictions.fill(0);
    for (let n = 0; n < blocksPerMcu; n++, block++) {
      const index = scanComponent[block]!;
      const { coefficients, td, ta } = components[index]!;
      const dcCounts = statistics.dc[td]!;
      const acCounts = statistics.ac[ta]!;
      const base = offset[block]!;
      const size = category(coefficients[base]! - predictions[index]!);
      if (size > 11) throw new UnsupportedDicomError('a blanked JPEG block needs a DC difference too large for 8-bit samples');
      predictions[index] = coefficients[base]!;
      dcCounts[size]!++;
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const value = coefficients[base + k]!;
        if (value === 0) {
          run++;
          continue;
        }
        for (; run > 15; run -= 16) acCounts[0xf0]!++;
        acCounts[(run << 4) | category(value)]!++;
        run = 0;
      }
      if (run > 0) acCounts[0]!++;
    }
  }
}

/** Writes one scan's entropy-coded data with `encoders` (by table id), RSTn after every `restartInterval` MCUs. */
export function writeScan(order: ScanOrder, components: readonly ScanComponentSource[], restartInterval: number, dcEncoders: readonly HuffmanEncoder[], acEncoders: readonly HuffmanEncoder[], writer: BitWriter): void {
  const predictions = new Int32Array(components.length);
  const { blocksPerMcu, mcus, scanComponent, offset } = order;
  for (let mcu = 0, block = 0; mcu < mcus; mcu++) {
    if (restartsHere(mcu, restartInterval)) {
      writer.flush();
      writer.raw([0xff, RST0 + ((mcu / restartInterval - 1) & 7)]);
      predictions.fill(0);
    }
    for (let n = 0; n < blocksPerMcu; n++, block++) {
      const index = scanComponent[block]!;
      const { coefficients, td, ta } = components[index]!;
      const dc = dcEncoders[td]!;
      const ac = acEncoders[ta]!;
      const base = offset[block]!;
      const difference = coefficients[base]! - predictions[index]!;
      predictions[index] = coefficients[base]!;
      const size = category(difference);
      writer.write(dc.codes[size]!, dc.lengths[size]!);
      if (size > 0) writer.write(difference < 0 ? difference - 1 : difference, size);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const value = coefficients[base + k]!;
        if (value === 0) {
          run++;
          continue;
        }
        for (; run > 15; run -= 16) writer.write(ac.codes[0xf0]!, ac.lengths[0xf0]!);
        const magnitude = category(value);
        const symbol = (run << 4) | magnitude;
        writer.write(ac.codes[symbol]!, ac.lengths[symbol]!);
        writer.write(value < 0 ? value - 1 : value, magnitude);
        run = 0;
      }
      if (run > 0) writer.write(ac.codes[0]!, ac.lengths[0]!);
    }
  }
  writer.flush();
}
