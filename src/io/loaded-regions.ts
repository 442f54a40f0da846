/** Byte ranges of a file (or inflated data set) held in memory, addressed by their offsets. */
export interface Region {
  readonly start: number;
  readonly bytes: Uint8Array;
}

export class LoadedRegions {
  constructor(readonly regions: readonly Region[]) {}

  /** The bytes of [start, end) when one region holds them all, else undefined (they are on disk only). */
  slice(start: number, end: number): Uint8Array | undefined {
    for (const region of this.regions) {
      if (start >= region.start && end <= region.start + region.bytes.length) {
        return region.bytes.subarray(start - region.start, end - region.start);
      }
    }
    return undefined;
  }
}
