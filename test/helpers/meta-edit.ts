// Part 10 files with meta elements taken out, for tests of incomplete File Meta Information.
import { readFileSync } from 'node:fs';
import { readDicomFile } from '../../src/dicom/read-file.js';
import type { Tag } from '../../src/dicom/tag.js';

/** `path`'s bytes without the meta elements `tags`; a meta group length that stays is made to fit. */
export function withoutMetaElements(path: string, tags: readonly Tag[]): Buffer {
  const file = readDicomFile(path);
  let bytes = readFileSync(path);
  // From the last element backwards, so the offsets of earlier ones stay valid.
  const removed = file.meta.filter((element) => tags.includes(element.tag)).sort((a, b) => b.start - a.start);
  if (removed.length !== tags.length) throw new Error(`not every tag to remove is in the meta header of ${path}`);
  let shrink = 0;
  for (const element of removed) {
    bytes = Buffer.concat([bytes.subarray(0, element.start), bytes.subarray(element.end)]);
    shrink += element.end - element.start;
  }
  const groupLength = file.meta.find((element) => element.tag === 0x00020000);
  if (groupLength && !tags.includes(0x00020000)) bytes.writeUInt32LE(bytes.readUInt32LE(groupLength.valueOffset) - shrink, groupLength.valueOffset);
  return bytes;
}
