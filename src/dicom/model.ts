import type { Tag } from './tag.js';
import type { Vr } from './vr.js';

/** How a data set's elements are encoded. Items of a UN sequence (CP-246) may differ from their parent. */
export interface Encoding {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}

export const IMPLICIT_LITTLE: Encoding = { explicitVr: false, littleEndian: true };
export const EXPLICIT_LITTLE: Encoding = { explicitVr: true, littleEndian: true };
export const EXPLICIT_BIG: Encoding = { explicitVr: true, littleEndian: false };

/**
 * One data element, recorded by byte offsets into its data set's coordinate space (file offsets,
 * or offsets into the inflated data set for deflated files). Values are decoded only on demand.
 */
export interface DicomElement {
  readonly tag: Tag;
  /** The VR in the file (explicit) or from the dictionary (implicit: UN when unknown). */
  readonly vr: Vr;
  /** Offset of the tag: the element's first byte. */
  readonly start: number;
  /** Offset of the value's first byte. */
  readonly valueOffset: number;
  /** Value length in bytes, without any delimitation item. */
  readonly valueLength: number;
  readonly undefinedLength: boolean;
  /** Offset just past the element, including its Sequence Delimitation Item. */
  readonly end: number;
  /** Present when the value was read as a sequence of items (SQ, or UN holding a sequence). */
  readonly items?: readonly DicomItem[];
  /** Encoding of those items; differs from the parent for UN sequences (implicit VR LE, CP-246). */
  readonly itemEncoding?: Encoding;
  /** Present for encapsulated pixel data: the Basic Offset Table item first, then the fragments. */
  readonly fragments?: readonly Fragment[];
  /** A stray Item or Delimitation tag at data set level, kept so it is copied verbatim. */
  readonly stray?: true;
}

export interface DicomItem {
  readonly start: number;
  readonly valueOffset: number;
  readonly valueLength: number;
  readonly undefinedLength: boolean;
  /** Offset just past the item, including its Item Delimitation Item. */
  readonly end: number;
  readonly elements: readonly DicomElement[];
}

export interface Fragment {
  readonly start: number;
  readonly valueOffset: number;
  readonly valueLength: number;
}

export const UNDEFINED_LENGTH = 0xffffffff;
