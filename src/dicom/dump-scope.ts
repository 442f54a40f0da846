// What reading a value needs besides the element: where its bytes are, their byte order and the
// Specific Character Set in force. Items switch byte order (CP-246 UN sequences) and character set.
import { byteOrderOf, type ByteOrder } from './byte-order.js';
import { declaredCharacterSet } from './element-access.js';
import { EXPLICIT_LITTLE, type DicomElement, type DicomItem, type Encoding } from './model.js';
import type { DicomFile } from './read-file.js';

export interface DumpScope {
  /** The bytes of [start, end) in this data set's coordinate space, or undefined when they are not in memory. */
  readonly bytes: (start: number, end: number) => Uint8Array | undefined;
  readonly encoding: Encoding;
  readonly order: ByteOrder;
  /** Values of (0008,0005) in force; empty means the default repertoire. */
  readonly characterSet: readonly string[];
}

/** The File Meta Information: Explicit VR Little Endian, file offsets, default repertoire. */
export function metaScope(file: DicomFile): DumpScope {
  const bytes = (start: number, end: number) => file.fileBytes.slice(start, end);
  return { bytes, encoding: EXPLICIT_LITTLE, order: byteOrderOf(true), characterSet: [] };
}

/** The top-level data set: file offsets, or offsets into the inflated data set for deflated syntaxes. */
export function dataSetScope(file: DicomFile): DumpScope {
  const { inflated } = file;
  const bytes = inflated
    ? (start: number, end: number) => (end <= inflated.length ? inflated.subarray(start, end) : undefined)
    : (start: number, end: number) => file.fileBytes.slice(start, end);
  const scope = { bytes, encoding: file.encoding, order: byteOrderOf(file.encoding.littleEndian), characterSet: [] };
  return withCharacterSet(scope, file.dataSet);
}

/** The scope inside one item of a sequence: the sequence's item encoding, and the item's own character set if it declares one. */
export function itemScope(parent: DumpScope, sequence: DicomElement, item: DicomItem): DumpScope {
  const encoding = sequence.itemEncoding ?? parent.encoding;
  return withCharacterSet({ ...parent, encoding, order: byteOrderOf(encoding.littleEndian) }, item.elements);
}

/** The value bytes of an element, or undefined when they are not in memory. */
export function valueBytes(scope: DumpScope, element: DicomElement): Uint8Array | undefined {
  return scope.bytes(element.valueOffset, element.valueOffset + element.valueLength);
}

function withCharacterSet(scope: DumpScope, elements: readonly DicomElement[]): DumpScope {
  const characterSet = declaredCharacterSet(elements, scope.characterSet, (element) => valueBytes(scope, element));
  return characterSet === scope.characterSet ? scope : { ...scope, characterSet };
}
