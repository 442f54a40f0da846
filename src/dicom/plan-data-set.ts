import { byteOrderOf } from './byte-order.js';
import type { DataSetEdits, ElementEdit, ElementValue, ValuePatch } from './edits.js';
import { InvalidValueError } from './errors.js';
import { encodeNew, type EncodeContext } from './encode-element.js';
import { encodeNewShared } from './encode-shared.js';
import { defaultVrOf, encodeMarker } from './encode-value.js';
import { declaredCharacterSet, valueVrOf } from './element-access.js';
import type { DicomElement, DicomItem } from './model.js';
import { SegmentBuilder } from './segment-builder.js';
import { segmentSize, type Segment } from '../io/segments.js';
import { ITEM, isGroupLengthTag, tagGroup, type Tag } from './tag.js';
import type { Vr } from './vr.js';

export interface PlanContext extends EncodeContext {
  /** Bytes of the source in the data set's space; only headers and small values are asked for. */
  readonly bytes: (start: number, end: number) => Uint8Array;
}

/** The segments of one element's output, its size, and whether it differs from the source. */
interface Planned {
  readonly segments: readonly Segment[];
  readonly size: number;
  readonly changed: boolean;
}

/** A group length element of this level: where the output holds it, and the bytes of its group there. */
interface GroupLength {
  readonly tag: Tag;
  /** Its index among the output segments; unset when it is removed. */
  index?: number;
  size: number;
  changed: boolean;
}

/**
 * Plans the output of one data set: untouched elements are copied byte for byte, edited ones are
 * encoded anew, additions go in tag order, and lengths of enclosing defined-length sequences and
 * items follow from the sizes of their contents. Group lengths (gggg,0000) of changed groups are
 * recomputed. Pure: reads only headers and small values through `context.bytes`.
 */
export function planDataSet(elements: readonly DicomElement[], edits: DataSetEdits, context: PlanContext): Segment[] {
  if (edits.size === 0) {
    return elements.length === 0 ? [] : [{ kind: 'copy', start: elements[0]?.start ?? 0, end: elements[elements.length - 1]?.end ?? 0 }];
  }
  const characterSet = declaredCharacterSet(elements, context.characterSet, (element) => context.bytes(element.valueOffset, element.valueOffset + element.valueLength));
  const levelContext: PlanContext = { encoding: context.encoding, characterSet, bytes: context.bytes };
  const additions = additionsTo(elements, edits);
  const out = new SegmentBuilder();
  const groupLengths = groupLengthsOf(elements, edits);
  const account = (tag: Tag, planned: Planned) => {
    const groupLength = groupLengths?.get(tagGroup(tag));
    if (groupLength && groupLength.tag !== tag) {
      groupLength.size += planned.size;
      groupLength.changed ||= planned.changed;
    }
    out.push(planned.segments);
  };
  let next = 0;
  for (const element of elements) {
    while (!element.stray && next < additions.length && (additions[next]?.[0] ?? Infinity) < element.tag) {
      const [tag, edit] = additions[next++] as [Tag, ElementEdit & { op: 'set' }];
      account(tag, planNew(tag, edit.vr, edit.value, levelContext));
    }
    const edit = element.stray ? undefined : edits.get(element.tag);
    const groupLength = element.stray ? undefined : groupLengths?.get(tagGroup(element.tag));
    if (groupLength?.tag === element.tag) {
      // Kept as new bytes so no copy run swallows it; rewritten below if its group changed.
      if (edit?.op !== 'remove') groupLength.index = out.placeholder(context.bytes(element.start, element.end));
      continue;
    }
    if (edit) account(element.tag, planEdited(element, edit, levelContext));
    else out.copy(element.start, element.end);
  }
  for (const [tag, edit] of additions.slice(next) as [Tag, ElementEdit & { op: 'set' }][]) {
    account(tag, planNew(tag, edit.vr, edit.value, levelContext));
  }
  for (const groupLength of groupLengths?.values() ?? []) {
    if (groupLength.changed && groupLength.index !== undefined) out.replace(groupLength.index, encodeNew(groupLength.tag, 'UL', [groupLength.size], levelContext));
  }
  return out.segments();
}

/** Edits that add an element absent from `elements`, in tag order. */
function additionsTo(elements: readonly DicomElement[], edits: DataSetEdits): [Tag, ElementEdit][] {
  const additions: [Tag, ElementEdit][] = [];
  const sorted = isSortedByTag(elements);
  let present: Set<Tag> | undefined;
  for (const entry of edits) {
    if (entry[1].op !== 'set') continue;
    if (sorted) {
      if (!hasTagSorted(elements, entry[0])) additions.push(entry);
      continue;
    }
    present ??= new Set(elements.map((element) => element.tag));
    if (!present.has(entry[0])) additions.push(entry);
  }
  return additions.sort(([a], [b]) => a - b);
}

function isSortedByTag(elements: readonly DicomElement[]): boolean {
  for (let index = 1; index < elements.length; index++) if ((elements[index] as DicomElement).tag <= (elements[index - 1] as DicomElement).tag) return false;
  return true;
}

/** Binary search: data sets are in ascending tag order (checked first; a file that is not gets a set). */
function hasTagSorted(elements: readonly DicomElement[], tag: Tag): boolean {
  let low = 0;
  let high = elements.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = (elements[middle] as DicomElement).tag;
    if (found === tag) return true;
    if (found < tag) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/**
 * The group length elements of a level, keyed by group, with the size of the rest of their group
 * (the untouched part counted here, edits added as they are planned). Undefined when there are none,
 * as in nearly every data set today (they are retired outside the meta header).
 */
function groupLengthsOf(elements: readonly DicomElement[], edits: DataSetEdits): Map<number, GroupLength> | undefined {
  let groupLengths: Map<number, GroupLength> | undefined;
  for (const element of elements) {
    if (element.stray || !isGroupLengthTag(element.tag)) continue;
    groupLengths ??= new Map();
    groupLengths.set(tagGroup(element.tag), { tag: element.tag, size: 0, changed: edits.get(element.tag)?.op === 'set' });
  }
  if (!groupLengths) return undefined;
  for (const element of elements) {
    const groupLength = element.stray ? undefined : groupLengths.get(tagGroup(element.tag));
    if (!groupLength || groupLength.tag === element.tag) continue;
    const edit = edits.get(element.tag);
    if (!edit) groupLength.size += element.end - element.start;
    else if (edit.op === 'remove') groupLength.changed = true;
  }
  return groupLengths;
}

function planEdited(element: DicomElement, edit: ElementEdit, context: PlanContext): Planned {
  switch (edit.op) {
    case 'remove':
      return { segments: [], size: 0, changed: true };
    case 'set':
      return planNew(element.tag, edit.vr ?? valueVrOf(element), edit.value, context);
    case 'items':
      return planItems(element, edit.items, context);
    case 'patch':
      return planPatched(element, edit.patches);
    case 'encapsulated':
      return planEncapsulated(element, edit.value, context);
  }
}

/** New encapsulated pixel data: an OB header of undefined length, then the items as given (PS3.5 A.4). */
function planEncapsulated(element: DicomElement, items: Uint8Array, context: PlanContext): Planned {
  if (!context.encoding.explicitVr || !context.encoding.littleEndian) throw new InvalidValueError('encapsulated pixel data needs Explicit VR Little Endian', { tag: element.tag, offset: element.start });
  const header = Buffer.alloc(12);
  header.writeUInt16LE(element.tag >>> 16, 0);
  header.writeUInt16LE(element.tag & 0xffff, 2);
  header.write('OB', 4, 'latin1');
  header.writeUInt32LE(0xffffffff, 8);
  return { segments: [{ kind: 'bytes', bytes: header }, { kind: 'bytes', bytes: items }], size: header.length + items.length, changed: true };
}

/**
 * The element's header and value copied, with the patches' bytes in their places: sorted, apart,
 * inside a defined-length value (else InvalidValueError: a planner's mistake, not the file's).
 */
function planPatched(element: DicomElement, patches: readonly ValuePatch[]): Planned {
  if (element.undefinedLength) throw new InvalidValueError('a patch needs a value of defined length (this one is encapsulated or a sequence)', { tag: element.tag, offset: element.start });
  const segments: Segment[] = [];
  let cursor = element.start;
  const valueEnd = element.valueOffset + element.valueLength;
  for (const patch of patches) {
    const at = element.valueOffset + patch.offset;
    if (patch.offset < 0 || at < cursor || at + patch.bytes.length > valueEnd) {
      throw new InvalidValueError('patches must be sorted, apart and inside the value', { tag: element.tag, offset: element.start });
    }
    if (at > cursor) segments.push({ kind: 'copy', start: cursor, end: at });
    if (patch.bytes.length > 0) segments.push({ kind: 'bytes', bytes: patch.bytes });
    cursor = at + patch.bytes.length;
  }
  if (element.end > cursor) segments.push({ kind: 'copy', start: cursor, end: element.end });
  return { segments, size: element.end - element.start, changed: patches.some((patch) => patch.bytes.length > 0) };
}

function planItems(element: DicomElement, itemEdits: ReadonlyMap<number, DataSetEdits>, context: PlanContext): Planned {
  const items = element.items;
  const copyAll: Planned = { segments: [{ kind: 'copy', start: element.start, end: element.end }], size: element.end - element.start, changed: false };
  if (!items || ![...itemEdits.keys()].some((index) => index < items.length)) return copyAll;
  const itemEncoding = element.itemEncoding ?? context.encoding;
  const itemContext: PlanContext = { ...context, encoding: itemEncoding };
  const body: Segment[] = [];
  items.forEach((item, index) => {
    const edits = itemEdits.get(index);
    body.push(...(edits ? planItem(item, edits, itemContext) : [{ kind: 'copy', start: item.start, end: item.end } as const]));
  });
  const bodySize = segmentSize(body);
  const header: Segment = element.undefinedLength
    ? { kind: 'copy', start: element.start, end: element.valueOffset }
    : { kind: 'bytes', bytes: withLength(context.bytes(element.start, element.valueOffset), bodySize, context.encoding.littleEndian) };
  const trailer: Segment = { kind: 'copy', start: element.valueOffset + element.valueLength, end: element.end };
  const segments = [header, ...body, trailer];
  return { segments, size: segmentSize(segments), changed: true };
}

function planItem(item: DicomItem, edits: DataSetEdits, context: PlanContext): Segment[] {
  const body = planDataSet(item.elements, edits, context);
  const header: Segment = item.undefinedLength
    ? { kind: 'copy', start: item.start, end: item.valueOffset }
    : { kind: 'bytes', bytes: encodeMarker(ITEM, segmentSize(body), context.encoding.littleEndian) };
  return [header, ...body, { kind: 'copy', start: item.valueOffset + item.valueLength, end: item.end }];
}

/** A copy of a defined-length header with its trailing 4-byte length replaced. */
function withLength(header: Uint8Array, length: number, littleEndian: boolean): Uint8Array {
  const out = Buffer.from(header);
  byteOrderOf(littleEndian).writeUint32(out, out.length - 4, length);
  return out;
}

function planNew(tag: Tag, vrGiven: Vr | undefined, value: ElementValue, context: PlanContext): Planned {
  const bytes = encodeNewShared(tag, vrGiven ?? defaultVrOf(tag), value, context);
  return { segments: [{ kind: 'bytes', bytes }], size: bytes.length, changed: true };
}
