import type { ElementValue, NewItem } from './edits.js';
import { defaultVrOf, encodeAsciiElement, encodeHeader, encodeMarker, encodeValue, headerSize, writeHeader } from './encode-value.js';
import type { Encoding } from './model.js';
import { ITEM, type Tag } from './tag.js';
import type { Vr } from './vr.js';

/** What a new element's bytes depend on besides its value. */
export interface EncodeContext {
  readonly encoding: Encoding;
  /** Specific Character Set in force at this level (items inherit it). */
  readonly characterSet: readonly string[];
}

/** Encodes a whole new element, sequences (defined length) included. */
export function encodeNew(tag: Tag, vr: Vr, value: ElementValue, context: EncodeContext): Uint8Array {
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

function encodeItem(item: NewItem, context: EncodeContext): Uint8Array {
  const body = [...item].sort((a, b) => a.tag - b.tag).map((element) => encodeNew(element.tag, element.vr ?? defaultVrOf(element.tag), element.value, context));
  const length = body.reduce((sum, bytes) => sum + bytes.length, 0);
  return Buffer.concat([encodeMarker(ITEM, length, context.encoding.littleEndian), ...body]);
}
