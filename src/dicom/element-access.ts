import { byteOrderOf } from './byte-order.js';
import { decodeValue, type DecodedValue } from './decode-value.js';
import type { PathStep } from './edits.js';
import type { DicomElement } from './model.js';
import type { DicomFile } from './read-file.js';
import { lookupTag } from './dictionary.js';
import { SPECIFIC_CHARACTER_SET, type Tag } from './tag.js';
import type { Vr } from './vr.js';

/**
 * The Specific Character Set that a data set level declares, else the one it inherits (items inherit
 * their parent's unless they declare their own). `bytesOf` gives an element's value bytes.
 */
export function declaredCharacterSet(
  elements: readonly DicomElement[],
  inherited: readonly string[],
  bytesOf: (element: DicomElement) => Uint8Array | undefined,
): readonly string[] {
  const declared = elements.find((element) => element.tag === SPECIFIC_CHARACTER_SET);
  const bytes = declared && bytesOf(declared);
  if (!bytes) return inherited;
  // CS values are ASCII: the byte order does not matter.
  const decoded = decodeValue('CS', bytes, byteOrderOf(true));
  return decoded.kind === 'text' ? decoded.values : inherited;
}

/** The VR a value is decoded and re-encoded with: the dictionary's where the file says UN. */
export function valueVrOf(element: DicomElement): Vr {
  if (element.vr !== 'UN') return element.vr;
  return lookupTag(element.tag)?.vrs[0] ?? 'UN';
}

/** The value bytes of an element when they are in memory (everything but large Pixel Data). */
export function valueBytes(file: DicomFile, element: DicomElement): Uint8Array | undefined {
  const end = element.valueOffset + element.valueLength;
  if (file.inflated) return file.inflated.subarray(element.valueOffset, end);
  return file.fileBytes.slice(element.valueOffset, end);
}

/** The elements of the item named by `path` (empty path = the top level), if it exists. */
function elementsAt(file: DicomFile, path: readonly PathStep[]): readonly DicomElement[] | undefined {
  let elements: readonly DicomElement[] = file.dataSet;
  for (const step of path) {
    const item = elements.find((element) => element.tag === step.tag)?.items?.[step.item];
    if (!item) return undefined;
    elements = item.elements;
  }
  return elements;
}

/** The element `tag` inside the items named by `path` (empty path = top level). */
export function elementAt(file: DicomFile, path: readonly PathStep[], tag: Tag): DicomElement | undefined {
  return elementsAt(file, path)?.find((element) => element.tag === tag);
}

/** Decoded value of the element at `path`/`tag`, with the Specific Character Set in force there. */
export function valueAt(file: DicomFile, path: readonly PathStep[], tag: Tag): DecodedValue | undefined {
  return valuesAt(file, path)(tag);
}

/** Text values of an element (empty when absent or not text). */
export function textAt(file: DicomFile, path: readonly PathStep[], tag: Tag): readonly string[] {
  return textsAt(file, path)(tag);
}

/**
 * Text values of the elements at `path`, looked up by tag, as textAt gives them; the byte order and
 * character set there are worked out once for all the lookups.
 */
export function textsAt(file: DicomFile, path: readonly PathStep[]): (tag: Tag) => readonly string[] {
  const values = valuesAt(file, path);
  return (tag) => {
    const value = values(tag);
    return value?.kind === 'text' ? value.values : [];
  };
}

function valuesAt(file: DicomFile, path: readonly PathStep[]): (tag: Tag) => DecodedValue | undefined {
  const elements = elementsAt(file, path);
  if (!elements) return () => undefined;
  const order = byteOrderOf(encodingAt(file, path).littleEndian);
  const characterSet = characterSetAt(file, path);
  return (tag) => {
    const element = elements.find((candidate) => candidate.tag === tag);
    const bytes = element && valueBytes(file, element);
    return element && bytes ? decodeValue(element.vr, bytes, order, characterSet) : undefined;
  };
}

function encodingAt(file: DicomFile, path: readonly PathStep[]) {
  let encoding = file.encoding;
  let elements: readonly DicomElement[] = file.dataSet;
  for (const step of path) {
    const element = elements.find((candidate) => candidate.tag === step.tag);
    encoding = element?.itemEncoding ?? encoding;
    elements = element?.items?.[step.item]?.elements ?? [];
  }
  return encoding;
}

function characterSetAt(file: DicomFile, path: readonly PathStep[]): readonly string[] {
  const bytesOf = (element: DicomElement) => valueBytes(file, element);
  let elements: readonly DicomElement[] = file.dataSet;
  let terms = declaredCharacterSet(elements, [], bytesOf);
  for (const step of path) {
    elements = elements.find((candidate) => candidate.tag === step.tag)?.items?.[step.item]?.elements ?? [];
    terms = declaredCharacterSet(elements, terms, bytesOf);
  }
  return terms;
}
