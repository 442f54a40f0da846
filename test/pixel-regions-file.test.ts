import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupTag } from '../src/dicom/dictionary.js';
import { parsePixelRegions, PixelRegionsError, readPixelRegions } from '../src/config/pixel-regions-file.js';
import type { RegionEntry, RegionMatch } from '../src/pixels/region-list.js';
import { SHIPPED_REGION_LIST } from '../src/pixels/shipped-regions.generated.js';
import { referenceDir } from './helpers/corpus.js';

// Site region lists (issue 20, §4): our JSON format and RSNA CTP's DicomPixelAnonymizer script,
// told apart by content, read strictly: every error names its line and column.

const root = mkdtempSync(path.join(tmpdir(), 'dicom-region-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hex = (tag: number) => tag.toString(16).padStart(8, '0').toUpperCase();
const same = (entries: readonly RegionEntry[]) => entries.map((entry) => ({ match: entry.match, regions: entry.regions }));

/** A match in CTP's language, an attribute by keyword where the dictionary has one (else [gggg,eeee]), in a varying layout. */
function ctpOf(match: RegionMatch, index: number): string {
  if ('all' in match) return match.all.map((child) => wrap(child, index)).join(index % 2 ? ' *\n    ' : '*');
  if ('any' in match) return match.any.map((child) => wrap(child, index)).join(index % 2 ? ' + ' : '+');
  if ('not' in match) return `!${wrap(match.not, index)}`;
  const keyword = index % 3 === 0 ? undefined : lookupTag(match.tag)?.keyword;
  const attribute = keyword ?? `[${hex(match.tag).slice(0, 4)},${hex(match.tag).slice(4)}]`;
  return `${attribute}.${match.test}${index % 4 === 0 ? ' ' : ''}("${match.value.replace(/["\\]/g, '\\$&')}")`;
}
const wrap = (match: RegionMatch, index: number) => ('all' in match || 'any' in match ? `( ${ctpOf(match, index)} )` : ctpOf(match, index));

function ctpScript(entries: readonly RegionEntry[]): string {
  return `A region library\n\nSome words, no brackets of any kind.\n${entries
    .map((entry, index) => `${entry.label}\n  { ${ctpOf(entry.match, index)} }\n  ${entry.regions.map((region) => `(${region.join(index % 2 ? ', ' : ',')})`).join(index % 2 ? '\n  ' : ' ')}\n`)
    .join('\n')}`;
}

function failure(text: string, name = 'site.txt'): string {
  try {
    parsePixelRegions(text, path.join(root, name));
  } catch (error) {
    expect(error).toBeInstanceOf(PixelRegionsError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('site region lists', () => {
  it('reads the shared library in our JSON format as the shipped list', () => {
    const list = readPixelRegions(path.join(referenceDir, 'pixel-regions.json'));
    expect(list.name).toBe("pixel-regions.json");
    expect(list.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(same(list.entries)).toEqual(same(SHIPPED_REGION_LIST.entries));
    expect(list.entries.map((entry) => entry.label)).toEqual(SHIPPED_REGION_LIST.entries.map((entry) => entry.label));
  });

  it('reads the same library written as a CTP script: every entry, its label and its line', () => {
    const script = ctpScript(SHIPPED_REGION_LIST.entries);
    const file = path.join(root, 'DicomPixelAnonymizer.script');
    writeFileSync(file, script);
    const list = readPixelRegions(file);
    expect(same(list.entries)).toEqual(same(SHIPPED_REGION_LIST.entries));
    expect(list.entries.map((entry) => entry.label)).toEqual(SHIPPED_REGION_LIST.entries.map((entry) => entry.label));
    const lines = script.split('\n');
    for (const entry of list.entries) expect(lines[Number(entry.where.replace('line ', '')) - 1]).toMatch(/^ {2}\{ /);
  });

  it('tells the formats apart by content: a script may open with its condition, JSON with a byte order mark', () => {
    expect(parsePixelRegions('{ Modality.equals("US") } (0,0,10,10)', 'a')).toEqual([{ where: 'line 1', label: '', match: { tag: 0x00080060, test: 'equals', value: 'US' }, regions: [[0, 0, 10, 10]] }]);
    expect(parsePixelRegions('\uFEFF{ "signatures": [ { "match": { "keyword": "Modality", "test": "equals", "value": "US" }, "regions": [[-100, 0, 100, 20]] } ] }', 'b')).toEqual([
      { where: 'line 1', label: '', match: { tag: 0x00080060, test: 'equals', value: 'US' }, regions: [[-100, 0, 100, 20]] },
    ]);
    expect(parsePixelRegions('{ !(Rows.equals("1") + Columns.isLessThan ("2")) } (1,2,3,4)(5,6,7,8)', 'c')[0]).toEqual({
      where: 'line 1',
      label: '',
      match: { not: { any: [{ tag: 0x00280010, test: 'equals', value: '1' }, { tag: 0x00280011, test: 'isLessThan', value: '2' }] } },
      regions: [[1, 2, 3, 4], [5, 6, 7, 8]],
    });
  });

  it('names the line and column of every mistake in a CTP script, never the value', () => {
    expect(failure('header\n{ Modality.equal("US") }\n(0,0,1,1)')).toBe('site.txt: line 2, column 12: not a CTP pixel script: unknown method equal (one of equals, equalsIgnoreCase, contains, containsIgnoreCase, startsWith, startsWithIgnoreCase, endsWith, endsWithIgnoreCase, matches, isLessThan, isGreaterThan)');
    expect(failure('{ Modality.equals("US") }\n\nnext entry\n{ Rows.equals("1") } (0,0,1,1)')).toBe('site.txt: line 1, column 1: not a CTP pixel script: the condition has no region after it: (x,y,width,height)');
    expect(failure('{ Modality.equals("US") }\n  (0,0,1)')).toBe('site.txt: line 2, column 3: not a CTP pixel script: a region is (x,y,width,height): four whole numbers, the width and height not negative');
    expect(failure('{ Modality.equals("US") } (0,0,0,5)')).toBe('site.txt: line 1, column 27: not a CTP pixel script: a region of no width or no height blanks nothing');
    expect(failure('{ PatientsNmae.equals("SMITH^JOHN") } (0,0,1,1)')).toBe('site.txt: line 1, column 3: not a CTP pixel script: PatientsNmae is not a keyword of the data dictionary (give the tag as [gggg,eeee])');
    expect(failure('{ Modality.equals("US")\n (0,0,1,1)')).toBe('site.txt: line 2, column 2: not a CTP pixel script: expected * (and), + (or) or } after a test');
    expect(failure('notes (draft)\n{ Modality.equals("US") } (0,0,1,1)')).toBe('site.txt: line 1, column 7: not a CTP pixel script: a parenthesis outside a condition and not after one: comments hold no parentheses');
    expect(failure('{ PatientName.equals("SMITH^JOHN) } (0,0,1,1)\n')).toBe('site.txt: line 1, column 22: not a CTP pixel script: the value is not closed with " on its line');
    expect(failure('{ PatientName.matches("SMITH(") } (0,0,1,1)')).toBe('site.txt: line 1, column 23: not a CTP pixel script: the value of matches is not a regular expression');
    expect(failure('{ Rows.isLessThan("many") } (0,0,1,1)')).toBe('site.txt: line 1, column 19: not a CTP pixel script: isLessThan compares numbers: its value must be one');
  });

  it('names the line and column of every mistake in a JSON list', () => {
    const entry = (match: string, regions = '[[0, 0, 10, 10]]') => `{\n  "signatures": [\n    { "match": ${match}, "regions": ${regions} }\n  ]\n}\n`;
    const us = '{ "keyword": "Modality", "test": "equals", "value": "US" }';
    expect(failure(entry(us).replace('"match"', '"mtach"'), 'site.json')).toBe('site.json: line 3, column 7: unknown field "mtach" in an entry (allowed: match, regions, id, section, label, line, comment)');
    expect(failure(entry(us.replace('equals"', 'equal"')), 'site.json')).toBe('site.json: line 3, column 49: unknown test "equal" (one of equals, equalsIgnoreCase, contains, containsIgnoreCase, startsWith, startsWithIgnoreCase, endsWith, endsWithIgnoreCase, matches, isLessThan, isGreaterThan)');
    expect(failure(entry(us, '[[0, 0, 10]]'), 'site.json')).toBe('site.json: line 3, column 88: a region is [x, y, width, height]: four whole numbers');
    expect(failure(entry(us, '[[0, 0, 10, 0]]'), 'site.json')).toBe('site.json: line 3, column 88: a region needs a width and a height above 0');
    expect(failure(entry('{ "tag": "00100010", "keyword": "PatientID", "test": "equals", "value": "X" }'), 'site.json')).toBe('site.json: line 3, column 48: "keyword" names (0010,0020), not the "tag" (0010,0010)');
    expect(failure(entry('{ "all": [] }'), 'site.json')).toBe('site.json: line 3, column 25: "all" must be a list of one or more matches');
    expect(failure('{ "signatures": [ ] ', 'site.json')).toMatch(/^site\.json: line 1, column 21: not valid JSON: /);
  });

  it('refuses an empty list and a file it cannot read, naming the file', () => {
    const empty = path.join(root, 'empty.json');
    writeFileSync(empty, '{ "signatures": [] }');
    expect(() => readPixelRegions(empty)).toThrow(`${empty}: the region list has no entries`);
    const missing = path.join(root, 'missing.script');
    expect(() => readPixelRegions(missing)).toThrow(`${missing}: cannot read the region list: `);
  });
});
