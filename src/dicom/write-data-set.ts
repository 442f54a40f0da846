import type { DataSetEdits, ElementEdit, ElementValue, NewItem } from './edits.js';
import { defaultVrOf, encodeHeader, encodeMarker, encodeValue } from './encode-value.js';
import { declaredCharacterSet, valueVrOf } from './element-access.js';
import type { DicomElement, DicomItem, Encoding } from './model.js';
import { ITEM, isGroupLengthTag, tagGroup, type Tag } from './tag.js';
import type { Vr } from './vr.js';

/** Output is a list of segments: bytes copied verbatim from the source, or new bytes. */
export type Segment =
  | { readonly kind: 'copy'; readonly start: number; readonly end: number }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

export function segmentSize(segments: readonly Segment[]): number {
  let size = 0;
  for (const segment of segments) size += segment.kind === 'copy' ? segment.end - segment.start : segment.bytes.length;
  return size;
}

/** Joins neighbouring copies so the executor makes one read for each untouched run. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const segment of segments) {
    const last = out[out.length - 1];
    if (segment.kind === 'copy' && last?.kind === 'copy' && last.end === segment.start) {
      out[out.length - 1] = { kind: 'copy', start: last.start, end: segment.end };
    } else if (segment.kind === 'copy' ? segment.end > segment.start : segment.bytes.length > 0) {
      out.push(segment);
    }
  }
  return out;
}

export interface PlanContext {
  readonly encoding: Encoding;
  /** Specific Character Set in force at this level (items inherit it). */
  readonly characterSet: readonly string[];
  /** Bytes of the source in the data set's space; only headers and small values are asked for. */
  readonly bytes: (start: number, end: number) => Uint8Array;
}

interface Planned {
  readonly tag: Tag;
  readonly segments: readonly Segment[];
  readonly size: number;
  readonly changed: boolean;
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
  const levelContext = { ...context, characterSet };
  const present = new Set(elements.map((element) => element.tag));
  const additions = [...edits.entries()]
    .filter(([tag, edit]) => edit.op === 'set' && !present.has(tag))
    .sort(([a], [b]) => a - b);
  const planned: Planned[] = [];
  let next = 0;
  for (const element of elements) {
    while (!element.stray && next < additions.length && (additions[next]?.[0] ?? Infinity) < element.tag) {
      const [tag, edit] = additions[next++] as [Tag, ElementEdit & { op: 'set' }];
      planned.push(planNew(tag, edit.vr, edit.value, levelContext));
    }
    const edit = element.stray ? undefined : edits.get(element.tag);
    if (edit) planned.push(...planEdited(element, edit, levelContext));
    else planned.push({ tag: element.tag, segments: [{ kind: 'copy', start: element.start, end: element.end }], size: element.end - element.start, changed: false });
  }
  for (const [tag, edit] of additions.slice(next) as [Tag, ElementEdit & { op: 'set' }][]) {
    planned.push(planNew(tag, edit.vr, edit.value, levelContext));
  }
  const changedGroups = new Set(planned.filter((entry) => entry.changed).map((entry) => tagGroup(entry.tag)));
  for (const element of elements) {
    if (!element.stray && edits.get(element.tag)?.op === 'remove') changedGroups.add(tagGroup(element.tag));
  }
  return mergeSegments(recomputeGroupLengths(planned, changedGroups, levelContext).flatMap((entry) => entry.segments));
}

function planEdited(element: DicomElement, edit: ElementEdit, context: PlanContext): Planned[] {
  switch (edit.op) {
    case 'remove':
      return [];
    case 'set': {
      const vr = edit.vr ?? valueVrOf(element);
      return [planNew(element.tag, vr, edit.value, context)];
    }
    case 'items':
      return [planItems(element, edit.items, context)];
  }
}

function planItems(element: DicomElement, itemEdits: ReadonlyMap<number, DataSetEdits>, context: PlanContext): Planned {
  const items = element.items;
  const copyAll: Planned = { tag: element.tag, segments: [{ kind: 'copy', start: element.start, end: element.end }], size: element.end - element.start, changed: false };
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
  return { tag: element.tag, segments, size: segmentSize(segments), changed: true };
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
  littleEndian ? out.writeUInt32LE(length, out.length - 4) : out.writeUInt32BE(length, out.length - 4);
  return out;
}

function planNew(tag: Tag, vrGiven: Vr | undefined, value: ElementValue, context: PlanContext): Planned {
  const bytes = encodeNew(tag, vrGiven ?? defaultVrOf(tag), value, context);
  return { tag, segments: [{ kind: 'bytes', bytes }], size: bytes.length, changed: true };
}

/** Encodes a whole new element, sequences (defined length) included. */
export function encodeNew(tag: Tag, vr: Vr, value: ElementValue, context: Pick<PlanContext, 'encoding' | 'characterSet'>): Uint8Array {
  if (typeof value === 'object' && 'items' in value) {
    const items = value.items.map((item) => encodeItem(item, context));
    const length = items.reduce((sum, bytes) => sum + bytes.length, 0);
    return Buffer.concat([encodeHeader(tag, 'SQ', length, context.encoding), ...items]);
  }
  const valueBytes = encodeValue(tag, vr, value, context.encoding.littleEndian, context.characterSet);
  return Buffer.concat([encodeHeader(tag, vr, valueBytes.length, context.encoding), valueBytes]);
}

function encodeItem(item: NewItem, context: Pick<PlanContext, 'encoding' | 'characterSet'>): Uint8Array {
  const body = [...item].sort((a, b) => a.tag - b.tag).map((element) => encodeNew(element.tag, element.vr ?? defaultVrOf(element.tag), element.value, context));
  const length = body.reduce((sum, bytes) => sum + bytes.length, 0);
  return Buffer.concat([encodeMarker(ITEM, length, context.encoding.littleEndian), ...body]);
}

/** Group length elements of changed groups are rewritten to the new sum of their group's element sizes. */
function recomputeGroupLengths(planned: readonly Planned[], changedGroups: ReadonlySet<number>, context: PlanContext): Planned[] {
  return planned.map((entry) => {
    const group = tagGroup(entry.tag);
    if (!isGroupLengthTag(entry.tag) || !changedGroups.has(group)) return entry;
    const length = planned.filter((other) => tagGroup(other.tag) === group && other !== entry).reduce((sum, other) => sum + other.size, 0);
    const bytes = encodeNew(entry.tag, 'UL', [length], context);
    return { ...entry, segments: [{ kind: 'bytes', bytes }], size: bytes.length, changed: true };
  });
}
