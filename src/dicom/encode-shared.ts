// The same new elements go into file after file: each is encoded once and its bytes shared, read-only.
import type { ElementValue } from './edits.js';
import { encodeNew, type EncodeContext } from './encode-element.js';
import { encodeAsciiElement } from './encode-value.js';
import type { Tag } from './tag.js';
import type { Vr } from './vr.js';

/** New sequences (the de-identification markers, emptied sequences): kept per sequence object and encoding. */
const sharedSequences = new WeakMap<object, Map<string, Uint8Array>>();

/**
 * Most new text values (the empty and dummy values, a patient's pseudonym, the new study, series
 * and frame of reference UIDs): kept per encoding, tag and value; a tag whose values keep changing
 * (the SOP Instance UID) starts over at a bound.
 */
const sharedTexts: Map<Tag, Map<string, { readonly vr: Vr; readonly bytes: Uint8Array }>>[] = [new Map(), new Map(), new Map(), new Map()];
const SHARED_TEXTS_PER_TAG = 64;

/** encodeNew(), with the bytes of repeated text values and sequences shared between calls. */
export function encodeNewShared(tag: Tag, vr: Vr, value: ElementValue, context: EncodeContext): Uint8Array {
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

function encodeTextShared(tag: Tag, vr: Vr, value: string, context: EncodeContext): Uint8Array {
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
