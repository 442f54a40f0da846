// The frames of an encapsulated Pixel Data element, for codec tests (the product reads them in its own module).
import { closeSync, openSync, readSync } from 'node:fs';
import type { DicomFile } from '../../src/dicom/read-file.js';
import { PIXEL_DATA } from '../../src/dicom/tag.js';

/**
 * Each frame's bytes, all its fragments joined. One frame: every fragment. Else by the Basic Offset
 * Table when it has offsets, one fragment a frame when they are as many, or a new frame at each
 * fragment that starts with `frameStart` (FF D8 for JPEG, FF 4F for a JPEG 2000 codestream).
 */
export function encapsulatedFrames(file: DicomFile, frames: number, frameStart: readonly number[] = [0xff, 0xd8]): Uint8Array[] {
  const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  const [table, ...fragments] = element?.fragments ?? [];
  if (table === undefined) throw new Error(`${file.path}: no encapsulated Pixel Data`);
  const fd = openSync(file.path, 'r');
  try {
    const bytesAt = (offset: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, offset);
      return buffer;
    };
    const data = fragments.map((fragment) => bytesAt(fragment.valueOffset, fragment.valueLength));
    if (frames === 1) return [Buffer.concat(data)];
    const groups: Buffer[][] = [];
    if (table.valueLength > 0) {
      const offsets = bytesAt(table.valueOffset, table.valueLength);
      const starts = Array.from({ length: table.valueLength / 4 }, (_, index) => offsets.readUInt32LE(index * 4));
      const first = fragments[0]?.start ?? 0;
      fragments.forEach((fragment, index) => {
        const frame = starts.filter((start) => start <= fragment.start - first).length - 1;
        (groups[frame] ??= []).push(data[index] as Buffer);
      });
    } else if (fragments.length === frames) {
      data.forEach((bytes) => groups.push([bytes]));
    } else {
      for (const bytes of data) {
        if (groups.length === 0 || frameStart.every((byte, index) => bytes[index] === byte)) groups.push([]);
        groups.at(-1)?.push(bytes);
      }
    }
    if (groups.length !== frames) throw new Error(`${file.path}: found ${groups.length} frames, expected ${frames}`);
    return groups.map((group) => Buffer.concat(group));
  } finally {
    closeSync(fd);
  }
}
