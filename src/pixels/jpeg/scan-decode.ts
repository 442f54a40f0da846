import { MalformedDicomError } from '../../dicom/errors.js';
import type { ScanOrder } from './block-layout.js';
import { BitReader, type HuffmanDecoder } from './huffman-decode.js';
import { RST0 } from './markers.js';

/** One scan component's coefficient store and Huffman tables. */
export interface ScanComponentDecoding {
  readonly coefficients: Int16Array;
  readonly dc: HuffmanDecoder;
  readonly ac: HuffmanDecoder;
}

/** Sign-extends an `size`-bit magnitude to the coefficient value (T.81 F.2.2.1, EXTEND). */
function extend(value: number, size: number): number {
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
}

/**
 * Decodes one scan's entropy-coded data (`start`…`end` of `bytes`, RST markers included) into the
 * components' coefficient stores: quantized values, zig-zag order, DC undifferenced.
 *
 * @throws MalformedDicomError when the data ends early, holds an undefined code or lacks a restart marker.
 */
export function decodeScan(bytes: Uint8Array, start: number, end: number, order: ScanOrder, components: readonly ScanComponentDecoding[], restartInterval: number): void {
  const reader = new BitReader(bytes, start, end);
  const predictions = new Int32Array(components.length);
  const { blocksPerMcu, mcus, scanComponent, offset } = order;
  for (let mcu = 0, block = 0; mcu < mcus; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      // Each interval starts byte-aligned after RSTn, its DC predictions at zero (T.81 F.2.1.3.1).
      reader.restart(RST0 + ((mcu / restartInterval - 1) & 7));
      predictions.fill(0);
    }
    for (let n = 0; n < blocksPerMcu; n++, block++) {
      const index = scanComponent[block]!;
      const { coefficients, dc, ac } = components[index]!;
      const base = offset[block]!;
      const size = reader.decode(dc);
      if (size > 11) throw new MalformedDicomError('the JPEG entropy-coded data holds a DC difference too large for 8-bit samples');
      const prediction = predictions[index]! + (size === 0 ? 0 : extend(reader.bits(size), size));
      predictions[index] = prediction;
      coefficients[base] = prediction;
      for (let k = 1; k < 64; ) {
        const symbol = reader.decode(ac);
        const run = symbol >> 4;
        const magnitude = symbol & 15;
        if (magnitude === 0) {
          if (run !== 15) break;
          k += 16;
          continue;
        }
        k += run;
        if (k > 63) throw new MalformedDicomError('the JPEG entropy-coded data runs past the 64 coefficients of a block');
        coefficients[base + k] = extend(reader.bits(magnitude), magnitude);
        k++;
      }
    }
    reader.checkNotPastEnd();
  }
}
