import { byteOrderOf } from '../dicom/byte-order.js';
import { decodeValue } from '../dicom/decode-value.js';
import { lookupTag } from '../dicom/dictionary.js';
import { declaredCharacterSet, valueBytes, valueVrOf } from '../dicom/element-access.js';
import type { DicomElement, Encoding } from '../dicom/model.js';
import type { DicomFile } from '../dicom/read-file.js';
import { isGroupLengthTag, isPrivateTag, type Tag } from '../dicom/tag.js';
import type { Vr } from '../dicom/vr.js';
import { NeedleSet, type NeedleKind } from './clean-text.js';
import { ruleFor, type Scope } from './nested-rules.js';
import type { DeidOptions } from './options.js';
import { profileEntryFor } from './profile.js';

/**
 * Which values of the attributes a plan removes or replaces are identities to cut out of kept text:
 * names and dates wherever they are (any depth, named by the table or not), other short text only
 * where Table E.1-1 names the attribute (IDs, accession numbers, institution, department, station,
 * issuers, ...). Free text (ST, LT, UT) is content, not an identity, except addresses and phone numbers.
 */
const KIND_BY_VR: Partial<Record<Vr, NeedleKind>> = { PN: 'name', DA: 'date', DT: 'date', SH: 'text', LO: 'text', UC: 'text', AE: 'text' };
const KIND_BY_KEYWORD: readonly (readonly [RegExp, NeedleKind])[] = [
  [/Telephone|PhoneNumber/, 'phone'],
  [/Address|Telecom|Residence/, 'words'],
];
/** A person name's components that name the person (family, given, middle); prefix and suffix are titles. */
const NAME_COMPONENTS = 3;

/**
 * The identifying values of one file: every value of an attribute the plan for `options` removes,
 * empties, dummies, keys or shifts (and Patient ID and Name, which get the pseudonym), read with
 * the planner's own rules at every depth. Not the text that is itself cleaned or described (rows
 * with C in a Clean column), not the patient characteristics a Retain option may keep (sex, ethnic
 * group, ...), not private elements (their creators and codes are not identities). Undefined when
 * there is nothing to look for.
 */
export function collectNeedles(file: DicomFile, options: DeidOptions): RegExp | undefined {
  const found: Found[] = [];
  let key = '';
  const visit = (elements: readonly DicomElement[], encoding: Encoding, inherited: readonly string[], scope: Scope) => {
    const characterSet = declaredCharacterSet(elements, inherited, (element) => valueBytes(file, element));
    for (const element of elements) {
      if (element.stray || isGroupLengthTag(element.tag) || isPrivateTag(element.tag)) continue;
      const vr = valueVrOf(element);
      const rule = ruleFor(element.tag, vr, element.items !== undefined, scope, options);
      element.items?.forEach((item) => visit(item.elements, element.itemEncoding ?? encoding, characterSet, rule.items));
      if (element.items || rule.action === 'clean') continue;
      // A shift moves dates only: a time of day or a time zone under a shift rule is kept as it is.
      const kept = rule.action === 'keep' || (rule.action === 'shift' && vr !== 'DA' && vr !== 'DT');
      // What an option or a switched-off group keeps of the table's rows is kept as it is, also
      // where the same value stands in an attribute that goes (a Patient ID that is also the Study ID).
      if (kept && !profileEntryFor(element.tag)) continue;
      const kind = kept ? KIND_BY_VR[vr] : needleKind(element.tag, vr);
      if (!kind) continue;
      const bytes = valueBytes(file, element);
      if (!bytes || bytes.length === 0) continue;
      found.push({ kept, kind, vr, bytes, littleEndian: encoding.littleEndian, characterSet });
      key += `${kept ? 'k' : 'n'}${kind}${vr}${encoding.littleEndian ? 'l' : 'b'}${characterSet.join('\\')}\u0000${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}\u0001`;
    }
  };
  visit(file.dataSet, file.encoding, [], 'profile');
  // The files of one study carry the same identifying values: their matcher is worked out once.
  if (MATCHERS.has(key)) return MATCHERS.get(key);
  const needles = new NeedleSet();
  const keptValues = new NeedleSet();
  for (const { kept, kind, vr, bytes, littleEndian, characterSet } of found) {
    const decoded = decodeValue(vr, bytes, byteOrderOf(littleEndian), characterSet);
    if (decoded.kind !== 'text') continue;
    for (const value of decoded.values) addValue(kept ? keptValues : needles, value, kind);
  }
  const matcher = needles.matcher(keptValues);
  if (MATCHERS.size >= MAX_MATCHERS) MATCHERS.clear();
  MATCHERS.set(key, matcher);
  return matcher;
}

/** A value that gives needles (or, kept, takes them back), as the file holds it. */
interface Found {
  readonly kept: boolean;
  readonly kind: NeedleKind;
  readonly vr: Vr;
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly characterSet: readonly string[];
}

/** Matchers by the raw identifying values they were made of. */
const MATCHERS = new Map<string, RegExp | undefined>();
const MAX_MATCHERS = 256;

function addValue(needles: NeedleSet, value: string, kind: NeedleKind): void {
  if (kind !== 'name') return needles.add(value, kind);
  for (const group of value.split('=')) {
    for (const component of group.split('^').slice(0, NAME_COMPONENTS)) {
      needles.add(component, 'name');
      // "Müller-Lüdenscheidt", "Anna Maria": each part may be written alone.
      const parts = component.split(/[\s-]+/);
      if (parts.length > 1) for (const part of parts) needles.add(part, 'name');
    }
  }
}

/** Kinds already worked out by tag and VR: the same attributes recur in every file. */
const kinds = new Map<number, NeedleKind | null>();

function needleKind(tag: Tag, vr: Vr): NeedleKind | undefined {
  const key = tag * 1024 + (vr.charCodeAt(0) - 65) * 32 + (vr.charCodeAt(1) - 65);
  let kind = kinds.get(key);
  if (kind === undefined) {
    kind = workOutKind(tag, vr) ?? null;
    if (kinds.size < 65_536) kinds.set(key, kind);
  }
  return kind ?? undefined;
}

function workOutKind(tag: Tag, vr: Vr): NeedleKind | undefined {
  const entry = profileEntryFor(tag);
  if (entry) {
    const { cleanDescriptors, cleanStructuredContent, cleanGraphics, retainPatientCharacteristics } = entry.actions;
    // Descriptions are what gets cleaned; characteristics (sex, ethnic group) are not who someone is.
    if (cleanDescriptors === 'C' || cleanStructuredContent === 'C' || cleanGraphics === 'C' || retainPatientCharacteristics === 'K') return undefined;
    const keyword = entry.keyword;
    const byKeyword = KIND_BY_KEYWORD.find(([pattern]) => pattern.test(keyword));
    if (byKeyword && (vr === 'LO' || vr === 'SH' || vr === 'ST' || vr === 'LT' || vr === 'UC')) return byKeyword[1];
    return KIND_BY_VR[vr];
  }
  // Outside the table, only names and dates: a code meaning or a manufacturer is not an identity.
  const kind = KIND_BY_VR[vr];
  if (kind === 'name' || kind === 'date') return kind;
  // A telephone number the table does not name (a person's, inside an identification sequence).
  return vr === 'SH' || vr === 'LO' ? (/Telephone/.test(lookupTag(tag)?.keyword ?? '') ? 'phone' : undefined) : undefined;
}
