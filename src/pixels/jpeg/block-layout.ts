import type { FrameHeader, ScanComponent } from './markers.js';

/**
 * Where each component's 8×8 blocks live: one Int16Array per component holds the quantized
 * coefficients of its blocks (64 each, in zig-zag order, as coded) on the grid of the interleaved
 * MCUs, which also covers the smaller grid a non-interleaved scan codes (T.81 A.2).
 */
export interface ComponentBlocks {
  readonly h: number;
  readonly v: number;
  /** Blocks per line and per column on the MCU grid (padded to whole MCUs). */
  readonly blocksPerLine: number;
  readonly blocksPerColumn: number;
  /** Blocks per line and per column that a scan of this component alone codes. */
  readonly ownBlocksPerLine: number;
  readonly ownBlocksPerColumn: number;
  readonly coefficients: Int16Array;
}

export interface BlockLayout {
  /** Pixels an MCU of the interleaved grid covers: 8 × the largest sampling factors. */
  readonly mcuWidth: number;
  readonly mcuHeight: number;
  readonly mcusPerLine: number;
  readonly mcusPerColumn: number;
  readonly components: readonly ComponentBlocks[];
}

export function blockLayout(frame: FrameHeader): BlockLayout {
  const hMax = Math.max(...frame.components.map((component) => component.h));
  const vMax = Math.max(...frame.components.map((component) => component.v));
  const mcusPerLine = Math.ceil(frame.samplesPerLine / (8 * hMax));
  const mcusPerColumn = Math.ceil(frame.lines / (8 * vMax));
  const components = frame.components.map(({ h, v }) => {
    const blocksPerLine = mcusPerLine * h;
    const blocksPerColumn = mcusPerColumn * v;
    return {
      h,
      v,
      blocksPerLine,
      blocksPerColumn,
      ownBlocksPerLine: Math.ceil(Math.ceil((frame.samplesPerLine * h) / hMax) / 8),
      ownBlocksPerColumn: Math.ceil(Math.ceil((frame.lines * v) / vMax) / 8),
      coefficients: new Int16Array(blocksPerLine * blocksPerColumn * 64),
    };
  });
  return { mcuWidth: 8 * hMax, mcuHeight: 8 * vMax, mcusPerLine, mcusPerColumn, components };
}

/** The blocks of one scan in coding order: each block's scan component and coefficient offset. */
export interface ScanOrder {
  readonly blocksPerMcu: number;
  readonly mcus: number;
  readonly scanComponent: Uint8Array;
  readonly offset: Int32Array;
}

/**
 * A scan of one component codes its own block grid row by row, one block per MCU; a scan of
 * several codes whole MCUs, each component's H×V blocks in turn (T.81 A.2.2, A.2.3).
 */
export function scanOrder(layout: BlockLayout, scan: readonly ScanComponent[]): ScanOrder {
  if (scan.length === 1) {
    const blocks = layout.components[scan[0]!.component]!;
    const mcus = blocks.ownBlocksPerLine * blocks.ownBlocksPerColumn;
    const offset = new Int32Array(mcus);
    for (let row = 0, at = 0; row < blocks.ownBlocksPerColumn; row++) {
      for (let column = 0; column < blocks.ownBlocksPerLine; column++) offset[at++] = (row * blocks.blocksPerLine + column) * 64;
    }
    return { blocksPerMcu: 1, mcus, scanComponent: new Uint8Array(mcus), offset };
  }
  const blocksPerMcu = scan.reduce((sum, { component }) => sum + layout.components[component]!.h * layout.components[component]!.v, 0);
  const mcus = layout.mcusPerLine * layout.mcusPerColumn;
  const scanComponent = new Uint8Array(mcus * blocksPerMcu);
  const offset = new Int32Array(mcus * blocksPerMcu);
  let at = 0;
  for (let mcuRow = 0; mcuRow < layout.mcusPerColumn; mcuRow++) {
    for (let mcuColumn = 0; mcuColumn < layout.mcusPerLine; mcuColumn++) {
      scan.forEach(({ component }, index) => {
        const { h, v, blocksPerLine } = layout.components[component]!;
        for (let y = 0; y < v; y++) {
          for (let x = 0; x < h; x++) {
            scanComponent[at] = index;
            offset[at++] = ((mcuRow * v + y) * blocksPerLine + mcuColumn * h + x) * 64;
          }
        }
      });
    }
  }
  return { blocksPerMcu, mcus, scanComponent, offset };
}
