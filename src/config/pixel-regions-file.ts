import path from 'node:path';
import { tagForKeyword } from '../dicom/dictionary.js';
import { formatTag } from '../dicom/tag.js';
import { ConfigFileError } from './config-file-error.js';
import { ConfigError } from './config-error.js';
import { readConfigFileText } from './config-file-text.js';
import { REGION_TESTS, type Region, type RegionEntry, type RegionList, type RegionMatch, type RegionTest } from '../pixels/region-list.js';
import { CtpScriptError, parseCtpPixelScript } from './ctp-pixel-script.js';
import { checkFields, jsonListItems, type Fail } from './json-config-list.js';
import type { JsonPosition, JsonValue } from './json-with-positions.js';

/** A region list that cannot be used. The message names the file and the line and column of the problem. */
export class PixelRegionsError extends ConfigFileError {
  readonly code = 'PIXEL_REGIONS';
}

/**
 * Reads and checks a site's region list, all of it, before any image is touched: our JSON format
 * (as shared/reference/pixel-regions.json) or RSNA CTP's DicomPixelAnonymizer script, told apart by
 * content (JSON opens with `{` and then a quoted key). Named in outputs by file name and SHA-256.
 *
 * @throws PixelRegionsError naming the file, and the line and column of the first problem.
 */
export function readPixelRegions(file: string): RegionList {
  const { text, sha256 } = readConfigFileText(file, 'region list', (problem, cause) => new PixelRegionsError(file, problem, undefined, cause));
  const entries = parsePixelRegions(text, file);
  if (entries.length === 0) throw new PixelRegionsError(file, 'the region list has no entries');
  return { name: path.basename(file), sha256, entries };
}

/**
 * `DICOM_PIXEL_REGIONS` read and checked, as an options field (none without it), for the commands
 * that take it from the configuration alone (the watch daemon, the terminal UI).
 *
 * @throws ConfigError naming DICOM_PIXEL_REGIONS, the file, and the line of the first problem.
 */
export function configuredPixelRegions(file: string | undefined): { readonly pixelRegions?: RegionList } {
  if (file === undefined) return {};
  try {
    return { pixelRegions: readPixelRegions(file) };
  } catch (error) {
    if (error instanceof PixelRegionsError) throw new ConfigError(`DICOM_PIXEL_REGIONS: ${error.message}`, { variable: 'DICOM_PIXEL_REGIONS', path: error.path, cause: error });
    throw error;
  }
}

/** The entries of a region list's text, in either format; `file` names it in errors. */
export function parsePixelRegions(text: string, file: string): RegionEntry[] {
  if (/^\uFEFF?\s*\{\s*("|\})/.test(text)) return parseJsonRegions(text, file);
  try {
    return parseCtpPixelScript(text);
  } catch (error) {
    if (error instanceof CtpScriptError) throw new PixelRegionsError(file, `not a CTP pixel script: ${error.problem}`, error.at);
    throw error;
  }
}

const TOP_FIELDS = new Set(['signatures', 'source', 'semantics', 'comment']);
const ENTRY_FIELDS = new Set(['match', 'regions', 'id', 'section', 'label', 'line', 'comment']);
const LEAF_FIELDS = new Set(['tag', 'keyword', 'test', 'value']);
const TESTS: ReadonlySet<string> = new Set(REGION_TESTS);

function parseJsonRegions(text: string, file: string): RegionEntry[] {
  const fail: Fail = (at, problem) => {
    throw new PixelRegionsError(file, problem, at);
  };
  const list = jsonListItems(text, { listKey: 'signatures', itemNoun: 'entries', topFields: TOP_FIELDS }, fail);
  return list.items.map((item) => {
    if (item.kind !== 'object') return fail(item.at, 'each entry must be an object: { "match": ..., "regions": [[x, y, width, height]] }');
    checkFields(item.members, ENTRY_FIELDS, 'an entry', fail);
    const field = (key: string) => item.members.find((member) => member.key === key)?.value;
    const match = field('match');
    const regions = field('regions');
    if (!match) return fail(item.at, 'the entry has no "match"');
    if (!regions) return fail(item.at, 'the entry has no "regions"');
    const label = field('label');
    if (label && label.kind !== 'string' && label.kind !== 'null') fail(label.at, '"label" must be a string');
    return { where: `line ${item.at.line}`, label: label?.kind === 'string' ? label.value : '', match: parseMatch(match, fail), regions: parseRegions(regions, fail) };
  });
}

function parseMatch(node: JsonValue, fail: Fail): RegionMatch {
  if (node.kind !== 'object') return fail(node.at, 'a match is an object: {"all": [...]}, {"any": [...]}, {"not": ...} or a test {"tag": "00080060", "test": "equals", "value": "US"}');
  const [first] = node.members;
  if (node.members.length === 1 && first && (first.key === 'all' || first.key === 'any')) {
    if (first.value.kind !== 'array' || first.value.items.length === 0) return fail(first.value.at, `"${first.key}" must be a list of one or more matches`);
    const children = first.value.items.map((child) => parseMatch(child, fail));
    return first.key === 'all' ? { all: children } : { any: children };
  }
  if (node.members.length === 1 && first?.key === 'not') return { not: parseMatch(first.value, fail) };
  checkFields(node.members, LEAF_FIELDS, 'a test (or use "all", "any" or "not" alone)', fail);
  const text = (key: string): { value: string; at: JsonPosition } | undefined => {
    const member = node.members.find((candidate) => candidate.key === key);
    if (!member || member.value.kind === 'null') return undefined;
    if (member.value.kind !== 'string') return fail(member.value.at, `"${key}" must be a string`);
    return { value: member.value.value, at: member.value.at };
  };
  const tag = attributeOf(text('tag'), text('keyword'), node.at, fail);
  const test = text('test');
  if (!test) return fail(node.at, `the test has no "test" (one of ${REGION_TESTS.join(', ')})`);
  if (!TESTS.has(test.value)) fail(test.at, `unknown test "${test.value}" (one of ${REGION_TESTS.join(', ')})`);
  const value = text('value');
  if (!value) return fail(node.at, 'the test has no "value" (a string)');
  if (test.value === 'matches') {
    try {
      new RegExp(value.value, 'u');
    } catch {
      fail(value.at, 'the value of matches is not a regular expression');
    }
  }
  if ((test.value === 'isLessThan' || test.value === 'isGreaterThan') && !Number.isFinite(Number(value.value.trim()))) fail(value.at, `${test.value} compares numbers: its value must be one`);
  return { tag, test: test.value as RegionTest, value: value.value };
}

/** The attribute of a test, by "tag" (8 hex digits), by "keyword", or both when they agree. */
function attributeOf(tag: { value: string; at: JsonPosition } | undefined, keyword: { value: string; at: JsonPosition } | undefined, at: JsonPosition, fail: Fail): number {
  const byTag = tag && (/^[0-9A-Fa-f]{8}$/.test(tag.value) ? Number.parseInt(tag.value, 16) >>> 0 : fail(tag.at, '"tag" is 8 hex digits, such as "00080060"'));
  const byKeyword = keyword && (tagForKeyword(keyword.value) ?? fail(keyword.at, `"${keyword.value}" is not a keyword of the data dictionary (give "tag")`));
  if (byTag !== undefined && byKeyword !== undefined && byTag !== byKeyword) fail(keyword?.at ?? at, `"keyword" names ${formatTag(byKeyword)}, not the "tag" ${formatTag(byTag)}`);
  const attribute = byTag ?? byKeyword;
  return attribute ?? fail(at, 'the test names no attribute: give "tag" or "keyword"');
}

function parseRegions(node: JsonValue, fail: Fail): Region[] {
  if (node.kind !== 'array' || node.items.length === 0) return fail(node.at, '"regions" must be a list of one or more [x, y, width, height]');
  return node.items.map((region) => {
    const numbers = region.kind === 'array' ? region.items.map((item) => (item.kind === 'number' && Number.isInteger(item.value) ? item.value : undefined)) : [];
    if (numbers.length !== 4 || numbers.some((value) => value === undefined)) return fail(region.at, 'a region is [x, y, width, height]: four whole numbers');
    const [x, y, width, height] = numbers as [number, number, number, number];
    if (width <= 0 || height <= 0) fail(region.at, 'a region needs a width and a height above 0');
    return [x, y, width, height] as const;
  });
}
