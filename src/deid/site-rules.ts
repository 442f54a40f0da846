import { lookupTag } from '../dicom/dictionary.js';
import { valueBytes } from '../dicom/element-access.js';
import type { DicomElement } from '../dicom/model.js';
import type { DicomFile } from '../dicom/read-file.js';
import { isPrivateCreatorTag, isPrivateTag, tagElement, tagGroup, type Tag } from '../dicom/tag.js';
import type { Vr } from '../dicom/vr.js';

/**
 * What a site rule does to an attribute, overriding the profile and the options:
 * - keep: the value stays as it is (a sequence stays, its items cleaned as the profile cleans them);
 * - remove, empty: the element goes, or stays with no value (a sequence with no items);
 * - replace: a fixed value, checked against the attribute's VR when the rules are read;
 * - hash: a keyed value (the site secret): a UID becomes the keyed UID, text a keyed token;
 * - shift: a date (DA, DT) moved by the patient's offset, as Retain Longitudinal Modified Dates does.
 */
export type SiteAction = 'keep' | 'remove' | 'empty' | 'replace' | 'hash' | 'shift';

export const SITE_ACTIONS: readonly SiteAction[] = ['keep', 'remove', 'empty', 'replace', 'hash', 'shift'];

/** A standard attribute by tag, or a private element by its creator, odd group and offset in the block (any block number). */
export type SiteRuleTarget =
  | { readonly kind: 'tag'; readonly tag: Tag }
  | { readonly kind: 'private'; readonly creator: string; readonly group: number; readonly offset: number };

export interface SiteRule {
  readonly target: SiteRuleTarget;
  readonly action: SiteAction;
  /** The values of a replace rule; already checked against `vr`. */
  readonly value?: readonly string[];
  /** The attribute's VR, for replace, hash and shift. */
  readonly vr?: Vr;
}

/**
 * A site's rules, read from its rules file: plain data, so it travels with the options to worker
 * threads. `name` (the file's base name) and `sha256` (of its bytes) say which file it was.
 */
export interface SiteRules {
  readonly name: string;
  readonly sha256: string;
  readonly rules: readonly SiteRule[];
}

/** The rule-made keep of a private creator element: its block holds an element a rule keeps. */
const CREATOR_KEPT: SiteRule = { target: { kind: 'tag', tag: 0 }, action: 'keep' };

/** Length of a keyed token that replaces text (base32, 80 bits): fits every text VR the hash action allows. */
export const HASH_TOKEN_LENGTH = 16;
export const HASH_TOKEN = /^[A-Z2-7]{16}$/;

/** How the rules name themselves in the De-identification Method, an LO value of at most 64 characters. */
export function siteRulesLabel(rules: Pick<SiteRules, 'name' | 'sha256'>): string {
  const hash = ` sha256:${rules.sha256.slice(0, 12)}`;
  const prefix = 'site rules ';
  // Printable ASCII without the value separator: the marker must fit every character set.
  const name = rules.name.replace(/[^\x20-\x5b\x5d-\x7e]/g, '_').slice(0, 64 - prefix.length - hash.length);
  return `${prefix}${name}${hash}`;
}

/** Whether a De-identification Method value is the label `siteRulesLabel` writes. */
export function isSiteRulesLabel(text: string): boolean {
  return /^site rules .* sha256:[0-9a-f]{12}$/.test(text);
}

/**
 * The options as the mapping store and reports record them: the rules file by name and hash, not
 * its rules. A replace rule's value is the site's free text, and the batch record must hold no
 * patient data; the name and hash say exactly which file was used.
 */
export function optionsForRecord<Options extends { readonly siteRules?: SiteRules | undefined }>(options: Options): Options | (Omit<Options, 'siteRules'> & { siteRules: Pick<SiteRules, 'name' | 'sha256'> }) {
  if (!options.siteRules) return options;
  const { name, sha256 } = options.siteRules;
  return { ...options, siteRules: { name, sha256 } };
}

/** Whether any rule shifts dates: the patient's offset then goes into the mapping as with shifted dates. */
export function siteRulesShift(rules: SiteRules | undefined): boolean {
  return rules !== undefined && compiled(rules).shifts;
}

export type TemporalInformation = 'UNMODIFIED' | 'MODIFIED' | 'REMOVED';

/**
 * Longitudinal Temporal Information Modified (0028,0303) with the rules applied: a rule that keeps a
 * date or time makes true dates possible (UNMODIFIED), a rule that shifts one makes cleared dates
 * MODIFIED. The marker says the most a file may reveal.
 */
export function temporalWithRules(temporal: TemporalInformation, rules: SiteRules | undefined): TemporalInformation {
  if (!rules || temporal === 'UNMODIFIED') return temporal;
  const { keepsDates, shifts } = compiled(rules);
  if (keepsDates) return 'UNMODIFIED';
  return shifts ? 'MODIFIED' : temporal;
}

interface CompiledRules {
  readonly byTag: ReadonlyMap<Tag, SiteRule>;
  /** Private rules by `group/creator`, then by offset in the block. */
  readonly byCreator: ReadonlyMap<string, ReadonlyMap<number, SiteRule>>;
  readonly shifts: boolean;
  readonly keepsDates: boolean;
}

// One lookup per rules object: every file of a batch (and of each worker thread's copy) asks.
const compiledRules = new WeakMap<SiteRules, CompiledRules>();

function compiled(rules: SiteRules): CompiledRules {
  let found = compiledRules.get(rules);
  if (!found) {
    const byTag = new Map<Tag, SiteRule>();
    const byCreator = new Map<string, Map<number, SiteRule>>();
    for (const rule of rules.rules) {
      const { target } = rule;
      if (target.kind === 'tag') byTag.set(target.tag, rule);
      else {
        const key = creatorKey(target.group, target.creator);
        let block = byCreator.get(key);
        if (!block) byCreator.set(key, (block = new Map()));
        block.set(target.offset, rule);
      }
    }
    const keepsDates = rules.rules.some(
      ({ action, target }) => action === 'keep' && target.kind === 'tag' && (lookupTag(target.tag)?.vrs ?? []).some((vr) => vr === 'DA' || vr === 'DT' || vr === 'TM'),
    );
    found = { byTag, byCreator, shifts: rules.rules.some((rule) => rule.action === 'shift'), keepsDates };
    compiledRules.set(rules, found);
  }
  return found;
}

const creatorKey = (group: number, creator: string) => `${group}/${creator}`;

/** A private creator's value as rules match it: exact, after its padding (spaces, NULs) is stripped. */
export function normalizeCreator(text: string): string {
  return text.replace(/^[ \0]+|[ \0]+$/g, '');
}

/** Reads a private creator's value as rules match it: creators are ASCII in practice, and latin1 reads any byte. */
export function creatorReader(file: DicomFile): (element: DicomElement) => string {
  return (element) => Buffer.from(valueBytes(file, element) ?? new Uint8Array(0)).toString('latin1');
}

/** The site rules of one data set (the top level or one item). */
export interface LevelSiteRules {
  /** The rule for an element of this data set, if any. */
  ruleOf(element: DicomElement): SiteRule | undefined;
}

/**
 * The site rules as they apply to the elements of one data set. A private element's creator is read
 * from the same data set; a private creator element is kept when its block holds an element that a
 * rule keeps in some form (its data would mean nothing without it). `creatorOf` decodes a creator
 * element's value.
 */
export function siteRulesAt(rules: SiteRules, elements: readonly DicomElement[], creatorOf: (element: DicomElement) => string): LevelSiteRules {
  const { byTag, byCreator } = compiled(rules);
  if (byCreator.size === 0) return { ruleOf: (element) => byTag.get(element.tag) };
  let creators: Map<Tag, ReadonlyMap<number, SiteRule> | undefined> | undefined;
  let keptCreators: Set<Tag> | undefined;
  // Worked out only for a data set that has private elements at all.
  const blocks = () => {
    if (!creators) {
      creators = new Map();
      for (const element of elements) {
        if (isPrivateCreatorTag(element.tag)) creators.set(element.tag, byCreator.get(creatorKey(tagGroup(element.tag), normalizeCreator(creatorOf(element)))));
      }
      keptCreators = new Set();
      for (const element of elements) {
        const rule = privateRule(element.tag, creators);
        if (rule && rule.action !== 'remove') keptCreators.add(creatorTagOf(element.tag));
      }
    }
    return { creators, kept: keptCreators as Set<Tag> };
  };
  return {
    ruleOf(element) {
      if (!isPrivateTag(element.tag)) return byTag.get(element.tag);
      const { creators: known, kept } = blocks();
      if (isPrivateCreatorTag(element.tag)) return kept.has(element.tag) ? CREATOR_KEPT : undefined;
      return privateRule(element.tag, known);
    },
  };
}

/** (gggg,xxyy) belongs to the block whose creator is (gggg,00xx). */
function creatorTagOf(tag: Tag): Tag {
  return ((tagGroup(tag) << 16) | (tagElement(tag) >> 8)) >>> 0;
}

function privateRule(tag: Tag, creators: ReadonlyMap<Tag, ReadonlyMap<number, SiteRule> | undefined>): SiteRule | undefined {
  if (tagElement(tag) < 0x1000) return undefined;
  return creators.get(creatorTagOf(tag))?.get(tagElement(tag) & 0xff);
}
