import path from 'node:path';
import { lookupTag, tagForKeyword } from '../dicom/dictionary.js';
import { formatTag, isGroupLengthTag, tagGroup, type Tag } from '../dicom/tag.js';
import type { Vr } from '../dicom/vr.js';
import { actionProblem, valueProblem } from '../deid/site-rule-vrs.js';
import { ConfigError } from './config-error.js';
import { normalizeCreator, SITE_ACTIONS, type SiteAction, type SiteRule, type SiteRules, type SiteRuleTarget } from '../deid/site-rules.js';
import { ConfigFileError } from './config-file-error.js';
import { readConfigFileText } from './config-file-text.js';
import { checkFields, jsonListItems, type Fail } from './json-config-list.js';
import type { JsonMember, JsonPosition, JsonValue } from './json-with-positions.js';

/** A rules file that cannot be used. The message names the file and the line and column of the problem. */
export class SiteRulesError extends ConfigFileError {
  readonly code = 'SITE_RULES';
}

/**
 * Attributes no rule may name: the planner writes them itself. Patient ID and Name hold the
 * pseudonym (or the subject ID of a list), the markers say how the file was made, and the character
 * set says how every other text is read.
 */
const RESERVED: ReadonlyMap<Tag, string> = new Map([
  [0x00100010, 'Patient Name holds the pseudonym or the pre-assigned subject ID (see --patient-ids)'],
  [0x00100020, 'Patient ID holds the pseudonym or the pre-assigned subject ID (see --patient-ids)'],
  [0x00120062, 'Patient Identity Removed is a de-identification marker, written by the tool'],
  [0x00120063, 'De-identification Method is a de-identification marker, written by the tool'],
  [0x00120064, 'De-identification Method Code Sequence is a de-identification marker, written by the tool'],
  [0x00280303, 'Longitudinal Temporal Information Modified is a de-identification marker, written by the tool'],
  [0x00080005, 'Specific Character Set says how every text is read: it stays as it is'],
]);

const RULE_FIELDS = new Set(['keyword', 'tag', 'creator', 'group', 'element', 'action', 'value', 'comment']);
const TOP_FIELDS = new Set(['rules', 'comment']);
const TAG_SYNTAX = /^(?:\(([0-9a-f]{4}),([0-9a-f]{4})\)|([0-9a-f]{4}),?([0-9a-f]{4}))$/i;

/**
 * Reads and checks a rules file, all of it, before any DICOM file is touched.
 *
 * @throws SiteRulesError naming the file, and the line and column of the first problem.
 */
export function readSiteRules(file: string): SiteRules {
  const { text, sha256 } = readConfigFileText(file, 'rules file', (problem, cause) => new SiteRulesError(file, problem, undefined, cause));
  return { name: path.basename(file), sha256, rules: parseSiteRules(text, file) };
}

/** The rules file at `file`, or none without one. */
export function loadSiteRules(file: string | undefined): SiteRules | undefined {
  return file === undefined ? undefined : readSiteRules(file);
}

/** The rules in a rules file's text; `file` names it in errors. */
export function parseSiteRules(text: string, file: string): SiteRule[] {
  const fail: Fail = (at, problem) => {
    throw new SiteRulesError(file, problem, at);
  };
  const list = jsonListItems(text, { listKey: 'rules', itemNoun: 'rules', topFields: TOP_FIELDS }, fail);
  if (list.items.length === 0) fail(list.at, 'the "rules" list is empty');

  const seen = new Map<string, number>();
  return list.items.map((item) => {
    if (item.kind !== 'object') return fail(item.at, 'each rule must be an object, such as { "keyword": "StudyDescription", "action": "keep" }');
    const rule = parseRule(item.members, item.at, fail);
    const key = rule.target.kind === 'tag' ? `tag ${rule.target.tag}` : `private ${rule.target.group}/${rule.target.creator}/${rule.target.offset}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) fail(item.at, `a second rule for ${describeTarget(rule.target)} (the first is on line ${earlier})`);
    seen.set(key, item.at.line);
    return rule;
  });
}

function parseRule(members: readonly JsonMember[], at: JsonPosition, fail: Fail): SiteRule {
  checkFields(members, RULE_FIELDS, 'a rule', fail);
  const field = (key: string) => members.find((member) => member.key === key);
  const text = (key: string): { value: string; at: JsonPosition } | undefined => {
    const member = field(key);
    if (!member) return undefined;
    if (member.value.kind !== 'string') return fail(member.value.at, `"${key}" must be a string`);
    return { value: member.value.value, at: member.value.at };
  };

  const action = text('action');
  if (!action) return fail(at, `the rule has no "action" (one of ${SITE_ACTIONS.join(', ')})`);
  if (!(SITE_ACTIONS as readonly string[]).includes(action.value)) fail(action.at, `unknown action "${action.value}" (one of ${SITE_ACTIONS.join(', ')})`);
  const siteAction = action.value as SiteAction;

  const named = ['keyword', 'tag', 'creator'].filter((key) => field(key) !== undefined);
  if (named.length !== 1) fail(at, 'a rule names its attribute once: by "keyword", by "tag", or by "creator" with "group" and "element"');
  if (named[0] !== 'creator' && (field('group') || field('element'))) fail(at, '"group" and "element" go with "creator" (a private element)');
  const target = named[0] === 'creator' ? privateTarget(text, at, fail) : standardTarget(named[0] === 'keyword' ? { keyword: text('keyword') } : { tag: text('tag') }, fail);
  const targetAt = (field(named[0] as string) as JsonMember).value.at;

  let vr: Vr | undefined;
  if (siteAction === 'replace' || siteAction === 'hash' || siteAction === 'shift') {
    if (target.kind === 'private') fail(at, `${siteAction} needs the attribute's VR, and a private element's VR is not known: use keep, remove or empty`);
    const vrs = lookupTag((target as { tag: Tag }).tag)?.vrs ?? [];
    if (vrs.length === 0) fail(targetAt, `${siteAction} needs the attribute's VR, and ${describeTarget(target)} is not in the data dictionary: use keep, remove or empty`);
    if (vrs.length > 1) fail(targetAt, `${siteAction} needs one VR, and ${describeTarget(target)} may have VR ${vrs.join(' or ')}: use keep, remove or empty`);
    vr = vrs[0] as Vr;
    const problem = actionProblem(siteAction, vr);
    if (problem) fail(action.at, `${describeTarget(target)}: ${problem}`);
  }

  const valueField = field('value');
  if (siteAction !== 'replace') {
    if (valueField) fail(valueField.at, `"value" goes only with the replace action, not with ${siteAction}`);
    return vr === undefined ? { target, action: siteAction } : { target, action: siteAction, vr };
  }
  if (!valueField) return fail(at, 'the replace action needs a "value": a string, or a list of strings for several values');
  const values = valueStrings(valueField.value, fail);
  const problem = valueProblem(vr as Vr, values);
  if (problem) fail(valueField.value.at, `${describeTarget(target)}: ${problem}`);
  return { target, action: siteAction, vr: vr as Vr, value: values };
}

function valueStrings(value: JsonValue, fail: Fail): string[] {
  if (value.kind === 'string') return [value.value];
  if (value.kind === 'array' && value.items.length > 0) {
    return value.items.map((item) => (item.kind === 'string' ? item.value : fail(item.at, 'each value in the list must be a string')));
  }
  return fail(value.at, '"value" must be a string, or a non-empty list of strings');
}

type Text = { value: string; at: JsonPosition } | undefined;

function standardTarget(named: { keyword?: Text; tag?: Text }, fail: Fail): SiteRuleTarget {
  let tag: Tag;
  let at: JsonPosition;
  if (named.keyword) {
    at = named.keyword.at;
    const found = tagForKeyword(named.keyword.value);
    if (found === undefined) return fail(at, `unknown keyword "${named.keyword.value}" (keywords are as in PS3.6, e.g. StudyDescription)`);
    tag = found;
  } else {
    const text = named.tag as { value: string; at: JsonPosition };
    at = text.at;
    const match = TAG_SYNTAX.exec(text.value.trim());
    if (!match) return fail(at, 'a tag is written (gggg,eeee), gggg,eeee or ggggeeee in hex, e.g. (0010,1010)');
    tag = Number.parseInt(`${match[1] ?? match[3]}${match[2] ?? match[4]}`, 16) >>> 0;
  }
  const group = tagGroup(tag);
  if (group % 2 === 1) fail(at, `${formatTag(tag)} is a private element (odd group): name it by "creator", "group" and "element"`);
  if (group === 0x0002) fail(at, `${formatTag(tag)} is File Meta Information, which rules do not change`);
  if (group === 0xfffe || group === 0x0000) fail(at, `${formatTag(tag)} is not a data element a rule can change`);
  if (isGroupLengthTag(tag)) fail(at, `${formatTag(tag)} is a group length, which the writer works out`);
  const reserved = RESERVED.get(tag);
  if (reserved) fail(at, `no rule for ${formatTag(tag)}: ${reserved}`);
  return { kind: 'tag', tag };
}

function privateTarget(text: (key: string) => Text, at: JsonPosition, fail: Fail): SiteRuleTarget {
  const creator = text('creator') as { value: string; at: JsonPosition };
  const group = text('group');
  const element = text('element');
  if (!group || !element) return fail(at, 'a private element is named by "creator", "group" (e.g. "0019") and "element" (its offset in the block, e.g. "08")');
  const name = normalizeCreator(creator.value);
  if (name === '' || name.length > 64 || !/^[\x20-\x5b\x5d-\x7e]*$/.test(name)) fail(creator.at, 'a private creator is 1 to 64 printable ASCII characters without a backslash');
  if (!/^[0-9a-f]{4}$/i.test(group.value)) fail(group.at, '"group" is four hex digits, e.g. "0019"');
  const groupNumber = Number.parseInt(group.value, 16);
  if (groupNumber % 2 === 0 || groupNumber < 0x0009 || groupNumber === 0xffff) fail(group.at, '"group" must be a private group: odd, from 0009 to FFFD');
  if (!/^[0-9a-f]{2}$/i.test(element.value)) fail(element.at, '"element" is the offset in the private block, two hex digits (e.g. "08" for (gggg,xx08))');
  return { kind: 'private', creator: name, group: groupNumber, offset: Number.parseInt(element.value, 16) };
}

/** How a message names a rule's attribute. */
function describeTarget(target: SiteRuleTarget): string {
  if (target.kind === 'private') return `(${target.group.toString(16).toUpperCase().padStart(4, '0')},xx${target.offset.toString(16).toUpperCase().padStart(2, '0')}) of private creator "${target.creator}"`;
  const keyword = lookupTag(target.tag)?.keyword;
  return keyword ? `${keyword} ${formatTag(target.tag)}` : formatTag(target.tag);
}

/**
 * `DICOM_RULES` read and checked, as an options field (none without it), for the commands that take
 * it from the configuration alone (the watch daemon, the terminal UI).
 *
 * @throws ConfigError naming DICOM_RULES, the file, and the line of the first problem.
 */
export function configuredSiteRules(file: string | undefined): { readonly siteRules?: SiteRules } {
  try {
    const siteRules = loadSiteRules(file);
    return siteRules ? { siteRules } : {};
  } catch (error) {
    if (error instanceof SiteRulesError) throw new ConfigError(`DICOM_RULES: ${error.message}`, { variable: 'DICOM_RULES', path: error.path, cause: error });
    throw error;
  }
}
