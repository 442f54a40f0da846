import { valueVrOf } from '../dicom/element-access.js';
import type { DicomElement } from '../dicom/model.js';
import { isPrivateCreatorTag, isPrivateTag, type Tag } from '../dicom/tag.js';
import type { ElementRule, Scope } from './nested-rules.js';
import { appliedStandardOptions, retainsUids, type DeidOptions } from './options.js';
import { SAFE_PRIVATE_BLOCKS } from './safe-private.generated.js';

/**
 * PS3.15 Retain Safe Private Option (E.3.10): the private elements that the list in
 * safe-private.generated.ts names by private creator, odd group and offset in the block are kept;
 * every other private element goes, and a private creator goes with its block unless something of
 * the block stays. The creator is what identifies an element, never the raw tag: a block may sit
 * at any (gggg,00xx), so the decision is per data set, made here for the planner and `verify` alike.
 */

/** The condition a listed element is kept under (see the generated list). */
type Condition = 'none' | 'K' | 'U' | 'C';

interface SafeElement {
  /** The VR the list gives, '' when it gives none. */
  readonly vr: string;
  readonly condition: Condition;
}

type Offsets = ReadonlyMap<number, SafeElement>;

let byCreator: ReadonlyMap<string, ReadonlyMap<number, Offsets>> | undefined;

/** creator → odd group → offset → element; built on first use, so a batch without the option never builds it. */
function safeList(): ReadonlyMap<string, ReadonlyMap<number, Offsets>> {
  if (byCreator) return byCreator;
  const creators = new Map<string, Map<number, Offsets>>();
  for (const [creator, group, elements] of SAFE_PRIVATE_BLOCKS) {
    const offsets = new Map<number, SafeElement>();
    for (const entry of elements.split(' ')) {
      const [, offset = '', vr = '', condition = 'none'] = /^([0-9A-F]{2})(?::([A-Z]{2}))?(?:\/([KUC]))?$/.exec(entry) ?? [];
      if (offset === '') throw new Error(`safe private list: bad entry ${entry}`);
      offsets.set(Number.parseInt(offset, 16), { vr, condition: condition as Condition });
    }
    let groups = creators.get(creator);
    if (!groups) creators.set(creator, (groups = new Map()));
    groups.set(group, offsets);
  }
  return (byCreator = creators);
}

/** The listed elements of a creator's block in a group, if the list names that creator there. */
export function safeOffsets(creator: string, group: number): Offsets | undefined {
  return safeList().get(creator)?.get(group);
}

/** Whether the option applies: chosen, and private elements are being removed (keeping them all wins). */
export function retainsSafePrivate(options: DeidOptions): boolean {
  return appliedStandardOptions(options).includes('retain-safe-private');
}

/** Reads an element's value bytes: the planner's and `verify`'s own accessor for their file. */
export type ValueBytesOf = (element: DicomElement) => Uint8Array | undefined;

const ruleOf = (action: 'keep' | 'uid', items: Scope): ElementRule => ({ action, items, keepsStandardUids: false });
/** A kept element, by the scope of its data set: a private sequence's items are cleaned like those of a standard one there. */
const KEEP: Readonly<Record<Scope, ElementRule>> = { profile: ruleOf('keep', 'profile'), scrub: ruleOf('keep', 'scrub'), concept: ruleOf('keep', 'scrub'), clean: ruleOf('keep', 'clean') };
/** A real UID, kept as its keyed replacement (action U). */
const KEYED_UID = ruleOf('uid', 'scrub');

/** A fixed code string: code-string characters without spaces, at most a CS's 16; one value. Free text fails it. */
const CODE_STRING = /^[A-Z0-9_]{1,16}$/;

/**
 * The private elements of one data set (the top level or one item) that the option keeps, each
 * with its rule; any other private element follows the profile, which removes it. Undefined when
 * the data set keeps none. Reads only creator values, and values of the few listed elements with a
 * condition on their value; without a listed creator it only looks at each tag.
 */
export function safePrivateRules(elements: readonly DicomElement[], bytesOf: ValueBytesOf, scope: Scope, options: DeidOptions): ReadonlyMap<Tag, ElementRule> | undefined {
  // (group << 8 | block) → the listed offsets of the block's creator.
  let blocks: Map<number, Offsets> | undefined;
  for (const element of elements) {
    if (element.stray || !isPrivateCreatorTag(element.tag)) continue;
    const creator = creatorOf(bytesOf(element));
    const group = element.tag >>> 16;
    const offsets = creator === undefined ? undefined : safeOffsets(creator, group);
    if (offsets) (blocks ??= new Map()).set(group * 256 + (element.tag & 0xff), offsets);
  }
  if (!blocks) return undefined;
  let rules: Map<Tag, ElementRule> | undefined;
  for (const element of elements) {
    const low = element.tag & 0xffff;
    if (element.stray || low < 0x1000 || !isPrivateTag(element.tag)) continue;
    const group = element.tag >>> 16;
    const listed = blocks.get(group * 256 + (low >> 8))?.get(low & 0xff);
    const rule = listed && keptRule(listed, element, bytesOf, scope, options);
    if (!rule) continue;
    rules ??= new Map();
    rules.set(element.tag, rule);
    rules.set((group * 65_536 + (low >> 8)) >>> 0, KEEP[scope]);
  }
  return rules;
}

function keptRule(listed: SafeElement, element: DicomElement, bytesOf: ValueBytesOf, scope: Scope, options: DeidOptions): ElementRule | undefined {
  // A listed sequence whose items could not be read (UN of defined length) might hold anything, and cannot be cleaned.
  if (listed.vr === 'SQ' && !element.items && element.valueLength > 0) return undefined;
  switch (listed.condition) {
    case 'none':
    case 'K':
      return KEEP[scope];
    case 'U':
      // Read as UN (Implicit VR without a private dictionary) its value cannot be replaced as a UID: it goes.
      if (retainsUids(options)) return KEEP[scope];
      return valueVrOf(element) === 'UI' ? KEYED_UID : undefined;
    case 'C': {
      const text = paddedText(bytesOf(element), 16);
      return text !== undefined && CODE_STRING.test(text.trimStart()) ? KEEP[scope] : undefined;
    }
  }
}

/** A private creator value, compared exactly once its LO padding (trailing spaces, NULs) is gone. */
function creatorOf(bytes: Uint8Array | undefined): string | undefined {
  return paddedText(bytes, 64);
}

/** Bytes as Latin-1 text without trailing spaces and NULs; undefined when absent or longer than `max`. */
function paddedText(bytes: Uint8Array | undefined, max: number): string | undefined {
  if (!bytes) return undefined;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x00)) end--;
  if (end > max) return undefined;
  return String.fromCharCode(...bytes.subarray(0, end));
}
