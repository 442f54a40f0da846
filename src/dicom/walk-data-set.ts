import { byteOrderOf, type ByteOrder } from './byte-order.js';
import { implicitVrOf, lookupTag } from './dictionary.js';
import { MalformedDicomError, TruncatedDicomError } from './errors.js';
import { IMPLICIT_LITTLE, EXPLICIT_LITTLE, UNDEFINED_LENGTH, type DicomElement, type DicomItem, type Encoding, type Fragment } from './model.js';
import {
  ITEM,
  ITEM_DELIMITATION,
  PIXEL_REPRESENTATION,
  SEQUENCE_DELIMITATION,
  formatTag,
  isPixelDataTag,
  makeTag,
  type Tag,
} from './tag.js';
import { hasShortLength, isVr, type Vr } from './vr.js';
import { tagInMessage } from './tag-in-message.js';

/** Random access to the bytes being walked, in the data set's coordinate space. */
export interface ByteSource {
  /** Offset just past the last byte of data (file size, or inflated length). */
  readonly dataEnd: number;
  /**
   * A view holding at least `length` bytes from `position`, and the index of `position` in it.
   * May throw NeedMoreBytes when the bytes exist but are not loaded.
   */
  view(position: number, length: number): { readonly bytes: Uint8Array; readonly index: number };
}

/** Thrown by an in-memory source when the walk needs bytes beyond what was loaded. */
export class NeedMoreBytes extends Error {
  constructor(readonly upTo: number) {
    super(`need bytes up to offset ${upTo}`);
  }
}

/** Bytes already in memory: `bytes[0]` is at offset `base`. */
export class MemorySource implements ByteSource {
  constructor(
    readonly bytes: Uint8Array,
    readonly base: number,
    readonly dataEnd: number,
  ) {}

  view(position: number, length: number) {
    if (position < this.base) throw new RangeError(`offset ${position} is before the loaded window`);
    if (position + length > this.base + this.bytes.length) throw new NeedMoreBytes(position + length);
    return { bytes: this.bytes, index: position - this.base };
  }
}

/** Where the top-level walk stopped: the Pixel Data element header, value not read. */
export type PixelDataHeader = Pick<DicomElement, 'tag' | 'vr' | 'start' | 'valueOffset' | 'valueLength' | 'undefinedLength'>;

export interface WalkResult {
  readonly elements: DicomElement[];
  readonly pixelData?: PixelDataHeader;
}

export interface WalkOptions {
  /** Stop at top-level Pixel Data (7FE0,0010/0008/0009) without reading its value. */
  readonly stopAtPixelData?: boolean;
  /** Non-fatal oddities are appended here instead of thrown. */
  readonly warnings?: string[];
}

/** Sequences nest far less than this in real files; the limit keeps a hostile file from exhausting the stack. */
const MAX_DEPTH = 200;

interface Header {
  readonly tag: Tag;
  readonly vr: Vr;
  readonly length: number;
  readonly valueOffset: number;
}

/**
 * Walks DICOM data sets and records every element by offsets. Our own walk (not dicom-parser's)
 * because anonymizing needs what dicom-parser does not give: the closed set of short-length VRs
 * (OV/SV/UV), CP-246 UN sequences in any byte order, exact header offsets, a stop before Pixel
 * Data with the rest left on disk, and typed errors with tag and offset instead of thrown strings.
 */
export class DataSetWalker {
  private readonly warnings: string[];
  private signedPixels = false;

  constructor(
    private readonly source: ByteSource,
    options: { readonly warnings?: string[] } = {},
  ) {
    this.warnings = options.warnings ?? [];
  }

  /** Walks a whole data set from `start` to `end` (default: the end of data). */
  walk(start: number, encoding: Encoding, options: WalkOptions & { readonly end?: number } = {}): WalkResult {
    const end = options.end ?? this.source.dataEnd;
    const result = this.readElements(start, end, encoding, 0, false, options.stopAtPixelData === true);
    if ('stop' in result) return { elements: result.elements, pixelData: result.stop };
    return { elements: result.elements };
  }

  /** Reads the fragments of an encapsulated value starting at `valueOffset`; returns them and the element end. */
  readFragments(tag: Tag, valueOffset: number, encoding: Encoding): { fragments: Fragment[]; valueLength: number; end: number } {
    const order = byteOrderOf(encoding.littleEndian);
    const fragments: Fragment[] = [];
    let position = valueOffset;
    for (;;) {
      const { itemTag, length } = this.readMarker(position, order, tag, 'encapsulated pixel data never ends (no Sequence Delimitation Item)');
      if (itemTag === SEQUENCE_DELIMITATION) {
        return { fragments, valueLength: position - valueOffset, end: position + 8 };
      }
      if (itemTag !== ITEM || length === UNDEFINED_LENGTH) {
        throw new MalformedDicomError(`expected a fragment item in encapsulated ${tagInMessage(tag)}, found ${tagInMessage(itemTag)}`, { tag, offset: position });
      }
      this.requireWithinData(position + 8, length, tag, 'fragment');
      fragments.push({ start: position, valueOffset: position + 8, valueLength: length });
      position += 8 + length;
    }
  }

  private readElements(
    start: number,
    end: number,
    encoding: Encoding,
    depth: number,
    untilItemDelimiter: boolean,
    stopAtPixelData: boolean,
    owner?: Tag,
  ): { elements: DicomElement[]; position: number } | { elements: DicomElement[]; position: number; stop: PixelDataHeader } {
    if (depth > MAX_DEPTH) throw new MalformedDicomError(`sequences nested deeper than ${MAX_DEPTH} levels`, { offset: start });
    const order = byteOrderOf(encoding.littleEndian);
    const elements: DicomElement[] = [];
    let position = start;
    while (untilItemDelimiter || position < end) {
      if (position + 8 > end) {
        if (untilItemDelimiter) {
          const of = owner === undefined ? '' : ` of sequence ${tagInMessage(owner)}`;
          throw this.endOfDataError(position, end, `an item${of} of undefined length is never closed (no Item Delimitation Item)`, owner);
        }
        throw this.endOfDataError(position, end, `${end - position} stray bytes where an element header (8 bytes) should start`);
      }
      const peek = this.source.view(position, 4);
      const group = order.uint16(peek.bytes, peek.index);
      if (group === 0xfffe) {
        const { itemTag, length } = this.readMarker(position, order, undefined, '');
        if (itemTag === ITEM_DELIMITATION && untilItemDelimiter) return { elements, position };
        // A delimiter where none belongs (seen after empty private sequences): keep its bytes, note it.
        if (itemTag === ITEM || length !== 0) {
          const where = owner === undefined ? 'in the data set' : `in an item of ${tagInMessage(owner)} (a missing Item Delimitation Item?)`;
          throw new MalformedDicomError(`unexpected ${tagInMessage(itemTag)} ${where}`, { tag: owner ?? itemTag, offset: position });
        }
        this.warnings.push(`stray ${formatTag(itemTag)} at byte offset ${position} kept as is`);
        elements.push({ tag: itemTag, vr: 'UN', start: position, valueOffset: position + 8, valueLength: 0, undefinedLength: false, end: position + 8, stray: true });
        position += 8;
        continue;
      }
      const header = this.readHeader(position, encoding, order);
      if (stopAtPixelData && depth === 0 && isPixelDataTag(header.tag)) {
        const undefinedLength = header.length === UNDEFINED_LENGTH;
        if (!undefinedLength) this.requireWithinData(header.valueOffset, header.length, header.tag, 'value');
        return {
          elements,
          position,
          stop: { tag: header.tag, vr: header.vr, start: position, valueOffset: header.valueOffset, valueLength: undefinedLength ? 0 : header.length, undefinedLength },
        };
      }
      const element = this.readValue(position, header, encoding, depth, end);
      if (element.tag === PIXEL_REPRESENTATION && depth === 0 && element.valueLength >= 2) {
        const value = this.source.view(element.valueOffset, 2);
        this.signedPixels = order.uint16(value.bytes, value.index) === 1;
      }
      elements.push(element);
      position = element.end;
    }
    if (position !== end) {
      throw new MalformedDicomError('an element runs past the end of its enclosing item', { offset: position });
    }
    return { elements, position };
  }

  private readHeader(position: number, encoding: Encoding, order: ByteOrder): Header {
    const head = this.source.view(position, 8);
    const tag = makeTag(order.uint16(head.bytes, head.index), order.uint16(head.bytes, head.index + 2));
    if (!encoding.explicitVr) {
      return { tag, vr: implicitVrOf(tag, { signedPixels: this.signedPixels }), length: order.uint32(head.bytes, head.index + 4), valueOffset: position + 8 };
    }
    const first = head.bytes[head.index + 4] ?? 0;
    const second = head.bytes[head.index + 5] ?? 0;
    const vrText = String.fromCharCode(first, second);
    if (!isVr(vrText)) {
      // The two bytes are not named: where the walk is lost they are a value's.
      const letters = /^[A-Z]{2}$/.test(vrText);
      throw new MalformedDicomError(letters ? 'unknown VR (two letters that name no VR)' : 'invalid VR bytes (not two upper-case letters)', { tag, offset: position + 4 });
    }
    if (hasShortLength(vrText)) {
      return { tag, vr: vrText, length: order.uint16(head.bytes, head.index + 6), valueOffset: position + 8 };
    }
    if (position + 12 > this.source.dataEnd) throw this.endOfDataError(position, this.source.dataEnd, `element header of ${tagInMessage(tag)} is cut off`);
    const long = this.source.view(position + 8, 4);
    return { tag, vr: vrText, length: order.uint32(long.bytes, long.index), valueOffset: position + 12 };
  }

  private readValue(start: number, header: Header, encoding: Encoding, depth: number, limit: number): DicomElement {
    const { tag, vr, length, valueOffset } = header;
    if (length === UNDEFINED_LENGTH) {
      const sequenceEncoding = this.undefinedLengthSequenceEncoding(vr, encoding);
      if (sequenceEncoding) {
        const read = this.readItems(tag, valueOffset, undefined, sequenceEncoding, depth, limit);
        return { tag, vr, start, valueOffset, valueLength: read.valueLength, undefinedLength: true, end: read.end, items: read.items, itemEncoding: sequenceEncoding };
      }
      if (vr === 'OB' || vr === 'OW' || isPixelDataTag(tag)) {
        const read = this.readFragments(tag, valueOffset, encoding);
        return { tag, vr, start, valueOffset, valueLength: read.valueLength, undefinedLength: true, end: read.end, fragments: read.fragments };
      }
      throw new MalformedDicomError('an undefined length where the VR allows only a defined one', { tag, offset: start });
    }
    if (valueOffset + length > limit) {
      if (valueOffset + length > this.source.dataEnd) {
        throw new TruncatedDicomError(`the value of ${tagInMessage(tag)} is longer than the ${Math.max(0, this.source.dataEnd - valueOffset)} bytes that remain`, { tag, offset: start });
      }
      throw new MalformedDicomError(`the length of ${tagInMessage(tag)} runs past the end of its enclosing item or sequence`, { tag, offset: start });
    }
    // Objects are built whole, not spread: spreading on this hot path is several times slower.
    const plain: DicomElement = { tag, vr, start, valueOffset, valueLength: length, undefinedLength: false, end: valueOffset + length };
    if (vr === 'SQ' && (encoding.explicitVr || length === 0 || this.startsWithItem(valueOffset, length, encoding))) {
      const read = this.readItems(tag, valueOffset, length, encoding, depth, limit);
      return { tag, vr, start, valueOffset, valueLength: read.valueLength, undefinedLength: false, end: read.end, items: read.items, itemEncoding: encoding };
    }
    if (vr === 'SQ') {
      // Implicit VR, and the dictionary's SQ disagrees with the bytes (a retired tag reused with another VR).
      this.warnings.push(`${formatTag(tag)} at byte offset ${start} is a sequence in the dictionary but holds no items; read as UN`);
      this.source.view(valueOffset, length);
      return { tag, vr: 'UN', start, valueOffset, valueLength: length, undefinedLength: false, end: valueOffset + length };
    }
    for (const candidate of this.hiddenSequenceEncodings(tag, vr, encoding, valueOffset, length)) {
      const read = this.tryReadItems(tag, valueOffset, length, candidate, depth, limit);
      if (read) {
        const sequenceVr = encoding.explicitVr ? vr : 'SQ';
        return { tag, vr: sequenceVr, start, valueOffset, valueLength: read.valueLength, undefinedLength: false, end: read.end, items: read.items, itemEncoding: candidate };
      }
    }
    // Values must be in memory for later decoding and editing; only Pixel Data is left on disk.
    if (length > 0) this.source.view(valueOffset, length);
    return plain;
  }

  /** Undefined length means a sequence for SQ, and for UN (CP-246: items in Implicit VR LE whatever the parent's encoding). */
  private undefinedLengthSequenceEncoding(vr: Vr, encoding: Encoding): Encoding | undefined {
    if (vr === 'SQ') return encoding;
    if (vr === 'UN') return encoding.explicitVr ? IMPLICIT_LITTLE : encoding;
    return undefined;
  }

  /**
   * Defined-length UN values that hold items: a standard sequence sent as UN (its items should be
   * Implicit VR LE; some writers use Explicit VR LE), and in Implicit VR an unknown or private element
   * whose value starts with an Item tag.
   */
  private hiddenSequenceEncodings(tag: Tag, vr: Vr, encoding: Encoding, valueOffset: number, length: number): Encoding[] {
    if (vr !== 'UN' || !this.startsWithItem(valueOffset, length, encoding)) return [];
    if (!encoding.explicitVr) return [encoding];
    return lookupTag(tag)?.vrs[0] === 'SQ' ? [IMPLICIT_LITTLE, EXPLICIT_LITTLE] : [];
  }

  private startsWithItem(valueOffset: number, length: number, encoding: Encoding): boolean {
    if (length < 8) return false;
    const view = this.source.view(valueOffset, 4);
    const order = byteOrderOf(encoding.littleEndian);
    const littleEndianItem = byteOrderOf(true);
    const tag = makeTag(order.uint16(view.bytes, view.index), order.uint16(view.bytes, view.index + 2));
    const tagLittle = makeTag(littleEndianItem.uint16(view.bytes, view.index), littleEndianItem.uint16(view.bytes, view.index + 2));
    return tag === ITEM || tagLittle === ITEM;
  }

  private tryReadItems(tag: Tag, valueOffset: number, length: number, encoding: Encoding, depth: number, limit: number) {
    const saved = this.warnings.length;
    try {
      return this.readItems(tag, valueOffset, length, encoding, depth, limit);
    } catch (error) {
      if (!(error instanceof MalformedDicomError || error instanceof TruncatedDicomError)) throw error;
      this.warnings.length = saved;
      return undefined;
    }
  }

  private readItems(
    tag: Tag,
    valueOffset: number,
    definedLength: number | undefined,
    encoding: Encoding,
    depth: number,
    limit: number,
  ): { items: DicomItem[]; valueLength: number; end: number } {
    const order = byteOrderOf(encoding.littleEndian);
    const items: DicomItem[] = [];
    const end = definedLength === undefined ? limit : valueOffset + definedLength;
    let position = valueOffset;
    for (;;) {
      if (definedLength !== undefined && position >= end) {
        if (position > end) throw new MalformedDicomError(`items of ${tagInMessage(tag)} run past its length`, { tag, offset: position });
        return { items, valueLength: definedLength, end };
      }
      if (position + 8 > end) {
        throw this.endOfDataError(position, end, `sequence ${tagInMessage(tag)} is never closed (no Sequence Delimitation Item)`, tag);
      }
      const { itemTag, length } = this.readMarker(position, order, tag, '');
      if (itemTag === SEQUENCE_DELIMITATION) {
        if (definedLength === undefined) return { items, valueLength: position - valueOffset, end: position + 8 };
        throw new MalformedDicomError(`Sequence Delimitation Item inside ${tagInMessage(tag)}, which has a defined length`, { tag, offset: position });
      }
      if (itemTag !== ITEM) {
        throw new MalformedDicomError(`expected an item in sequence ${tagInMessage(tag)}, found ${tagInMessage(itemTag)}`, { tag, offset: position });
      }
      const itemValueOffset = position + 8;
      if (length === UNDEFINED_LENGTH) {
        const read = this.readElements(itemValueOffset, end, encoding, depth + 1, true, false, tag);
        items.push({ start: position, valueOffset: itemValueOffset, valueLength: read.position - itemValueOffset, undefinedLength: true, end: read.position + 8, elements: read.elements });
        position = read.position + 8;
        continue;
      }
      if (itemValueOffset + length > end) {
        if (itemValueOffset + length > this.source.dataEnd) {
          throw new TruncatedDicomError(`an item of ${tagInMessage(tag)} is longer than the ${Math.max(0, this.source.dataEnd - itemValueOffset)} bytes that remain`, { tag, offset: position });
        }
        throw new MalformedDicomError(`an item of ${tagInMessage(tag)} runs past the end of its sequence`, { tag, offset: position });
      }
      const read = this.readElements(itemValueOffset, itemValueOffset + length, encoding, depth + 1, false, false);
      items.push({ start: position, valueOffset: itemValueOffset, valueLength: length, undefinedLength: false, end: itemValueOffset + length, elements: read.elements });
      position = itemValueOffset + length;
    }
  }

  /** Reads an Item or Delimitation tag and its 4-byte length; these have no VR in any encoding. */
  private readMarker(position: number, order: ByteOrder, owner: Tag | undefined, endProblem: string): { itemTag: Tag; length: number } {
    if (position + 8 > this.source.dataEnd) {
      throw this.endOfDataError(position, this.source.dataEnd, endProblem || 'an item header is cut off', owner);
    }
    const view = this.source.view(position, 8);
    const itemTag = makeTag(order.uint16(view.bytes, view.index), order.uint16(view.bytes, view.index + 2));
    return { itemTag, length: order.uint32(view.bytes, view.index + 4) };
  }

  private requireWithinData(valueOffset: number, length: number, tag: Tag, what: string): void {
    if (valueOffset + length > this.source.dataEnd) {
      throw new TruncatedDicomError(`a ${what} of ${tagInMessage(tag)} is longer than the ${Math.max(0, this.source.dataEnd - valueOffset)} bytes that remain`, { tag, offset: valueOffset });
    }
  }

  private endOfDataError(position: number, end: number, problem: string, tag?: Tag): Error {
    if (end >= this.source.dataEnd) return new TruncatedDicomError(problem, { tag, offset: position });
    return new MalformedDicomError(problem, { tag, offset: position });
  }
}
