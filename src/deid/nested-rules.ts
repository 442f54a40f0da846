import { isGroupLengthTag, isPrivateTag, tagGroup, type Tag } from '../dicom/tag.js';
import type { Vr } from '../dicom/vr.js';
import { CLEANABLE_VRS } from './clean-text.js';
import { dateModeOf, retainsUids, type DeidOptions } from './options.js';
import { profileEntryFor } from './profile.js';
import { resolveAction, type ElementAction } from './resolve-action.js';

/**
 * How the elements of a data set (the top level, or the items of a sequence) are cleaned:
 * - profile: Table E.1-1 row by row; an attribute the table does not name is kept. The top level,
 *   and the items of sequences the profile keeps.
 * - scrub: the items of a sequence the table dummies (D, Z/D, X/D, X/Z/D) or whose UIDs it replaces
 *   (X/Z/U*). Rows of the table still apply; an attribute the table does not name is treated as D
 *   itself, by its VR (SCRUB_BY_VR): text, names, dates and identifiers get dummies, UIDs keyed
 *   UIDs, while numbers, enumerated values and structure stay so that the object remains valid.
 * - concept: the items of a code sequence that names a concept (an SR concept name, a coded value,
 *   units, a purpose of reference): the Code Sequence Macro's attributes stay, anything else is
 *   scrubbed. These codes come from coding schemes and say nothing about a person.
 * - clean: the items of a sequence a Clean option keeps (ContentSequence, GraphicAnnotationSequence,
 *   ...): as scrub, but free text that scrub would dummy is cleaned instead (clean-text.ts); names,
 *   dates and UIDs still follow the scrub rules.
 */
export type Scope = 'profile' | 'scrub' | 'concept' | 'clean';

/** What happens to one element in its scope, and how the items of a sequence are cleaned. */
export interface ElementRule {
  readonly action: ElementAction;
  /** The scope of a kept sequence's items. */
  readonly items: Scope;
  /**
   * UIDs under the DICOM root (1.2.840.10008) name classes, transfer syntaxes and coding schemes,
   * never an instance: an attribute the table does not name keeps them.
   */
  readonly keepsStandardUids: boolean;
}

/** UIDs under this root are defined by the standard itself (PS3.5 9.1). */
export const STANDARD_UID_ROOT = '1.2.840.10008.';

/**
 * Code sequences that name a concept, kept (as concept scope) inside scrubbed sequences: what makes
 * a structured report or a reference mean something. A code sequence that identifies a person or an
 * institution is a row of the table (PersonIdentificationCodeSequence, InstitutionCodeSequence, ...).
 */
export const CONCEPT_SEQUENCES: ReadonlyMap<Tag, string> = new Map([
  [0x0040a043, 'ConceptNameCodeSequence'],
  [0x0040a168, 'ConceptCodeSequence'],
  [0x004008ea, 'MeasurementUnitsCodeSequence'],
  [0x0040a301, 'NumericValueQualifierCodeSequence'],
  [0x0040a170, 'PurposeOfReferenceCodeSequence'],
  [0x0040a195, 'ModifierCodeSequence'],
]);

/** The Code Sequence Macro's attributes (PS3.3 Table 8.8-1), kept in concept scope (its context group dates are table rows). */
export const CODE_ATTRIBUTES: ReadonlyMap<Tag, string> = new Map([
  [0x00080100, 'CodeValue'],
  [0x00080102, 'CodingSchemeDesignator'],
  [0x00080103, 'CodingSchemeVersion'],
  [0x00080104, 'CodeMeaning'],
  [0x00080105, 'MappingResource'],
  [0x0008010b, 'ContextGroupExtensionFlag'],
  [0x0008010c, 'CodingSchemeUID'],
  [0x0008010f, 'ContextIdentifier'],
  [0x00080117, 'ContextUID'],
  [0x00080118, 'MappingResourceUID'],
  [0x00080119, 'LongCodeValue'],
  [0x00080120, 'URNCodeValue'],
  [0x00080121, 'EquivalentCodeSequence'],
  [0x00080122, 'MappingResourceName'],
]);

/** UID attributes that name a kind of object or encoding, not an instance: kept in scrub scope. */
export const CLASS_UID_ATTRIBUTES: ReadonlyMap<Tag, string> = new Map([
  [0x00020010, 'TransferSyntaxUID'],
  [0x00041510, 'ReferencedSOPClassUIDInFile'],
  [0x00041512, 'ReferencedTransferSyntaxUIDInFile'],
  [0x00080016, 'SOPClassUID'],
  [0x0008001a, 'RelatedGeneralSOPClassUID'],
  [0x0008001b, 'OriginalSpecializedSOPClassUID'],
  [0x00080062, 'SOPClassesInStudy'],
  [0x0008010c, 'CodingSchemeUID'],
  [0x00080117, 'ContextUID'],
  [0x00080118, 'MappingResourceUID'],
  [0x0008040e, 'StoredInstanceTransferSyntaxUID'],
  [0x00081150, 'ReferencedSOPClassUID'],
  [0x0008115a, 'SOPClassesSupported'],
  [0x00340003, 'FlowTransferSyntaxUID'],
]);

type ScrubClass = 'keep' | 'dummy' | 'date' | 'uid';

/**
 * An attribute the table does not name, inside a scrubbed sequence, by VR. Text of every kind may
 * name someone; UN and OB may hold text; code strings (CS) are enumerated values; numbers, binary
 * numeric arrays and attribute tags are measurements and structure.
 */
export const SCRUB_BY_VR: Readonly<Record<Vr, ScrubClass>> = {
  AE: 'dummy', AS: 'dummy', LO: 'dummy', LT: 'dummy', PN: 'dummy', SH: 'dummy', ST: 'dummy', UC: 'dummy',
  UR: 'dummy', UT: 'dummy', UN: 'dummy', OB: 'dummy',
  DA: 'date', DT: 'date', TM: 'date',
  UI: 'uid',
  CS: 'keep', DS: 'keep', IS: 'keep', AT: 'keep', FD: 'keep', FL: 'keep', SL: 'keep', SS: 'keep', SV: 'keep',
  UL: 'keep', US: 'keep', UV: 'keep', OD: 'keep', OF: 'keep', OL: 'keep', OV: 'keep', OW: 'keep', SQ: 'keep',
};

/** Groups PS3.5 7.8.1 does not allow: neither standard nor valid private elements. */
export function isDisallowedGroupTag(tag: Tag): boolean {
  const group = tagGroup(tag);
  return group === 0x0001 || group === 0x0003 || group === 0x0005 || group === 0x0007 || group === 0xffff;
}

const rule = (action: ElementAction, items: Scope, keepsStandardUids = false): ElementRule => ({ action, items, keepsStandardUids });
const RULES = {
  keepProfile: rule('keep', 'profile'),
  keepScrub: rule('keep', 'scrub'),
  keepConcept: rule('keep', 'concept'),
  keepClean: rule('keep', 'clean'),
  clean: rule('clean', 'clean'),
  remove: rule('remove', 'scrub'),
  dummy: rule('dummy', 'scrub'),
  uid: rule('uid', 'scrub', true),
};

/** Rules already worked out, per options and scope: the same tags recur in every file of a batch. */
const cache = new WeakMap<DeidOptions, Record<Scope, Map<number, ElementRule>>>();

/**
 * The rule for an element: its tag, the VR its value is read with, whether it holds items, and the
 * scope it is in. Group lengths of odd groups, and elements of disallowed groups, go when private
 * elements go. Pure, and shared by the planner and `verify`, so both read the rules the same way.
 */
export function ruleFor(tag: Tag, vr: Vr, sequence: boolean, scope: Scope, options: DeidOptions): ElementRule {
  let byScope = cache.get(options);
  if (!byScope) cache.set(options, (byScope = { profile: new Map(), scrub: new Map(), concept: new Map(), clean: new Map() }));
  const known = byScope[scope];
  // At the top level the VR never matters; inside a scrubbed sequence it does, so it is part of the key.
  const key = scope === 'profile' ? tag : tag * 64 + (sequence ? 63 : VR_INDEX.get(vr) ?? 62);
  let found = known.get(key);
  if (found === undefined) {
    found = workOut(tag, vr, sequence, scope, options);
    if (known.size < 65_536) known.set(key, found);
  }
  return found;
}

const VR_INDEX: ReadonlyMap<string, number> = new Map(Object.keys(SCRUB_BY_VR).map((vr, index) => [vr, index]));

function workOut(tag: Tag, vr: Vr, sequence: boolean, scope: Scope, options: DeidOptions): ElementRule {
  const odd = (tagGroup(tag) & 1) === 1;
  if (isGroupLengthTag(tag)) return odd && options.removePrivate ? RULES.remove : RULES.keepProfile;
  if (isDisallowedGroupTag(tag)) return options.removePrivate ? RULES.remove : rule('keep', scope);
  if (isPrivateTag(tag) || profileEntryFor(tag)) {
    const action = resolveAction(tag, options);
    if (action === 'clean') return RULES.clean;
    // Inside a cleaned sequence, nested sequences stay cleaned: the scope only ever gets stricter elsewhere.
    if (action === 'dummy' || action === 'uid') return rule(action, scope === 'clean' ? 'clean' : 'scrub', false);
    return rule(action, scope === 'profile' ? 'profile' : scope === 'clean' ? 'clean' : 'scrub');
  }
  if (scope === 'profile') return RULES.keepProfile;
  if (scope === 'concept' && CODE_ATTRIBUTES.has(tag)) return RULES.keepConcept;
  if (sequence) return CONCEPT_SEQUENCES.has(tag) ? RULES.keepConcept : scope === 'clean' ? RULES.keepClean : RULES.keepScrub;
  if (CLASS_UID_ATTRIBUTES.has(tag)) return RULES.keepScrub;
  switch (SCRUB_BY_VR[vr]) {
    case 'dummy':
      return scope === 'clean' && CLEANABLE_VRS.has(vr) ? RULES.clean : RULES.dummy;
    case 'uid':
      return retainsUids(options) ? RULES.keepScrub : RULES.uid;
    case 'date': {
      const dates = dateModeOf(options);
      return dates === 'keep' ? RULES.keepScrub : dates === 'shift' ? rule('shift', 'scrub') : RULES.dummy;
    }
    default:
      return RULES.keepScrub;
  }
}
