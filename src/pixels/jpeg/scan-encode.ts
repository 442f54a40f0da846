import { UnsupportedDicomError } from '../../dicom/errors.js';
import type { BitWriter } from './bit-writer.js';
import type { ScanOrder } from './block-layout.js';
import type { HuffmanEncoder } from './huffman-encode.js';
import { RST0 } from './markers.js';
import type { ScanComponentCoding } from './scan-decode.js';

/** Bits needed for a magnitude (T.81 F.1.2.1: SSSS). */
function category(value: number): number {
  let magnitude = value < 0 ? -value : value;
  let size = 0;
  while (magnitude > 0) {
    size++;
    magnitude >>= 1;
  }
  return size;
}

/** Symbol frequencies of one Huffman table, counted per table over the scan. */
export interface ScanStatistics {
  readonly dc: readonly Uint32Array[];
  readonly ac: readonly Uint32Array[];
}

/**
 * Walks one scan's blocks in coding order, as the encoder of T.81 F.1.2 does: with `writer` absent it
 * only counts the symbols each table will code (`tables` gives each scan component's table ids),
 * with it, it writes them using `components`' encoders, restart markers every `restartInterval` MCUs.
 */
export function encodeScan(
  order: ScanOrder,
  components: readonly ScanComponentCoding<HuffmanEncoder | undefined>[],
  tables: readonly { readonly td: number; readonly ta: number }[],
  restartInterval: number,
  sink: { readonly writer: BitWriter } | { readonly statistics: ScanStatistics },
): void {
  const writer = 'writer' in sink ? sink.writer : undefined;
  const statistics = 'statistics' in sink ? sink.statistics : undefined;
  const predictions = new Int32Array(components.length);
  const { blocksPerMcu, mcus, scanComponent, offset } = order;
  const emit = (encoder: HuffmanEncoder | undefined, frequencies: Uint32Array | undefined, symbol: number): void => {
    if (frequencies !== undefined) frequencies[symbol]!++;
    else if (encoder !== undefined && writer !== undefined) writer.write(encoder.codes[symbol]!, encoder.lengths[symbol]!);
  };
  for (let mcu = 0, block = 0; mcu < mcus; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      if (writer !== undefined) {
        writer.flush();
        writer.raw([0xff, RST0 + ((mcu / restartInterval - 1) & 7)]);
      }
      predictions.fill(0);
    }
    for (let n = 0; n < blocksPerMcu; n++, block++) {
      const index = scanComponent[block]!;
      const { coefficients, dc, ac } = components[index]!;
      const dcCounts = statistics?.dc[tables[index]!.td];
      const acCounts = statistics?.ac[tables[index]!.ta];
      const base = offset[block]!;
      const difference = coefficients[base]! - predictions[index]!;
      predictions[index] = coefficients[base]!;
      const size = category(difference);
      if (size > 11) throw new UnsupportedDicomError('a blanked JPEG block needs a DC difference too large for 8-bit samples');
      emit(dc, dcCounts, size);
      if (writer !== undefined && size > 0) writer.write(difference < 0 ? difference - 1 : difference, size);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const value = coefficients[base + k]!;
        if (value === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          emit(ac, acCounts, 0xf0);
          run -= 16;
        }
        const magnitude = category(value);
        emit(ac, acCounts, (run << 4) | magnitude);
        if (writer !== undefined) writer.write(value < 0 ? value - 1 : value, magnitude);
        run = 0;
      }
      if (run > 0) emit(ac, acCounts, 0x00);
    }
  }
  writer?.flush();
}
