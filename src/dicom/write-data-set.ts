import type { DataSetEdits, ElementEdit, ElementValue, NewItem } from './edits.js';
import { defaultVrOf, encodeAsciiElement, encodeHeader, encodeMarker, encodeValue, headerSize, writeHeader } from './encode-value.js';
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
  // Built in one pass with neighbouring copies joined as they come: this runs for every file of a batch.
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

/** Collects output segments, joining neighbouring copies; a placeholder can be replaced later. */
class SegmentBuilder {
  private readonly out: Segment[] = [];
  private runStart = -1;
  private runEnd = -1;

  copy(start: number, end: number): void {
    if (end <= start) return;
    if (this.runStart >= 0 && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.endRun();
    this.runStart = start;
    this.runEnd = end;
  }

  push(segments: readonly Segment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'copy') this.copy(segment.start, segment.end);
      else if (segment.bytes.length > 0) {
        this.endRun();
        this.out.push(segment);
      }
    }
  }

  /** Adds bytes that no copy run may swallow; returns their index for replace(). */
  placeholder(bytes: Uint8Array): number {
    this.endRun();
    return this.out.push({ kind: 'bytes', bytes }) - 1;
  }

  replace(index: number, bytes: Uint8Array): void {
    this.out[index] = { kind: 'bytes', bytes };
  }

  segments(): Segment[] {
    this.endRun();
    return this.out;
  }

  private endRun(): void {
    if (this.runStart >= 0) this.out.push({ kind: 'copy', start: this.runStart, end: this.runEnd });
    this.runStart = -1;
  }
}

function planEdited(element: DicomElement, edit: ElementEdit, context: PlanContext): Planned {
  switch (edit.op) {
    case 'remove':
      return { segments: [], size: 0, changed: true };
    case 'set':
      return planNew(element.tag, edit.vr ?? valueVrOf(element), edit.value, context);
    case 'items':
      return planItems(element, edit.items, context);
  }
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
  littleEndian ? out.writeUInt32LE(length, out.length - 4) : out.writeUInt32BE(length, out.length - 4);
  return out;
}

function planNew(tag: Tag, vrGiven: Vr | undefined, value: ElementValue, context: PlanContext): Planned {
  const bytes = encodeNewShared(tag, vrGiven ?? defaultVrOf(tag), value, context);
  return { segments: [{ kind: 'bytes', bytes }], size: bytes.length, changed: true };
}

/** Encodes a whole new element, sequences (defined length) included. */
export function encodeNew(tag: Tag, vr: Vr, value: ElementValue, context: Pick<PlanContext, 'encoding' | 'characterSet'>): Uint8Array {
  if (typeof value === 'object' && 'items' in value) {
    const items = value.items.map((item) => encodeItem(item, context));
    const length = items.reduce((sum, bytes) => sum + bytes.length, 0);
    return Buffer.concat([encodeHeader(tag, 'SQ', length, context.encoding), ...items]);
  }
  if (typeof value === 'string') {
    const direct = encodeAsciiElement(tag, vr, value, context.encoding);
    if (direct) return direct;
  }
  const valueBytes = encodeValue(tag, vr, value, context.encoding.littleEndian, context.characterSet);
  const out = Buffer.allocUnsafe(headerSize(vr, context.encoding) + valueBytes.length);
  out.set(valueBytes, writeHeader(out, 0, tag, vr, valueBytes.length, context.encoding));
  return out;
}

// The same new sequences go into file after file (the de-identification markers, emptied
// sequences): each sequence object is encoded once per encoding and its bytes shared, read-only.
const sharedSequences = new WeakMap<object, Map<string, Uint8Array>>();

/**
 * So do most new text values: the empty and dummy values, a patient's pseudonym, the new study,
 * series and frame of reference UIDs. Encoded elements are kept per encoding, tag and value and
 * shared, read-only; a tag whose values keep changing (the SOP Instance UID) starts over at a bound.
 */
const sharedTexts: Map<Tag, Map<string, { readonly vr: Vr; readonly bytes: Uint8Array }>>[] = [new Map(), new Map(), new Map(), new Map()];
const SHARED_TEXTS_PER_TAG = 64;

function encodeNewShared(tag: Tag, vr: Vr, value: ElementValue, context: PlanContext): Uint8Array {
  if (typeof value === 'string') return encodeTextShared(tag, vr, value, context);
  if (typeof value !== 'object' || !('items' in value)) return encodeNew(tag, vr, value, context);
  let cache = sharedSequences.get(value);
  if (!cache) sharedSequences.set(value, (cache = new Map()));
  const key = `${tag}|${context.encoding.explicitVr ? 'E' : 'I'}${context.encoding.littleEndian ? 'L' : 'B'}|${context.characterSet.join('\\')}`;
  let bytes = cache.get(key);
  if (!bytes) {
    bytes = encodeNew(tag, vr, value, context);
    cache.set(key, bytes);
  }
  return bytes;
}

function encodeTextShared(tag: Tag, vr: Vr, value: string, context: PlanContext): Uint8Array {
  const byEncoding = sharedTexts[(context.encoding.explicitVr ? 2 : 0) + (context.encoding.littleEndian ? 1 : 0)] as (typeof sharedTexts)[number];
  let byValue = byEncoding.get(tag);
  const known = byValue?.get(value);
  // The VR is checked: it sets the header and the padding, and an element's VR can differ from file
  // to file (private and UN elements). Only ASCII values are shared: they encode the same under
  // every character set.
  if (known?.vr === vr) return known.bytes;
  const bytes = encodeAsciiElement(tag, vr, value, context.encoding);
  if (!bytes) return encodeNew(tag, vr, value, context);
  if (!byValue) byEncoding.set(tag, (byValue = new Map()));
  if (byValue.size >= SHARED_TEXTS_PER_TAG) byValue.clear();
  byValue.set(value, { vr, bytes });
  return bytes;
}

function encodeItem(item: NewItem, context: Pick<PlanContext, 'encoding' | 'characterSet'>): Uint8Array {
  const body = [...item].sort((a, b) => a.tag - b.tag).map((element) => encodeNew(element.tag, element.vr ?? defaultVrOf(element.tag), element.value, context));
  const length = body.reduce((sum, bytes) => sum + bytes.length, 0);
  return Buffer.concat([encodeMarker(ITEM, length, context.encoding.littleEndian), ...body]);
}
