import { byteOrderOf } from '../dicom/byte-order.js';
import { decodeValue } from '../dicom/decode-value.js';
import { lookupTag } from '../dicom/dictionary.js';
import { firstTextOf, type DataSetEdits, type ElementEdit } from '../dicom/edits.js';
import { declaredCharacterSet, textsAt, valueBytes, valueVrOf } from '../dicom/element-access.js';
import type { DicomElement, Encoding } from '../dicom/model.js';
import type { DicomFile } from '../dicom/read-file.js';
import { formatTag, isGroupLengthTag, tagGroup, type Tag } from '../dicom/tag.js';
import type { Vr } from '../dicom/vr.js';
import { collectNeedles } from './clean-needles.js';
import { CLEANABLE_VRS, cleanedValues, SAFETY_NET_VRS } from './clean-text.js';
import { shiftDa, shiftDt } from './date-shift.js';
import { placeholderDocument } from './document-placeholder.js';
import { dummyValue } from './dummy-values.js';
import { conformanceMarkers } from './markers.js';
import { keptMetaUid, metaInstanceUids } from './meta-uids.js';
import { dateModeOf, retainsUids, type DeidOptions } from './options.js';
import type { PatientKey, Pseudonymizer } from './pseudonyms.js';
import { patientPseudonym, type SubjectIds } from './subject-ids.js';
import { markerOptionsFor, pixelStep, type PixelStep } from './pixel-step.js';
import type { Rectangle } from '../pixels/blank-spans.js';
import { ruleFor, STANDARD_UID_ROOT, type ElementRule, type Scope } from './nested-rules.js';
import { retainsSafePrivate, safePrivateRules } from './safe-private.js';
import { siteRuleEdit } from './site-rule-edit.js';
import { keptItemsScope } from './site-rule-scope.js';
import { creatorReader, siteRulesAt, siteRulesShift, type LevelSiteRules } from './site-rules.js';

export const PATIENT_NAME = 0x00100010;
export const PATIENT_ID = 0x00100020;
export const ISSUER_OF_PATIENT_ID = 0x00100021;
const PATIENT_BIRTH_DATE = 0x00100030;
const SOP_INSTANCE_UID = 0x00080018;
const BURNED_IN_ANNOTATION = 0x00280301;

/** The edits that de-identify one file, and what they did (no values but the patient's ID pair). */
export interface DeidPlan {
  readonly edits: DataSetEdits;
  /** Edits of the File Meta Information: application entity titles, private meta information. */
  readonly metaEdits: DataSetEdits;
  readonly originalPatientId: string;
  readonly anonymizedPatientId: string;
  /** The attributes removed, emptied or replaced at any depth: keywords ((gggg,eeee) without one), in tag order, each once. */
  readonly tagsAnonymized: readonly string[];
  /** The UID attributes whose values were replaced by keyed UIDs: keywords, in tag order, each once. */
  readonly uidsRegenerated: readonly string[];
  /** Each distinct original UID this file's plan replaced, with its keyed replacement. */
  readonly uidPairs: readonly UidPair[];
  /** SOP Instance UID of the output (names the output file). */
  readonly sopInstanceUid: string | undefined;
  readonly dateShiftDays: number | undefined;
  /** PHI-free notes, e.g. a declared burned-in annotation the pixel data may still show. */
  readonly warnings: readonly string[];
  /** What happens to the pixels; a cleaned encapsulated image's Pixel Data is left to the pipeline to blank. */
  readonly pixels: PixelStep;
}

interface Level {
  readonly encoding: Encoding;
  readonly characterSet: readonly string[];
  readonly scope: Scope;
  /** Retain Safe Private: the private elements of this data set it keeps, by their creator (safe-private.ts). */
  readonly safePrivate?: ReadonlyMap<Tag, ElementRule> | undefined;
  /** The site rules of this data set; undefined without a rules file. */
  readonly site?: LevelSiteRules | undefined;
}

interface Context {
  readonly file: DicomFile;
  readonly options: DeidOptions;
  readonly keys: Pseudonymizer;
  readonly pseudonym: string;
  readonly shiftDays: number;
  readonly retainsSafePrivate: boolean;
  /** Tags changed and UID tags regenerated, at any depth; labelled once the plan is done. */
  readonly changed: Set<Tag>;
  readonly regenerated: Set<Tag>;
  readonly uidPairs: Map<string, string>;
  /** The file's identifying values as one matcher, collected on first use (a Clean option, or the safety net on kept text). */
  readonly needles: () => RegExp | undefined;
}

/** An original UID and the keyed UID that replaces it. */
export interface UidPair {
  readonly original: string;
  readonly anonymized: string;
}

/**
 * Plans the de-identification of a file: PS3.15 Table E.1-1 applied to every element at every
 * depth (items of every sequence, private sequences kept by option, sequences sent as UN), inside
 * the sequences the table dummies every attribute it does not name treated as D too (see
 * nested-rules.ts), with the product's options, keyed UIDs and pseudonyms, and the conformance
 * markers. Pure: reads only the
 * parsed file's header bytes.
 */
export function planDeidentification(file: DicomFile, options: DeidOptions, keys: Pseudonymizer, subjects?: SubjectIds, ocrBoxes?: readonly Rectangle[]): DeidPlan {
  // First: a refused image costs no further planning.
  const pixels = pixelStep(file, options, ocrBoxes);
  const textOf = textsAt(file, []);
  const patientKey = patientKeyFrom(textOf);
  const originalPatientId = textOf(PATIENT_ID).join('\\');
  const pseudonym = options.patient ? patientPseudonym(patientKey, originalPatientId, keys, subjects) : originalPatientId;
  const shiftDays = keys.dateShiftDays(patientKey);
  let needles: RegExp | undefined | null = null;
  const needlesOnce = () => (needles === null ? (needles = collectNeedles(file, options)) : needles);
  const context: Context = { file, options, keys, pseudonym, shiftDays, retainsSafePrivate: retainsSafePrivate(options), changed: new Set(), regenerated: new Set(), uidPairs: new Map(), needles: needlesOnce };
  const edits = new Map(cleanLevel(file.dataSet, { encoding: file.encoding, characterSet: [], scope: 'profile' }, context));
  for (const [tag, edit] of conformanceMarkers(file, markerOptionsFor(pixels, options), pixels.kind === 'cleaned' ? pixels.note : undefined)) edits.set(tag, edit);
  if (pixels.kind === 'cleaned') for (const [tag, edit] of pixels.edits) edits.set(tag, edit);

  const metaEdits = metaEditsFor(file, options, context);
  const sopInstanceUid = firstTextOf(edits.get(SOP_INSTANCE_UID)) ?? textOf(SOP_INSTANCE_UID)[0];
  // How the file was read (a missing transfer syntax, stray delimiters) is worth reporting; reader warnings hold no values.
  const warnings: string[] = [...file.warnings];
  if (pixels.kind !== 'cleaned' && (textOf(BURNED_IN_ANNOTATION)[0] ?? '').toUpperCase() === 'YES') {
    warnings.push('Burned In Annotation (0028,0301) is YES: the pixel data may show identifying text, and pixel data is not cleaned');
  }
  return {
    edits,
    metaEdits,
    originalPatientId,
    anonymizedPatientId: pseudonym,
    tagsAnonymized: labelsOf(context.changed),
    uidsRegenerated: labelsOf(context.regenerated),
    uidPairs: [...context.uidPairs].map(([original, anonymized]) => ({ original, anonymized })),
    sopInstanceUid,
    dateShiftDays: dateModeOf(options) === 'shift' || siteRulesShift(options.siteRules) ? shiftDays : undefined,
    warnings,
    pixels,
  };
}

/** Patient ID with its issuer; without an ID, name and birth date stand in so one patient still gets one pseudonym. */
export function patientKeyOf(file: DicomFile): PatientKey {
  return patientKeyFrom(textsAt(file, []));
}

function patientKeyFrom(textOf: (tag: Tag) => readonly string[]): PatientKey {
  const id = textOf(PATIENT_ID).join('\\').trim();
  const issuer = textOf(ISSUER_OF_PATIENT_ID).join('\\').trim();
  if (id !== '') return { id, issuer };
  return { id: `name:${textOf(PATIENT_NAME).join('\\')}|${textOf(PATIENT_BIRTH_DATE).join('')}`, issuer };
}

function cleanLevel(elements: readonly DicomElement[], level: Level, context: Context): Map<Tag, ElementEdit> {
  const characterSet = declaredCharacterSet(elements, level.characterSet, (element) => valueBytes(context.file, element));
  const safePrivate = context.retainsSafePrivate ? safePrivateRules(elements, (element) => valueBytes(context.file, element), level.scope, context.options) : undefined;
  const { siteRules } = context.options;
  const here: Level = { ...level, characterSet, safePrivate, site: siteRules && siteRulesAt(siteRules, elements, creatorReader(context.file)) };
  const edits = new Map<Tag, ElementEdit>();
  for (const element of elements) {
    // Stray delimiters are copied as they are; group lengths are recomputed by the writer, or go with their group.
    if (element.stray) continue;
    if (isGroupLengthTag(element.tag)) {
      if (ruleFor(element.tag, element.vr, false, here.scope, context.options).action === 'remove') edits.set(element.tag, { op: 'remove' });
      continue;
    }
    const edit = cleanElement(element, here, context);
    if (edit) edits.set(element.tag, edit);
  }
  removeEmptiedGroupLengths(elements, edits);
  placeDocument(elements, edits, here, context);
  return edits;
}

const ENCAPSULATED_DOCUMENT = 0x00420011;
const MIME_TYPE_OF_ENCAPSULATED_DOCUMENT = 0x00420012;
const ENCAPSULATED_DOCUMENT_LENGTH = 0x00420015;

/**
 * An encapsulated document the profile dummied (zeros) becomes a valid document of its MIME type
 * saying it was removed (document-placeholder.ts), and Encapsulated Document Length tells its
 * length without the NUL that pads it to even length (PS3.3 C.24.2). Other types keep the zeros.
 */
function placeDocument(elements: readonly DicomElement[], edits: Map<Tag, ElementEdit>, level: Level, context: Context): void {
  const edit = edits.get(ENCAPSULATED_DOCUMENT);
  if (edit?.op !== 'set' || !(edit.value instanceof Uint8Array) || edit.value.some((byte) => byte !== 0)) return;
  const mime = elements.find((element) => element.tag === MIME_TYPE_OF_ENCAPSULATED_DOCUMENT);
  const type = mime && textValues(mime, 'LO', level, context.file)?.[0];
  const document = type === undefined ? undefined : placeholderDocument(type);
  if (!document) return;
  const padded = new Uint8Array(document.length + (document.length % 2));
  padded.set(document);
  edits.set(ENCAPSULATED_DOCUMENT, { op: 'set', vr: edit.vr ?? 'OB', value: padded });
  if (elements.some((element) => element.tag === ENCAPSULATED_DOCUMENT_LENGTH)) {
    edits.set(ENCAPSULATED_DOCUMENT_LENGTH, { op: 'set', vr: 'UL', value: document.length });
    context.changed.add(ENCAPSULATED_DOCUMENT_LENGTH);
  }
}

/** A group length whose group lost every element goes too: an empty group is no group. */
function removeEmptiedGroupLengths(elements: readonly DicomElement[], edits: Map<Tag, ElementEdit>): void {
  // Most levels have no group length: look for one before doing any work.
  if (!elements.some((element) => !element.stray && isGroupLengthTag(element.tag) && !edits.has(element.tag))) return;
  const survives = new Map<number, boolean>();
  for (const element of elements) {
    if (element.stray || isGroupLengthTag(element.tag)) continue;
    const group = tagGroup(element.tag);
    survives.set(group, survives.get(group) === true || edits.get(element.tag)?.op !== 'remove');
  }
  for (const element of elements) {
    if (element.stray || !isGroupLengthTag(element.tag) || edits.has(element.tag)) continue;
    if (survives.get(tagGroup(element.tag)) === false) edits.set(element.tag, { op: 'remove' });
  }
}

function cleanElement(element: DicomElement, level: Level, context: Context): ElementEdit | undefined {
  const { options } = context;
  if ((element.tag === PATIENT_ID || element.tag === PATIENT_NAME) && options.patient) {
    return replaceIfDifferent(element, level, context, context.pseudonym);
  }
  const vr = valueVrOf(element);
  const rule = level.safePrivate?.get(element.tag) ?? ruleFor(element.tag, vr, element.items !== undefined, level.scope, options);
  const site = level.site?.ruleOf(element);
  if (site) return siteRuleEdit(site, element, vr, siteEditTools(element, level, keptItemsScope(rule), context));
  const { action } = rule;
  if (action === 'remove') {
    context.changed.add(element.tag);
    return { op: 'remove' };
  }
  if (element.items) {
    if (action === 'empty') {
      if (element.items.length === 0) return undefined;
      context.changed.add(element.tag);
      return { op: 'set', vr: 'SQ', value: { items: [] } };
    }
    // keep, dummy and uid on a sequence: keep it and clean its items in the scope the rule gives.
    return cleanItems(element, level, rule.items, context);
  }
  switch (action) {
    case 'keep':
      if (vr === 'AS') return capAge(element, level, context);
      // The safety net: whatever the table keeps, this file's own identities are cut out of its text.
      return SAFETY_NET_VRS.has(vr) ? cleanText(element, vr, level, context) : undefined;
    case 'empty':
      if (element.valueLength === 0) return undefined;
      context.changed.add(element.tag);
      return { op: 'set', vr, value: vr === 'SQ' ? { items: [] } : '' };
    case 'uid':
    case 'dummy':
      return vr === 'UI' ? replaceUids(element, level, context, rule.keepsStandardUids) : replaceWithDummy(element, vr, level, context);
    case 'shift':
      return shiftDates(element, vr, level, context);
    case 'clean':
      return cleanText(element, vr, level, context);
  }
}

/** The planner's own means, lent to a site rule for one element (see site-rule-edit.ts). */
function siteEditTools(element: DicomElement, level: Level, items: Scope, context: Context) {
  return {
    keys: context.keys,
    values: (vr: Vr) => textValues(element, vr, level, context.file),
    keptItems: () => cleanItems(element, level, items, context),
    keyedUids: () => replaceUids(element, level, context, false),
    shiftedDates: (vr: Vr) => shiftDates(element, vr, level, context),
    changed: () => context.changed.add(element.tag),
  };
}

/** Text kept with the file's identifying values cut out; a dummy where it cannot be read or written cleaned. */
function cleanText(element: DicomElement, vr: Vr, level: Level, context: Context): ElementEdit | undefined {
  const values = CLEANABLE_VRS.has(vr) ? textValues(element, vr, level, context.file) : undefined;
  const cleaned = values && cleanedValues(element.tag, vr, values, context.needles(), level.characterSet);
  if (cleaned === 'unchanged') return undefined;
  if (!cleaned) return replaceWithDummy(element, vr, level, context);
  context.changed.add(element.tag);
  return { op: 'set', vr, value: cleaned.length === 1 ? (cleaned[0] as string) : cleaned };
}

function cleanItems(element: DicomElement, level: Level, scope: Scope, context: Context): ElementEdit | undefined {
  const itemLevel: Level = { encoding: element.itemEncoding ?? level.encoding, characterSet: level.characterSet, scope };
  const items = new Map<number, DataSetEdits>();
  element.items?.forEach((item, index) => {
    const edits = cleanLevel(item.elements, itemLevel, context);
    if (edits.size > 0) items.set(index, edits);
  });
  return items.size > 0 ? { op: 'items', items } : undefined;
}

/** HIPAA Safe Harbor: an age over 89 is one category, "90 or older". */
const OLDEST_AGE = '090Y';

/** A kept age over 89 years becomes 090Y (HIPAA Safe Harbor); younger ages, and ages in months, weeks or days, stay. */
function capAge(element: DicomElement, level: Level, context: Context): ElementEdit | undefined {
  const values = textValues(element, 'AS', level, context.file) ?? [];
  const capped = values.map((value) => (/^\d{3}Y$/.test(value) && Number.parseInt(value, 10) > 89 ? OLDEST_AGE : value));
  if (capped.every((value, index) => value === values[index])) return undefined;
  context.changed.add(element.tag);
  return { op: 'set', vr: 'AS', value: capped.length === 1 ? (capped[0] as string) : capped };
}

function textValues(element: DicomElement, vr: Vr, level: Level, file: DicomFile): string[] | undefined {
  const bytes = valueBytes(file, element);
  if (!bytes) return undefined;
  const decoded = decodeValue(vr, bytes, byteOrderOf(level.encoding.littleEndian), level.characterSet);
  return decoded.kind === 'text' ? [...decoded.values] : undefined;
}

function replaceIfDifferent(element: DicomElement, level: Level, context: Context, value: string): ElementEdit | undefined {
  const current = textValues(element, valueVrOf(element), level, context.file);
  if (current?.length === 1 && current[0] === value) return undefined;
  context.changed.add(element.tag);
  return { op: 'set', vr: valueVrOf(element), value };
}

function replaceUids(element: DicomElement, level: Level, context: Context, keepsStandardUids: boolean): ElementEdit | undefined {
  const values = textValues(element, 'UI', level, context.file) ?? [];
  if (values.length === 0) return undefined;
  const kept = (uid: string) => uid === '' || (keepsStandardUids && uid.startsWith(STANDARD_UID_ROOT));
  if (values.every(kept)) return undefined;
  const mapped = values.map((uid) => (kept(uid) ? uid : context.keys.uid(uid)));
  context.changed.add(element.tag);
  values.forEach((uid, index) => {
    if (!kept(uid)) context.uidPairs.set(uid, mapped[index] as string);
  });
  context.regenerated.add(element.tag);
  // One value (nearly always) as a plain string: the writer encodes those on its fast path.
  return { op: 'set', vr: 'UI', value: mapped.length === 1 ? (mapped[0] as string) : mapped };
}

function replaceWithDummy(element: DicomElement, vr: Vr, level: Level, context: Context): ElementEdit | undefined {
  const value = dummyValue(vr, element.valueLength);
  if (typeof value === 'string') {
    const current = textValues(element, vr, level, context.file);
    if (current?.length === 1 && current[0] === value) return undefined;
  }
  context.changed.add(element.tag);
  return { op: 'set', vr, value };
}

function shiftDates(element: DicomElement, vr: Vr, level: Level, context: Context): ElementEdit | undefined {
  if (vr !== 'DA' && vr !== 'DT') return undefined; // times of day and other VRs are kept
  const values = textValues(element, vr, level, context.file) ?? [];
  if (values.length === 0) return undefined;
  const shift = vr === 'DA' ? shiftDa : shiftDt;
  const shifted = values.map((value) => (value === '' ? '' : shift(value, context.shiftDays)));
  context.changed.add(element.tag);
  if (shifted.some((value) => value === undefined)) return { op: 'set', vr, value: dummyValue(vr, 0) };
  return { op: 'set', vr, value: shifted as string[] };
}

/** Labels already made: the same few dozen tags recur in every file. */
const labels = new Map<Tag, string>();

/** Keywords in tag order; (gggg,eeee) for a tag without one (private, unknown). */
function labelsOf(tags: ReadonlySet<Tag>): string[] {
  return [...tags].sort((a, b) => a - b).map((tag) => {
    let label = labels.get(tag);
    if (label === undefined) {
      label = lookupTag(tag)?.keyword ?? formatTag(tag);
      if (labels.size < 65_536) labels.set(tag, label);
    }
    return label;
  });
}

/**
 * Meta UIDs are keyed like the data set's: (0002,0003) follows a new SOP Instance UID, but a data
 * set without one would leave it as it was. Application entity titles in the meta header identify
 * the sending site; private meta information may hold anything.
 */
function metaEditsFor(file: DicomFile, options: DeidOptions, context: Context): DataSetEdits {
  const edits = new Map<Tag, ElementEdit>();
  if (!retainsUids(options)) {
    for (const { element, values } of metaInstanceUids(file)) {
      if (values.every(keptMetaUid)) continue;
      const mapped = values.map((uid) => (keptMetaUid(uid) ? uid : context.keys.uid(uid)));
      values.forEach((uid, index) => {
        if (!keptMetaUid(uid)) context.uidPairs.set(uid, mapped[index] as string);
      });
      edits.set(element.tag, { op: 'set', vr: 'UI', value: mapped.length === 1 ? (mapped[0] as string) : mapped });
    }
  }
  for (const tag of metaRemovals(options)) edits.set(tag, { op: 'remove' });
  return edits;
}

/** The meta elements de-identification removes: AE titles with institution data, private information with private elements. */
export function metaRemovals(options: DeidOptions): Tag[] {
  return [...(options.institution ? [0x00020016, 0x00020017, 0x00020018] : []), ...(options.removePrivate ? [0x00020100, 0x00020102] : [])];
}
